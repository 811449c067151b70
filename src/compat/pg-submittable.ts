/** What pg.Pool code hands `pool.query`: a cursor or stream that submits itself to the client (pg-cursor, pg-query-stream). */
export interface Submittable {
  callback?: (error: unknown, result?: unknown) => unknown;
  handleReadyForQuery?: (...args: unknown[]) => unknown;
  handleError?: (...args: unknown[]) => unknown;
}

/**
 * A cursor or stream given to pool.query is done with its client at the server's ReadyForQuery
 * (after its last row, or after an error); pg-pool waits for its callback instead, which
 * pg-cursor never calls. A connection lost under it sends no ReadyForQuery: then its error ends it.
 */
export function whenSubmittableDone(submittable: Submittable, isDead: () => boolean, finish: (error: unknown, result?: unknown) => void): void {
  let failure: unknown;
  const { handleReadyForQuery, handleError, callback } = submittable;
  if (typeof handleReadyForQuery === 'function') {
    submittable.handleReadyForQuery = function (this: unknown, ...args: unknown[]) {
      const returned = handleReadyForQuery.apply(this, args);
      finish(failure);
      return returned;
    };
  }
  if (typeof handleError === 'function') {
    submittable.handleError = function (this: unknown, ...args: unknown[]) {
      failure ??= args[0];
      const returned = handleError.apply(this, args);
      // pg marks a lost connection right after it fails the queries on it.
      setImmediate(() => {
        if (isDead()) finish(failure);
      });
      return returned;
    };
  }
  submittable.callback = function (this: unknown, error: unknown, result?: unknown) {
    finish(error, result);
    return callback?.call(this, error, result);
  };
}
