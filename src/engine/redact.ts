import { HavuzError, messageOf } from '../core/errors.js';

/** Query-string keys whose values are secrets in any driver's URL. */
const SECRET_PARAMS = /^(password|pass|pwd|secret|token|sslpassword|sslkey|auth_token|api_key)$/i;

/**
 * The URL with its password (and secret query parameters) replaced by `***`. Works on malformed
 * URLs too, since those are exactly the ones that end up in error messages.
 */
export function redactUrl(url: string): string {
  let out = redactParsed(url) ?? redactRaw(url);
  out = out.replace(/([?&])([^=&#]+)=([^&#]*)/g, (m, sep: string, key: string) =>
    SECRET_PARAMS.test(decodeSafe(key)) ? `${sep}${key}=***` : m,
  );
  return out;
}

/** A URL that parses: the parser already knows where the password is. */
function redactParsed(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  // No userinfo seen: either there is none, or an unencoded '#', '?' or '/' in the password fooled
  // the parser (`user:12#34@host` parses as port 12). Only the raw scan is safe then.
  if (parsed.username === '' && parsed.password === '') return url.includes('@') ? undefined : url;
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

function redactRaw(url: string): string {
  // Userinfo runs to the LAST '@': a password may itself hold '@', '/', '?' or '#' (valid when
  // encoded, common when not), and stopping early would print the rest of it.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)(.*)@/is, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon === -1 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

/** Every URL inside a text (an error message, a stack) redacted, the rest as it was. */
export function redactUrlsIn(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"']+/gi, (url) => redactUrl(url));
}

/** An error as one line safe to show (a page, a health report): its message, every URL in it redacted, at most 300 characters. */
export function shownMessage(reason: unknown): string {
  return redactUrlsIn(messageOf(reason)).replace(/\s+/g, ' ').slice(0, 300);
}

/** An error as a health report or page shows it: havuz's code (else the driver's, such as `ECONNREFUSED` or `28P01`) and shownMessage. */
export function shownError(error: unknown): { code: string | undefined; message: string } {
  const code = error instanceof HavuzError ? error.code : (error as { code?: unknown } | null)?.code;
  return { code: typeof code === 'string' ? code : undefined, message: shownMessage(error) };
}

/** Removes every occurrence of a secret from a message (drivers sometimes echo what they were given). */
export function scrub(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length === 0) return text;
  return text.split(secret).join('***');
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
