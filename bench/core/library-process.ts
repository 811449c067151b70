import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClockName } from '../lib/clock.js';
import type { Library } from './adapters.js';
import type { Measurement } from './measure.js';

/** Parent to child: measure one scenario (minMs: the timed work to accumulate; default the scenario's). */
export interface MeasureRequest {
  id: number;
  scenario: string;
  minMs?: number;
}

/** Child to parent: ready once loaded, then one reply per request. */
export type WorkerMessage =
  | { ready: true }
  | ({ id: number } & Measurement)
  | { id: number; error: string };

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const EXIT_GRACE_MS = 5_000;

/**
 * One library in its own Node process. V8 specialises optimised code to the objects and call
 * targets it has seen; with every library in one process, the shared scenario code and the
 * collection of one library's closed pools deoptimised another's code mid-run (havuz fell to a
 * third of its speed after a few alternations). A process per library keeps each one's JIT state
 * its own, while the parent still interleaves them in time and runs only one at a time.
 */
export class LibraryProcess {
  readonly library: Library;
  readonly #child: ChildProcess;
  readonly #ready: Promise<void>;
  readonly #pending = new Map<number, { resolve: (m: Measurement) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  constructor(library: Library, clock: ClockName) {
    this.library = library;
    // The child inherits this process's node flags (--import tsx, and --cpu-prof when profiling);
    // its stdout goes to our stderr, so --json output stays clean.
    this.#child = fork(WORKER, [library, clock], {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    this.#ready = new Promise((resolve, reject) => {
      this.#child.on('message', (message: WorkerMessage) => {
        if ('ready' in message) return resolve();
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if ('error' in message) pending?.reject(new Error(`${library}: ${message.error}`));
        else pending?.resolve(message);
      });
      this.#child.on('exit', (code, signal) => {
        const error = new Error(`${library} benchmark process exited (code ${code}, signal ${signal})`);
        reject(error);
        for (const pending of this.#pending.values()) pending.reject(error);
        this.#pending.clear();
      });
    });
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  measure(scenario: string, minMs?: number): Promise<Measurement> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ id, scenario, minMs } satisfies MeasureRequest);
    });
  }

  /**
   * Disconnects; the child must then exit by itself. One that does not has a timer or handle
   * left open by a pool, which is worth knowing: it is reported, then ended.
   */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), EXIT_GRACE_MS);
      this.#child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    this.#child.disconnect();
    if (!(await exited)) {
      process.stderr.write(`warning: the ${this.library} process kept running after its pools were closed; ending it\n`);
      this.#child.kill();
    }
  }
}
