import { connect, type Socket } from 'node:net';

/** Where the backend runs and the key the server gave this connection at startup. */
export interface CancelTarget {
  host: string;
  port: number;
  processID: number | null;
  secretKey: number | null;
}

const cancelRequestCode = 80877102;

/**
 * Sends PostgreSQL's CancelRequest on a fresh socket and resolves once the server closed it, which
 * it does after signalling the backend. Written here (16 bytes) rather than borrowed from pg's
 * internals; like pg's own cancel it skips TLS, which the server does not require for this message.
 */
export function sendCancel(target: CancelTarget, timeoutMs: number): Promise<void> {
  const { processID, secretKey } = target;
  if (processID === null || secretKey === null) return Promise.reject(new Error('No cancel key for this connection'));
  return new Promise((resolve, reject) => {
    const socket: Socket = target.host.startsWith('/')
      ? connect({ path: `${target.host}/.s.PGSQL.${target.port}` })
      : connect({ host: target.host, port: target.port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`Cancel request got no answer in ${timeoutMs} ms`)));
    socket.once('connect', () => {
      const message = Buffer.alloc(16);
      message.writeInt32BE(16, 0);
      message.writeInt32BE(cancelRequestCode, 4);
      message.writeInt32BE(processID, 8);
      message.writeInt32BE(secretKey, 12);
      socket.write(message);
    });
    socket.once('error', reject);
    socket.once('close', (hadError) => {
      if (!hadError) resolve();
    });
    // The server never answers a cancel; reading lets 'close' fire when it hangs up.
    socket.resume();
  });
}
