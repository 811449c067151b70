import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Measurement, MeasureRequest } from './measure.js';
import type { Library } from './scenarios.js';

/** Child to parent: `ready` once loaded, then one reply per request. */
export type WorkerMessage = { ready: true } | { measurement: Measurement } | { error: string };

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const EXIT_GRACE_MS = 5_000;

/**
 * One library in its own Node process, for the reason bench:core gives (core/library-process.ts):
 * V8 specialises code to what it has seen, and three libraries sharing one process (pg's Client
 * under havuz, pg-pool and no-pool alike) would each run on code shaped by the others. The
 * parent measures one library at a time, so a child has at most one request in flight.
 */
export class LibraryProcess {
  readonly library: Library;
  readonly #child: ChildProcess;
  readonly #ready: Promise<void>;
  #reply: { resolve: (m: Measurement) => void; reject: (e: Error) => void } | undefined;
  #exited: Error | undefined;

  constructor(library: Library) {
    this.library = library;
    // Node flags are inherited (--import tsx, and --cpu-prof when profiling); the child's stdout
    // goes to our stderr, so --json output stays clean. Advanced serialization carries typed arrays.
    this.#child = fork(WORKER, [library], {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 2, 2, 'ipc'],
      serialization: 'advanced',
    });
    this.#ready = new Promise((resolve, reject) => {
      this.#child.on('message', (message: WorkerMessage) => {
        if ('ready' in message) return resolve();
        const reply = this.#reply;
        this.#reply = undefined;
        if ('error' in message) reply?.reject(new Error(`${library}: ${message.error}`));
        else reply?.resolve(message.measurement);
      });
      this.#child.on('exit', (code, signal) => {
        this.#exited = new Error(`the ${library} benchmark process exited (code ${code}, signal ${signal})`);
        reject(this.#exited);
        this.#reply?.reject(this.#exited);
        this.#reply = undefined;
      });
    });
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  measure(request: MeasureRequest): Promise<Measurement> {
    if (this.#exited !== undefined) return Promise.reject(this.#exited);
    if (this.#reply !== undefined) return Promise.reject(new Error(`${this.library}: one measurement at a time`));
    return new Promise((resolve, reject) => {
      this.#reply = { resolve, reject };
      this.#child.send(request);
    });
  }

  /** Disconnects, and the child must exit by itself; one that does not (a pool left a handle open) is reported, then ended. */
  async stop(): Promise<void> {
    if (this.#exited !== undefined) return;
    const timer = setTimeout(() => {
      process.stderr.write(`warning: the ${this.library} process kept running after its pools were closed; ending it\n`);
      this.#child.kill();
    }, EXIT_GRACE_MS);
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    if (this.#child.connected) this.#child.disconnect();
    await exited;
    clearTimeout(timer);
  }
}
