/**
 * A facade's own work in flight: checkouts asked for and not yet given back. `end()` on an engine
 * the facade was handed waits for this, not for the whole pool, whose other users are not the
 * facade's to wait on; an engine the facade owns is closed with `close({ drain: true })` instead.
 */
export class InFlight {
  #count = 0;
  #waiting: (() => void)[] = [];

  begin(): void {
    this.#count++;
  }

  done(): void {
    this.#count--;
    if (this.#count === 0) for (const resolve of this.#waiting.splice(0)) resolve();
  }

  /** Resolves once nothing is in flight. */
  settled(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiting.push(resolve));
  }
}
