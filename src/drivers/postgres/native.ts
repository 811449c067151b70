import { StatementTimeoutError } from '../../core/errors.js';
import { within, withDeadline, type Deadline } from '../../core/timeouts.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { attachHavuzError } from '../driver-error.js';
import { invokeCallback } from '../node-callback.js';
import { fieldsOf } from '../interop.js';

type Callback = (error: unknown, result?: unknown) => unknown;
export interface RawQueryable {
  query(...args: unknown[]): unknown;
}

export interface NativeDeadline extends Deadline {
  clock?: Clock | undefined;
}

/** How long pg may take to fail a statement whose socket havuz destroyed at its deadline. */
const droppedAnswerMs = 1_000;

/** pg-cursor, pg-query-stream and pg's own Query: objects pg hands the connection to submit themselves. */
export function isSubmittable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { submit?: unknown }).submit === 'function';
}

/**
 * pg's own `client.query` in its statement forms: `(text | config, values?, callback?)` and a
 * config carrying its own `callback`, with the statement deadline around it. pg's results and
 * errors are handed on untouched, in pg's shape (a promise, or the callback with `null` for no
 * error); when the deadline cancelled the statement, a StatementTimeoutError is attached to pg's
 * error (havuzErrorOf). `settled` hears how the call ended: its error, or undefined and pg's result.
 */
export function pgNativeQuery(client: RawQueryable, args: unknown[], deadline: NativeDeadline | undefined, settled: (error: unknown, result?: unknown) => void): unknown {
  let [config, values, callback] = args as [unknown, unknown, Callback | undefined];
  if (typeof values === 'function') {
    callback = values as Callback;
    values = undefined;
  }
  if (callback === undefined && typeof config === 'object' && config !== null && typeof (config as { callback?: unknown }).callback === 'function') {
    // pg answers a config's own callback; take it over so the outcome is heard here too.
    callback = (config as { callback: Callback }).callback;
    config = { ...config, callback: undefined };
  }
  if (deadline === undefined) {
    if (callback === undefined) return promised(client, config, values, settled);
    const own = callback;
    return client.query(config, values, (error: unknown, result: unknown) => {
      settled(error ?? undefined, result);
      return own(error, result);
    });
  }
  const running =
    callback === undefined
      ? promised(client, config, values, undefined)
      : pgQuery(client, config, values, undefined, Promise);
  const outcome = bounded(running, deadline, settled);
  if (callback === undefined) return outcome;
  const own = callback;
  outcome.then(
    (result) => invokeCallback(own, null, result),
    (error: unknown) => invokeCallback(own, error),
  );
  return undefined;
}

/**
 * `client.query` through pg's callback form, as a promise. Not pg's own promise form: with it, V8
 * was measured to pretenure the allocation site of pg's `result.rows` arrays under a web app's
 * load, after which every rows array is made in the old generation and keeps its rows alive
 * through scavenges (bench/README.md, "bench/web"); the callback form, which pg.Pool's own
 * `query()` uses, does not set it off. `settled` hears the outcome inside pg's callback: a second
 * reaction on the returned promise would cut the caller's frames out of V8's async stack trace.
 */
export function pgQuery(
  client: RawQueryable,
  config: unknown,
  values: unknown,
  settled: ((error: unknown, result?: unknown) => void) | undefined,
  PromiseClass: PromiseConstructor,
): Promise<unknown> {
  return new PromiseClass<unknown>((resolve, reject) => {
    client.query(config, values, (error: unknown, result: unknown) => {
      settled?.(error ?? undefined, result);
      if (error) reject(error);
      else resolve(result);
    });
  });
}

/**
 * What pg's promise form gives its caller, made with pgQuery: the client's Promise class, a
 * rejection with pg's error whose stack is taken again (pg does the same, so the stack leads back
 * to the caller rather than to the socket), a synchronous TypeError for no query.
 */
function promised(client: RawQueryable, config: unknown, values: unknown, settled: ((error: unknown, result?: unknown) => void) | undefined): Promise<unknown> {
  if (config === null || config === undefined) return client.query(config, values) as Promise<unknown>;
  // pg writes the callback into an object config: a copy leaves the caller's object as it was.
  const own = typeof config === 'object' ? { ...config } : config;
  return pgQuery(client, own, values, settled, (client as { _Promise?: PromiseConstructor })._Promise ?? Promise).catch((error: unknown) => {
    if (error instanceof Error) Error.captureStackTrace(error);
    throw error;
  });
}

function bounded(running: Promise<unknown>, deadline: NativeDeadline, settled: (error: unknown, result?: unknown) => void): Promise<unknown> {
  let cancelled = false;
  const cancel = deadline.cancel;
  const racing = withDeadline(
    running,
    {
      ...deadline,
      cancel:
        cancel === undefined
          ? undefined
          : () => {
              cancelled = true;
              return cancel();
            },
    },
    deadline.clock,
  );
  return racing.then(
    (result) => {
      settled(undefined, result);
      return result;
    },
    (error: unknown) => {
      settled(error);
      if (error instanceof StatementTimeoutError) {
        // havuz dropped the connection: pg fails the statement with its own error as the socket
        // closes. Hand that on, carrying the timeout, as any other error on this path.
        return within(running, droppedAnswerMs, deadline.clock ?? systemClock, () => error).then(
          () => {
            throw error;
          },
          (driverError: unknown) => {
            throw driverError === error ? error : attachHavuzError(driverError, error);
          },
        );
      }
      if (cancelled) {
        const code = fieldsOf(error).code;
        attachHavuzError(error, new StatementTimeoutError({ cause: error, timeoutMs: deadline.timeoutMs, serverCode: typeof code === 'string' ? code : undefined }));
      }
      throw error;
    },
  );
}
