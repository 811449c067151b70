import type { CreateContext, Factory } from '../../src/core/factory.js';

export interface FakeConnection {
  readonly id: number;
  destroyed: boolean;
  /** What the driver would do when the server drops the socket: tell the pool through onBroken. */
  break(error?: unknown): void;
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A create the test holds open; `open()` lets it succeed, `fail()` makes it reject. */
export interface HeldCreate {
  readonly signal: AbortSignal;
  open(): void;
  fail(error?: unknown): void;
}

export type FactoryCall = 'create' | 'destroy' | 'validate' | 'reset' | 'init';

/**
 * A factory with no database behind it. It counts what the pool asks of it and can be told to
 * fail, hold or stall each step; a held create waits for the test (no timers involved).
 */
export class FakeFactory implements Factory<FakeConnection> {
  /** Creates that produced a connection, and destroys the pool asked for. */
  created = 0;
  destroyed = 0;
  attempts = 0;
  /** Most connections open at once. */
  maxOpen = 0;
  /** Destroys of a connection that was already destroyed: always a pool bug. */
  doubleDestroys = 0;
  readonly calls: Array<{ call: FactoryCall; id: number | undefined }> = [];
  /** Fail this many of the next creates (Infinity: every one). */
  failCreates = 0;
  createError: (attempt: number) => unknown = (attempt) => new Error(`connect ECONNREFUSED (attempt ${attempt})`);
  /** Hold every create until the test settles it through `held`. */
  hold = false;
  readonly held: HeldCreate[] = [];
  onValidate: (c: FakeConnection) => boolean | Promise<boolean> = () => true;
  onReset: (c: FakeConnection) => void | Promise<void> = () => undefined;
  onInit: (c: FakeConnection) => void | Promise<void> = () => undefined;
  readonly live = new Set<FakeConnection>();
  #nextId = 1;

  constructor(settings: Partial<Pick<FakeFactory, 'hold' | 'failCreates' | 'onValidate' | 'onReset' | 'onInit'>> = {}) {
    Object.assign(this, settings);
  }

  get open(): number {
    return this.created - this.destroyed;
  }

  count(call: FactoryCall): number {
    return this.calls.filter((c) => c.call === call).length;
  }

  async create(context: CreateContext): Promise<FakeConnection> {
    const attempt = ++this.attempts;
    this.calls.push({ call: 'create', id: undefined });
    if (this.hold) {
      const gate = deferred<void>();
      this.held.push({ signal: context.signal, open: () => gate.resolve(), fail: (e) => gate.reject(e ?? this.createError(attempt)) });
      await gate.promise;
    }
    if (this.failCreates > 0) {
      this.failCreates--;
      throw this.createError(attempt);
    }
    const connection: FakeConnection = {
      id: this.#nextId++,
      destroyed: false,
      break: (error = new Error('socket hang up')) => context.onBroken(error),
    };
    this.created++;
    this.live.add(connection);
    this.maxOpen = Math.max(this.maxOpen, this.open);
    return connection;
  }

  destroy(connection: FakeConnection): void {
    this.calls.push({ call: 'destroy', id: connection.id });
    if (connection.destroyed) {
      this.doubleDestroys++;
      return;
    }
    connection.destroyed = true;
    this.live.delete(connection);
    this.destroyed++;
  }

  validate(connection: FakeConnection): boolean | Promise<boolean> {
    this.calls.push({ call: 'validate', id: connection.id });
    return this.onValidate(connection);
  }

  reset(connection: FakeConnection): void | Promise<void> {
    this.calls.push({ call: 'reset', id: connection.id });
    return this.onReset(connection);
  }

  init(connection: FakeConnection): void | Promise<void> {
    this.calls.push({ call: 'init', id: connection.id });
    return this.onInit(connection);
  }
}
