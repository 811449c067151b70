import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Measurement, MeasureRequest } from './measure.js';
import type { Library } from './scenarios.js';

/** Child to parent: ready once loaded, then one reply per request. */
export type WorkerMessage = { ready: true } | ({ id: number } & Measurement) | { id: number; error: string };

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const EXIT_GRACE_MS = 5_000;

/**
 * One library in its own Node process, for the reason bench:core gives (core/library-process.ts):
 * V8 specialises code to what it has seen, and three libraries sharing one process (pg's Client
 * under havuz, pg-pool and no-pool alike) would each run on code shaped by the others. The
 * parent interleaves them in time and runs only one at a time, so they never compete for CPU.
 */
export class LibraryProcess {
  readonly library: Library;
  readonly #child: ChildProcess;
  readonly #ready: Promise<void>;
  readonly #pending = new Map<number, { resolve: (m: Measurement) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  constructor(library: Library) {
    this.library = library;
    // Node flags are inherited (--import tsx, and --cpu-prof when profiling); the child's stdout
    // goes to our stderr, so --json output stays clean.
    this.#child = fork(WORKER, [library], {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 2, 2, 'ipc'],
      serialization: 'advanced',
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

  measure(request: Omit<MeasureRequest, 'id'>): Promise<Measurement> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ ...request, id } satisfies MeasureRequest);
    });
  }

  /** Disconnects; the child must then exit by itself. One that does not (a pool left a handle open) is reported, then ended. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), EXIT_GRACE_MS);
      this.#child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (this.#child.connected) this.#child.disconnect();
    if (!(await exited)) {
      process.stderr.write(`warning: the ${this.library} process kept running after its pools were closed; ending it\n`);
      this.#child.kill();
    }
  }
}
