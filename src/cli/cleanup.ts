import type { Cleanup, CleanupHook } from '../bench/embedded-postgres.js';
import { settledWithin } from '../core/timeouts.js';

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
    await settledWithin(Promise.allSettled([...this.#items].map((c) => c.run())), timeoutMs);
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
  /** Exits the process (after flushing output); may return before it does. */
  exit(code: number): void;
}

/** Ctrl-C, kill, and a closed terminal. */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP: abort the run, stop the server and remove its folder, then exit
 * 128 + the signal's number (130 for Ctrl-C). A second signal skips the waiting. An 'exit' handler catches any other way out.
 */
export function installSignalHandlers(options: SignalOptions): () => void {
  const { registry, controller } = options;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[signal]!;
    if (interrupted) {
      registry.runAllSync();
      options.exit(code);
      return;
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
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('exit', onExit);
  return () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off('exit', onExit);
  };
}
