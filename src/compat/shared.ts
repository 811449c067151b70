import type { ConnectionPool } from '../core/pool.js';
import type { Engine } from '../engine/engine.js';

export type NodeCallback = (error: Error | null | undefined, ...results: unknown[]) => void;

/** Drivers' APIs take an optional trailing callback; without one they return a promise. */
export function nodeify<V>(work: Promise<V>, callback: NodeCallback | undefined, results: (value: V) => unknown[] = (v) => [v]): Promise<V> | void {
  if (callback === undefined) return work;
  work.then(
    (value) => callback(null, ...results(value)),
    (error: Error) => callback(error),
  );
}

/** Splits `(...args, callback?)` the way mysql2 and pg read their arguments. */
export function popCallback(args: unknown[]): NodeCallback | undefined {
  return typeof args[args.length - 1] === 'function' ? (args.pop() as NodeCallback) : undefined;
}

/**
 * One statement on a pooled connection. A failure that killed the connection closes it instead
 * of returning it; any other failure is the statement's, and the connection goes back.
 */
export async function onPooledConnection<C, R>(pool: ConnectionPool<C>, isLost: (error: unknown) => boolean, run: (connection: C) => Promise<R>): Promise<R> {
  const lease = await pool.acquire();
  try {
    const result = await run(lease.connection);
    lease.release();
    return result;
  } catch (error) {
    if (isLost(error)) lease.invalidate(error);
    else lease.release();
    throw error;
  }
}

/**
 * `end()`: close an engine the facade created; one it was handed belongs to the caller, so only
 * its idle connections go. Always a promise (Kysely awaits it), and the callback too if given.
 */
export function endEngine(engine: Engine, owned: boolean, callback: ((error?: Error) => void) | undefined): Promise<void> {
  const work = owned ? engine.close() : engine.dispose();
  if (callback === undefined) return work;
  return work.then(
    () => callback(),
    (error: Error) => callback(error),
  );
}
