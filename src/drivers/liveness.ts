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
