import { redactUrlsIn } from '../engine/redact.js';

/** Exit codes: 0 done, 1 a bug in havuz, 2 bad input (including an unreachable database or failing SQL), 130/143 interrupted. */
export const EXIT = { ok: 0, bug: 1, usage: 2 } as const;

/** A driver error's own code (SQLSTATE, MySQL's ER_*) if it has one. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && !code.startsWith('HAVUZ_') ? code : undefined;
}

function causeOf(error: unknown): unknown {
  let e = error;
  while (e instanceof Error && (e as { code?: string }).code?.startsWith('HAVUZ_') && e.cause !== undefined) e = e.cause;
  return e;
}

/** The message of an error (following havuz's wrappers to the driver's error), on one line. */
export function describeError(error: unknown): string {
  const cause = causeOf(error);
  const aggregate = cause instanceof AggregateError ? cause.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ') : '';
  const message = cause instanceof Error ? cause.message || aggregate || cause.name : String(cause);
  const code = codeOf(cause);
  return oneLine(`${message}${code && !message.includes(code) ? ` (${code})` : ''}`);
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Never print a password: redact URLs and scrub the known secrets from any text we print. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = redactUrlsIn(text);
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}
