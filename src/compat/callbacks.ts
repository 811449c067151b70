import { invokeCallback } from '../drivers/node-callback.js';

export type NodeCallback = (error: unknown, ...results: unknown[]) => unknown;

/**
 * The drivers' calling convention: with a callback, call it (never synchronously, and a throw in
 * it is the caller's uncaught exception, not an unhandled rejection) and return nothing; without,
 * return a promise, of the caller's Promise class when pg-pool's `Promise` option named one.
 */
export function settle<V>(
  work: Promise<V>,
  callback: NodeCallback | undefined,
  shape: { ok: (value: V) => unknown[]; failed: (error: unknown) => unknown[] },
  PromiseClass?: PromiseConstructorLike,
): Promise<V> | undefined {
  if (callback === undefined) return PromiseClass === undefined || PromiseClass === Promise ? work : (new PromiseClass<V>((resolve, reject) => work.then(resolve, reject)) as Promise<V>);
  work.then(
    (value) => invokeCallback(callback, ...shape.ok(value)),
    (error: unknown) => invokeCallback(callback, ...shape.failed(error)),
  );
  return undefined;
}

/** A failure before any work started: through the callback (pg-pool calls it at once) or as a rejected promise. */
export function fail(error: unknown, callback: NodeCallback | undefined, PromiseClass?: PromiseConstructorLike): Promise<never> | undefined {
  if (callback !== undefined) {
    callback(error);
    return undefined;
  }
  return settle(Promise.reject(error), undefined, { ok: () => [], failed: () => [] }, PromiseClass);
}
