import { withDeadline, type Deadline } from '../../core/timeouts.js';
import type { Clock } from '../../core/clock.js';
import { StatementTimeoutError } from '../../core/errors.js';
import { attachHavuzError } from '../driver-error.js';
import { invokeCallback } from '../node-callback.js';

type Callback = (error: unknown, ...results: unknown[]) => unknown;
type Method = (...args: unknown[]) => unknown;

/** A native call as the facade names it: mysql2/promise's `query`/`execute`, or the callback API's (`callback.query`). */
export interface MysqlNativeCall {
  /** The object the caller called: mysql2/promise's connection, or the callback connection under it. */
  target: Record<string, unknown>;
  method: 'query' | 'execute';
  promiseApi: boolean;
}

export interface MysqlNativeDeadline extends Deadline {
  clock?: Clock | undefined;
  /** MariaDB's `SET STATEMENT max_statement_time=… FOR`, for a `query` the server should stop itself. */
  rewrite?: ((sql: string) => string) | undefined;
}

/**
 * mysql2's own `query`/`execute` in both APIs: the promise API (`[rows, fields]`) and the callback
 * API (`callback(error, rows, fields)`), under the statement deadline. Without a callback the
 * callback API returns mysql2's streaming Query: it is handed back as is, with no deadline (it
 * reads at its consumer's pace). Results and errors are mysql2's own; `settled` hears how the
 * call ended: its error, or undefined and the result (rows, or the OK packet of a write).
 */
export function mysqlNativeQuery(call: MysqlNativeCall, args: unknown[], deadline: MysqlNativeDeadline | undefined, settled: (error: unknown, result?: unknown) => void): unknown {
  const run = call.target[call.method] as Method;
  const last = args[args.length - 1];
  const callback = !call.promiseApi && typeof last === 'function' ? (last as Callback) : undefined;
  if (!call.promiseApi && callback === undefined) return run.apply(call.target, args);
  const callArgs = callback === undefined ? [...args] : args.slice(0, -1);
  if (deadline !== undefined && deadline.rewrite !== undefined && call.method === 'query') rewriteSql(callArgs, deadline.rewrite);
  if (deadline === undefined) {
    if (callback === undefined) {
      const running = run.apply(call.target, callArgs) as Promise<unknown[]>;
      running.then((results) => settled(undefined, results[0]), settled);
      return running;
    }
    return run.apply(call.target, [
      ...callArgs,
      (error: unknown, ...results: unknown[]) => {
        settled(error ?? undefined, results[0]);
        return callback(error, ...results);
      },
    ]);
  }
  let query: unknown;
  const running = new Promise<unknown[]>((resolve, reject) => {
    if (callback === undefined) (run.apply(call.target, callArgs) as Promise<unknown[]>).then((result) => resolve([result]), reject);
    else query = run.apply(call.target, [...callArgs, (error: unknown, ...results: unknown[]) => (error ? reject(error) : resolve(results))]);
  });
  const outcome = withDeadline(running, deadline, deadline.clock).then(
    (results) => {
      settled(undefined, callback === undefined ? (results[0] as unknown[])[0] : results[0]);
      return results;
    },
    (error: unknown) => {
      settled(error);
      if (!(error instanceof StatementTimeoutError) && (isServerTimeout(error))) {
        attachHavuzError(error, new StatementTimeoutError({ cause: error, timeoutMs: deadline.timeoutMs, serverCode: String((error as { errno?: unknown }).errno) }));
      }
      throw error;
    },
  );
  if (callback === undefined) return outcome.then((results) => results[0]);
  outcome.then(
    (results) => invokeCallback(callback, null, ...results),
    (error: unknown) => invokeCallback(callback, error),
  );
  return query;
}

/** 1969: MariaDB's max_statement_time was exceeded (the rewrite above set it). */
function isServerTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { errno?: unknown }).errno === 1969;
}

function rewriteSql(args: unknown[], rewrite: (sql: string) => string): void {
  const first = args[0];
  if (typeof first === 'string') args[0] = rewrite(first);
  else if (typeof first === 'object' && first !== null && typeof (first as { sql?: unknown }).sql === 'string') {
    args[0] = { ...first, sql: rewrite((first as { sql: string }).sql) };
  }
}
