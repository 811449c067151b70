/** Query-string keys whose values are secrets in any driver's URL. */
const SECRET_PARAMS = /^(password|pass|pwd|secret|token|sslpassword|sslkey|auth_token|api_key)$/i;

/**
 * The URL with its password (and secret query parameters) replaced by `***`. Works on malformed
 * URLs too, since those are exactly the ones that end up in error messages.
 */
export function redactUrl(url: string): string {
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon === -1 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
  out = out.replace(/([?&])([^=&#]+)=([^&#]*)/g, (m, sep: string, key: string) =>
    SECRET_PARAMS.test(decodeSafe(key)) ? `${sep}${key}=***` : m,
  );
  return out;
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
