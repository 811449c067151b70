import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { StatementTimeoutError } from './errors.js';

/**
 * Every race between work and time havuz runs, in one place, on an injected clock (so tests drive
 * them with a fake one) and with every timer cleared on every path.
 */

/**
 * Node fires any timer of 2^31 ms or more after 1 ms (the delay is a signed 32-bit integer), so
 * every duration havuz arms is at most this; options above it are rejected where they are given.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer that never keeps the process alive: pool upkeep is not work the user waits for. */
export function backgroundTimer(clock: Clock, fn: () => void, ms: number): TimerHandle {
  const handle = clock.setTimeout(fn, ms);
  handle.unref();
  return handle;
}

export function isThenable<V>(value: PromiseLike<V> | V): value is PromiseLike<V> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/**
 * Settle with `work`, or reject with `onTimeout()` after `ms`. For pings, resets and health probes,
 * which a dead network can stall forever; the timer is unref'd and always cleared.
 */
export function within<V>(work: PromiseLike<V> | V, ms: number, clock: Clock, onTimeout: () => Error): Promise<V> {
  // Any thenable, not only a native Promise: a driver's own promise type must be bounded too.
  if (!isThenable(work)) return Promise.resolve(work);
  return new Promise<V>((resolve, reject) => {
    const timer = backgroundTimer(clock, () => reject(onTimeout()), ms);
    work.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Waits for `work` to settle, but no longer than `ms`: true when it settled in time. It never
 * rejects (a cleanup or a child's exit is awaited for as long as it is worth waiting, no more),
 * and its timer is always cleared.
 */
export function settledWithin(work: PromiseLike<unknown>, ms: number, clock: Clock = systemClock): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clock.clearTimeout(timer);
      resolve(true);
    };
    work.then(done, done);
  });
}

/**
 * Waits for a driver's connect, but rejects as soon as `signal` aborts (the pool's create timeout,
 * or the pool closing) and tears the half-open connection down: drivers only give up on their own
 * connect timeout, and a socket left connecting would keep the process alive.
 */
export function abortable<T>(connecting: Promise<T>, signal: AbortSignal, teardown: () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      teardown();
      reject(signal.reason);
    };
    if (signal.aborted) {
      connecting.catch(() => {});
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    connecting.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** How long a polite close may wait for the server's goodbye before the socket is cut. */
export const CLOSE_GRACE_MS = 1_000;

/**
 * Ends a connection politely, but never waits on the network for it: pg's `end()` and mysql2's
 * resolve only when the server closes the socket, which a black-holed network never does, and a
 * pool whose close hangs keeps the process alive. After the grace period the socket is destroyed.
 */
export function endWithin(end: () => PromiseLike<unknown>, destroy: () => void, graceMs = CLOSE_GRACE_MS, clock: Clock = systemClock): Promise<void> {
  return new Promise((resolve) => {
    const timer = backgroundTimer(
      clock,
      () => {
        destroy();
        resolve();
      },
      graceMs,
    );
    end().then(
      () => {
        clock.clearTimeout(timer);
        resolve();
      },
      () => {
        clock.clearTimeout(timer);
        destroy();
        resolve();
      },
    );
  });
}

export interface Deadline {
  timeoutMs: number;
  /** How long the statement may take to stop once the deadline passed (and the cancel, if any, was sent). */
  graceMs: number;
  /** Asks the server to stop the statement (PostgreSQL's cancel request); resolves once it was delivered. */
  cancel?: () => Promise<void>;
  /** Drops the connection: the last resort for a statement that does not stop. */
  destroy: () => void;
}

/**
 * Settles with the statement, unless it outlives `timeoutMs`: then the server is asked to cancel it,
 * and when that does not end it within `graceMs` the connection is destroyed and the caller gets a
 * StatementTimeoutError at once (a dead network must not hang the caller).
 *
 * The statement's own outcome is handed back only once no cancel is still in flight, so a late
 * cancel can never hit the next statement on the same connection (asyncpg waits the same way).
 * The timers are ref'd: a statement in flight is work the caller waits for.
 */
export function withDeadline<T>(statement: Promise<T>, deadline: Deadline, clock: Clock = systemClock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cancelling: Promise<void> | undefined;
    let done = false;
    const clear = (timer: TimerHandle | undefined): void => {
      if (timer !== undefined) clock.clearTimeout(timer);
    };
    const drop = (): void => {
      if (done) return;
      done = true;
      clear(cancelTimer);
      clear(dropTimer);
      deadline.destroy();
      reject(new StatementTimeoutError({ timeoutMs: deadline.timeoutMs, connectionLost: true }));
    };
    const settle = (finish: () => void): void => {
      if (done) return;
      clear(cancelTimer);
      if (cancelling === undefined) {
        done = true;
        clear(dropTimer);
        finish();
        return;
      }
      // dropTimer stays armed: a cancel that never arrives still ends in a dropped connection.
      void cancelling.then(() => {
        if (done) return;
        done = true;
        clear(dropTimer);
        finish();
      });
    };
    const cancel = deadline.cancel;
    const cancelTimer =
      cancel === undefined
        ? undefined
        : clock.setTimeout(() => {
            // A cancel that could not be sent leaves the statement running: drop instead.
            cancelling = cancel().then(undefined, () => drop());
          }, deadline.timeoutMs);
    const dropTimer = clock.setTimeout(drop, Math.min(MAX_TIMER_MS, deadline.timeoutMs + deadline.graceMs));
    statement.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
