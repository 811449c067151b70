/**
 * What havuz does to a driver's socket, which every driver keeps at a different place (pg:
 * `client.connection.stream`, mysql2: `connection.stream`, ioredis: `client.stream`).
 */
interface SocketLike {
  ref?(): unknown;
  unref?(): unknown;
  destroy?(): unknown;
}

/**
 * TCP keepalive starts probing a connection after it has been silent this long. The kernel then
 * gives a peer that never answers 9 probes 75 s apart (Linux's defaults, which Node cannot set
 * per socket), so a server or network that goes silent is found out within about 11.5 minutes,
 * and the query waiting on it fails with ConnectionLostError. statementTimeoutMs bounds it tighter.
 */
export const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

function isSocket(value: unknown): value is SocketLike {
  return typeof value === 'object' && value !== null;
}

/**
 * An idle pooled connection must not keep the process alive (a script that forgets to close its
 * pool still exits); one in use must, or the process could exit with a query in flight.
 */
export function keepProcessAlive(socket: unknown, alive: boolean): void {
  if (!isSocket(socket)) return;
  if (alive) socket.ref?.();
  else socket.unref?.();
}

/** Cut the connection at once (a graceful close that got no answer, a statement that would not stop). */
export function destroySocket(socket: unknown): boolean {
  if (!isSocket(socket) || typeof socket.destroy !== 'function') return false;
  socket.destroy();
  return true;
}
