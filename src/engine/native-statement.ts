/**
 * The statement text and parameters of a driver-native call, for echo, metrics and tracers:
 * pg's `(text | { text, values }, values?)` and mysql2's `(sql | { sql, values }, values?)`.
 */
export function describeNative(args: readonly unknown[]): { sql: string; params: readonly unknown[] | undefined } {
  const [first, second] = args;
  if (typeof first === 'string') return { sql: first, params: Array.isArray(second) ? second : undefined };
  if (typeof first !== 'object' || first === null) return { sql: String(first), params: undefined };
  const config = first as { text?: unknown; sql?: unknown; values?: unknown };
  const sql = typeof config.text === 'string' ? config.text : typeof config.sql === 'string' ? config.sql : '';
  return { sql, params: Array.isArray(second) ? second : Array.isArray(config.values) ? config.values : undefined };
}
