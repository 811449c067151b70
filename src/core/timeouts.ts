import type { Clock } from './clock.js';

/**
 * Settle with `work`, or reject with `onTimeout()` after `ms`. Used for pings and resets, which a
 * dead network can stall forever; the timer is unref'd and always cleared.
 */
export function within<V>(work: PromiseLike<V> | V, ms: number, clock: Clock, onTimeout: () => Error): Promise<V> {
  // Any thenable, not only a native Promise: a driver's own promise type must be bounded too.
  if (!isThenable(work)) return Promise.resolve(work);
  return new Promise<V>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
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

export function isThenable<V>(value: PromiseLike<V> | V): value is PromiseLike<V> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
