import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { InvalidOptionError } from '../../core/errors.js';

/** The bearer token a request carries: the Authorization header, else `?token=` (EventSource cannot set headers). */
export function tokenOf(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (m) return m[1];
  }
  return url.searchParams.get('token') ?? undefined;
}

/**
 * A check of the given token against the expected one in constant time: both are hashed first,
 * so neither the content nor the length of the secret leaks through timing.
 */
export function tokenChecker(expected: string | undefined): (given: string | undefined) => boolean {
  if (expected === undefined) return () => true;
  if (typeof expected !== 'string' || expected.length === 0) throw new InvalidOptionError('token', expected, 'a non-empty string');
  const want = createHash('sha256').update(expected).digest();
  return (given) => given !== undefined && timingSafeEqual(createHash('sha256').update(given).digest(), want);
}
