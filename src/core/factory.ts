/** What the pool passes to `create`: a signal that fires on the create timeout or pool close. */
export interface CreateContext {
  readonly signal: AbortSignal;
  /**
   * The adapter calls this when the connection dies on its own (an idle socket reset, a server
   * restart). The pool then drops it instead of letting an `'error'` event crash the process.
   */
  readonly onBroken: (error: unknown) => void;
}

/**
 * The database-specific part of a pool, and the only one. Drivers implement it as thin adapters;
 * the core never imports a database package (SQLAlchemy's dialect surface is this small too).
 */
export interface Factory<T> {
  create(context: CreateContext): Promise<T>;
  destroy(connection: T): PromiseLike<void> | void;
  /** Pre-ping: resolve true when the connection still works. A throw counts as false. */
  validate?(connection: T): PromiseLike<boolean> | boolean;
  /** Runs on return (roll back, discard session state). A throw invalidates the connection. */
  reset?(connection: T): PromiseLike<void> | void;
  /** Runs once on every new connection before its first checkout (e.g. `SET timezone='UTC'`). */
  init?(connection: T): PromiseLike<void> | void;
  /**
   * The connection goes idle: let it stop keeping the process alive (unref its socket), so a
   * script that forgets to close its pool still exits. Must be cheap and synchronous.
   */
  passivate?(connection: T): void;
  /** The connection leaves idle to be pinged, used or closed: its socket keeps the process alive again. */
  activate?(connection: T): void;
}
