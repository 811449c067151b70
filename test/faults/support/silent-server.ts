import net from 'node:net';
import { once } from 'node:events';

/**
 * A TCP server on 127.0.0.1 that accepts every connection and never says a word: the host that
 * is up but whose database hangs (pg-pool's connection-timeout test uses the same trick).
 */
export class SilentServer {
  readonly host = '127.0.0.1';
  /** Connections accepted so far. */
  accepted = 0;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  private constructor(server: net.Server) {
    this.#server = server;
  }

  static async start(): Promise<SilentServer> {
    const server = net.createServer();
    const silent = new SilentServer(server);
    server.on('connection', (socket) => {
      silent.accepted++;
      silent.#sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => silent.#sockets.delete(socket));
      // Read and drop whatever the client sends, so its writes never back up.
      socket.resume();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return silent;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Client sockets still open: a pool that gave up on a connect must have closed its socket. */
  get open(): number {
    return this.#sockets.size;
  }

  async close(): Promise<void> {
    const closed = once(this.#server, 'close');
    this.#server.close();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}
