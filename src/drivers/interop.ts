/**
 * The database packages are CommonJS: through `import()` their exports sit on `default`, and only
 * some are also detected as named exports. Take the named one when Node found it.
 */
export function exportOf<T>(module: unknown, name: string): T {
  const named = (module as Record<string, unknown>)[name];
  if (named !== undefined) return named as T;
  const fromDefault = ((module as { default?: Record<string, unknown> }).default ?? {})[name];
  if (fromDefault === undefined) throw new TypeError(`The installed package has no export "${name}"`);
  return fromDefault as T;
}

/** The fields drivers put on their errors, read without trusting the shape of what was thrown. */
export interface ErrorFields {
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  fatal?: unknown;
  /** PostgreSQL's: ERROR, FATAL or PANIC. */
  severity?: unknown;
  message?: unknown;
}

export function fieldsOf(error: unknown): ErrorFields {
  return typeof error === 'object' && error !== null ? (error as ErrorFields) : {};
}

const socketCodes = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ENOTCONN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

/** A Node socket error: whatever the database said before, this connection cannot be used again. */
export function isSocketError(error: unknown): boolean {
  const { code } = fieldsOf(error);
  return typeof code === 'string' && socketCodes.has(code);
}
