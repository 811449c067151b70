import { StatementTimeoutError } from './errors.js';

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
 */
export function withDeadline<T>(statement: Promise<T>, deadline: Deadline): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cancelling: Promise<void> | undefined;
    let done = false;
    const drop = (): void => {
      if (done) return;
      done = true;
      clearTimeout(cancelTimer);
      clearTimeout(dropTimer);
      deadline.destroy();
      reject(new StatementTimeoutError(deadline.timeoutMs, true));
    };
    const settle = (finish: () => void): void => {
      if (done) return;
      clearTimeout(cancelTimer);
      if (cancelling === undefined) {
        done = true;
        clearTimeout(dropTimer);
        finish();
        return;
      }
      // dropTimer stays armed: a cancel that never arrives still ends in a dropped connection.
      void cancelling.then(() => {
        if (done) return;
        done = true;
        clearTimeout(dropTimer);
        finish();
      });
    };
    const cancel = deadline.cancel;
    const cancelTimer =
      cancel === undefined
        ? undefined
        : setTimeout(() => {
            // A cancel that could not be sent leaves the statement running: drop instead.
            cancelling = cancel().then(undefined, () => drop());
          }, deadline.timeoutMs);
    const dropTimer = setTimeout(drop, deadline.timeoutMs + deadline.graceMs);
    statement.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
