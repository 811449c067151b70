/**
 * Whether a driver connection may still be used, and the single report of its death to the pool.
 * A death is reported only for a connection the pool holds (a failure while connecting rejects
 * the connect instead) and never for one havuz is closing itself.
 */
export class Liveness {
  #opened = false;
  #closed = false;
  readonly #onBroken: (error: unknown) => void;

  constructor(onBroken: (error: unknown) => void) {
    this.#onBroken = onBroken;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The connect succeeded: from now on a death is the pool's business. */
  opened(): void {
    this.#opened = true;
  }

  /** havuz closes or drops the connection itself: nothing to report. */
  close(): void {
    this.#closed = true;
  }

  /** The driver says the connection died (its 'error' or 'end' event). */
  readonly lost = (error: unknown): void => {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#opened) this.#onBroken(error);
  };
}

/**
 * What a dialect knows about each connection it opened, kept beside the driver's own object
 * rather than in a wrapper, so the engine hands users pg's Client or mysql2's connection as they
 * know it. Weak: the state lives exactly as long as the connection.
 */
export class ConnectionStates<C extends object, S extends { liveness: Liveness }> {
  readonly #states = new WeakMap<C, S>();
  readonly #what: string;

  constructor(what: string) {
    this.#what = what;
  }

  set(connection: C, state: S): void {
    this.#states.set(connection, state);
  }

  of(connection: C): S {
    const state = this.#states.get(connection);
    if (state === undefined) throw new TypeError(`This ${this.#what} was not opened by havuz`);
    return state;
  }

  /** A connection havuz did not open, or one that died or was closed, must not go back to a pool. */
  isClosed(connection: C): boolean {
    return this.#states.get(connection)?.liveness.closed ?? true;
  }
}
