/** One finished statement, as echo, metrics and tracers see it. */
export interface QueryEvent {
  /** The engine's pool name. */
  pool: string;
  sql: string;
  /** The statement's parameters, as passed. Echo logs them only when asked (`echo: { params: true }`). */
  params: readonly unknown[] | undefined;
  /** From the dialect call to its answer: the connection is already checked out. */
  durationMs: number;
  /** Rows returned or affected; undefined when the statement failed. */
  rowCount: number | undefined;
  /** The error the caller got (a DatabaseError, StatementTimeoutError, ConnectionLostError). */
  error: unknown;
}

export type QueryListener = (event: QueryEvent) => void;

/**
 * An engine's statement listeners. `active` is a plain field the query path reads: when nobody
 * listens (echo off, no metrics, no tracer) a statement costs one property load and a branch, no
 * clock read, no closure; under callgrind the path is as long as before statements could be
 * observed, within the noise. Tracers subscribe with `engine.on('query')` rather than a
 * diagnostics channel, whose `hasSubscribers` would be one more call on every statement.
 */
export class QueryObservers {
  active = false;
  #listeners: QueryListener[] = [];
  #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  on(listener: QueryListener): () => void {
    // Copy on write: emit iterates a snapshot, so a listener may remove itself.
    this.#listeners = [...this.#listeners, listener];
    this.active = true;
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
      this.active = this.#listeners.length > 0;
    };
  }

  emit(event: QueryEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
