import { InvalidOptionError } from './errors.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/**
 * pino's shape, so a pino logger (or a child of one) is passed as it is: fields first, then the
 * message. Bunyan and console take the same call (console prints the fields, then the message).
 * A level the logger lacks is skipped; havuz logs pool trouble at warn, and event chatter
 * (`echoPool`) and statements (`echo`) at debug.
 */
export interface Logger {
  debug?: LogMethod;
  info?: LogMethod;
  warn?: LogMethod;
  error?: LogMethod;
}

/** The option check: an object with at least one level method, every level present a function. */
export function checkLogger(value: unknown): string | undefined {
  const expected = 'a logger with debug/info/warn/error(fields, message) methods, such as pino';
  if (typeof value !== 'object' || value === null) return expected;
  let any = false;
  for (const level of LOG_LEVELS) {
    const method = (value as Record<string, unknown>)[level];
    if (method === undefined) continue;
    if (typeof method !== 'function') return expected;
    any = true;
  }
  return any ? undefined : expected;
}

export function assertLogger(option: string, value: unknown): Logger {
  const expected = checkLogger(value);
  if (expected !== undefined) throw new InvalidOptionError(option, value, expected);
  return value as Logger;
}

/**
 * Writes one line. Every line carries `havuz: true`, so it can be filtered out of an app's own
 * logs. A logger that throws is the user's bug, but it must not break the pool's bookkeeping:
 * the throw is swallowed here, and the pool goes on.
 */
export function log(logger: Logger | undefined, level: LogLevel, fields: Record<string, unknown>, message: string): void {
  const method = logger?.[level];
  if (method === undefined) return;
  try {
    method.call(logger, { havuz: true, ...fields }, message);
  } catch {
    // nothing sensible to do: reporting it would call the same logger again
  }
}
