import { fork, type ChildProcess } from 'node:child_process';

/** Parent to child. */
interface Request<Q> {
  id: number;
  body: Q;
}

/** Child to parent: `ready` once loaded, then one reply per request, matched by id. */
type Reply<R> = { ready: true } | { id: number; result: R } | { id: number; error: string };

const EXIT_GRACE_MS = 5_000;

/**
 * One library in its own Node process, measured on request. V8 specialises optimised code to the
 * objects and call targets it has seen; with every library in one process, shared benchmark code
 * and the collection of one library's closed pools deoptimised another's code mid-run (havuz fell
 * to a third of its speed after a few alternations). A process per library keeps each one's JIT
 * state its own, while the parent still interleaves them in time and runs only one at a time.
 */
export class BenchChild<Q, R> {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #ready: Promise<void>;
  readonly #pending = new Map<number, { resolve: (result: R) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #exited: Error | undefined;

  constructor(name: string, script: string, args: string[]) {
    this.name = name;
    // The child inherits this process's node flags (--import tsx, and --cpu-prof when profiling);
    // its stdout goes to our stderr, so --json output stays clean. Advanced serialization carries typed arrays.
    this.#child = fork(script, args, {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 2, 2, 'ipc'],
      serialization: 'advanced',
    });
    this.#ready = new Promise((resolve, reject) => {
      this.#child.on('message', (message: Reply<R>) => {
        if ('ready' in message) return resolve();
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if ('error' in message) pending?.reject(new Error(`${name}: ${message.error}`));
        else pending?.resolve(message.result);
      });
      this.#child.on('exit', (code, signal) => {
        this.#exited = new Error(`the ${name} benchmark process exited (code ${code}, signal ${signal})`);
        reject(this.#exited);
        for (const pending of this.#pending.values()) pending.reject(this.#exited);
        this.#pending.clear();
      });
    });
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  request(body: Q): Promise<R> {
    if (this.#exited !== undefined) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ id, body } satisfies Request<Q>);
    });
  }

  /**
   * Disconnects; the child must then exit by itself. One that does not has a timer or handle left
   * open by a pool, which is worth knowing: it is reported, then ended.
   */
  async stop(): Promise<void> {
    if (this.#exited !== undefined || this.#child.exitCode !== null) return;
    const timer = setTimeout(() => {
      process.stderr.write(`warning: the ${this.name} process kept running after its pools were closed; ending it\n`);
      this.#child.kill();
    }, EXIT_GRACE_MS);
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    if (this.#child.connected) this.#child.disconnect();
    await exited;
    clearTimeout(timer);
  }
}

/** The child's side: answer every request with `run(body)`, then say it is ready. */
export function serveRequests<Q, R>(run: (body: Q) => Promise<R>): void {
  const send = (message: Reply<R>): void => void process.send!(message);
  process.on('message', ({ id, body }: Request<Q>) => {
    run(body).then(
      (result) => send({ id, result }),
      (error: unknown) => send({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  send({ ready: true });
}
