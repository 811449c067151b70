import type { Cleanup, CleanupHook } from '../bench/embedded-postgres.js';

/**
 * What must be undone if havuz stops early: the embedded server and its folder. Commands register
 * through `hook`; the signal handlers and the exit handler below drain it.
 */
export class CleanupRegistry {
  readonly #items = new Set<Cleanup>();

  readonly hook: CleanupHook = (cleanup) => {
    this.#items.add(cleanup);
    return () => void this.#items.delete(cleanup);
  };

  get size(): number {
    return this.#items.size;
  }

  names(): string[] {
    return [...this.#items].map((c) => c.name);
  }

  /** Runs every cleanup at once; gives up on any still running after `timeoutMs`. */
  async runAll(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.#items].map((c) => c.run())), timeout]);
    clearTimeout(timer);
  }

  /** Last resort from a process 'exit' handler, where nothing async runs any more. */
  runAllSync(): void {
    for (const cleanup of this.#items) {
      try {
        cleanup.runSync();
      } catch {
        // Best effort: the process is exiting either way.
      }
    }
    this.#items.clear();
  }
}

export interface SignalOptions {
  registry: CleanupRegistry;
  /** Aborted on the first signal, so running scenarios stop issuing queries. */
  controller: AbortController;
  write(line: string): void;
  exit(code: number): never;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM: abort the run, stop the server and remove its folder, then exit
 * 130 / 143. A second signal skips the waiting. An 'exit' handler catches any other way out.
 */
export function installSignalHandlers(options: SignalOptions): () => void {
  const { registry, controller } = options;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (interrupted) {
      registry.runAllSync();
      options.exit(code);
    }
    interrupted = true;
    controller.abort(new Error(`interrupted by ${signal}`));
    const what = registry.names();
    void registry.runAll(15_000).then(() => {
      registry.runAllSync();
      options.write(`havuz: interrupted by ${signal}${what.length > 0 ? `; stopped and removed the ${what.join(', ')}` : ''}\n`);
      options.exit(code);
    });
  };
  const onExit = (): void => registry.runAllSync();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  };
}
