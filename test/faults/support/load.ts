import { performance } from 'node:perf_hooks';
import { HavuzError } from '../../../src/core/errors.js';

/** One finished request of a load run. */
export interface Outcome {
  startedAt: number;
  endedAt: number;
  ok: boolean;
  /** A havuz error's `code`, else the driver's code or the error's class name. */
  kind: string;
  typed: boolean;
  message: string;
}

/** Settles with the promise's outcome, or with 'hang' once `ms` pass: every request is bounded. */
export function bounded<T>(promise: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown; hang?: true }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ hang: true }), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ error });
      },
    );
  });
}

/**
 * A steady load: `workers` loops, each sending one request at a time until stopped. Every request
 * is bounded by `boundMs`; one that outlives it counts as a hang. After a failure a worker pauses
 * `pauseOnErrorMs` (pacing, like a client's retry delay) so a fast-failing pool is not spun hot.
 */
export class Load {
  readonly outcomes: Outcome[] = [];
  hangs = 0;
  readonly #workers: Promise<void>[] = [];
  #stopped = false;

  constructor(
    readonly name: string,
    readonly request: (i: number) => Promise<unknown>,
    readonly options: { workers: number; boundMs: number; pauseOnErrorMs?: number },
  ) {}

  start(): this {
    for (let w = 0; w < this.options.workers; w++) this.#workers.push(this.#work());
    return this;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#workers);
  }

  get ok(): number {
    return this.outcomes.filter((o) => o.ok).length;
  }

  /** Failures by kind, e.g. `{ HAVUZ_CONNECTION_LOST: 4, HAVUZ_CREATE_FAILED: 7 }`. */
  errorKinds(): Record<string, number> {
    const kinds: Record<string, number> = {};
    for (const o of this.outcomes) if (!o.ok) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
    return kinds;
  }

  /** End of the first success among requests started at or after `t` (performance.now() time). */
  firstOkStartedAfter(t: number): number | undefined {
    let first: number | undefined;
    for (const o of this.outcomes) if (o.ok && o.startedAt >= t && (first === undefined || o.endedAt < first)) first = o.endedAt;
    return first;
  }

  /** The first success that ended after `t`, as its end time (performance.now() time). */
  firstOkEndedAfter(t: number): number | undefined {
    let first: number | undefined;
    for (const o of this.outcomes) if (o.ok && o.endedAt > t && (first === undefined || o.endedAt < first)) first = o.endedAt;
    return first;
  }

  /** The longest any settled request took, waiting for a connection included. */
  maxLatencyMs(): number {
    let most = 0;
    for (const o of this.outcomes) most = Math.max(most, o.endedAt - o.startedAt);
    return most;
  }

  /** Resolves once `n` more requests have succeeded (bounded by `timeoutMs`). */
  async untilOk(n: number, timeoutMs: number): Promise<boolean> {
    const target = this.ok + n;
    const deadline = performance.now() + timeoutMs;
    while (this.ok < target && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.ok >= target;
  }

  async #work(): Promise<void> {
    let i = 0;
    while (!this.#stopped) {
      const startedAt = performance.now();
      const result = await bounded(this.request(i++), this.options.boundMs);
      const endedAt = performance.now();
      if (result.hang) {
        this.hangs++;
        continue;
      }
      const error = result.error;
      if (error === undefined) {
        this.outcomes.push({ startedAt, endedAt, ok: true, kind: 'ok', typed: true, message: '' });
        continue;
      }
      const typed = error instanceof HavuzError;
      const kind = typed ? error.code : String((error as { code?: unknown })?.code ?? (error as Error)?.constructor?.name);
      this.outcomes.push({ startedAt, endedAt, ok: false, kind, typed, message: String((error as Error)?.message ?? error) });
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseOnErrorMs ?? 25));
    }
  }
}

/** Polls (bounded) until the pool has nothing in use, waiting or connecting; returns the last status. */
export async function quiesce<S extends { inUse: number; pending: number; connecting: number }>(
  status: () => S,
  timeoutMs = 5_000,
): Promise<S> {
  const deadline = performance.now() + timeoutMs;
  let s = status();
  while ((s.inUse > 0 || s.pending > 0 || s.connecting > 0) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    s = status();
  }
  return s;
}

/**
 * The most connects a pool with this backoff may start in `downMs`: every round of at most
 * `maxConnecting` attempts is followed by at least half the (doubling, capped) backoff.
 */
export function connectBudget(downMs: number, o: { maxConnecting: number; createBackoffMs: number; createBackoffMaxMs: number }): number {
  let elapsed = 0;
  let rounds = 1;
  for (let k = 0; ; k++) {
    elapsed += Math.min(o.createBackoffMaxMs, o.createBackoffMs * 2 ** k) / 2;
    if (elapsed > downMs) break;
    rounds++;
  }
  return o.maxConnecting * (rounds + 1);
}
