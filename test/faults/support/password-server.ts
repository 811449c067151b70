import net from 'node:net';
import { once } from 'node:events';

/**
 * Just enough of the PostgreSQL wire protocol to ask for a cleartext password and refuse it
 * (SQLSTATE 28P01): the local server trusts every loopback login, so this is how a test gets a real
 * "password authentication failed" with the password on the wire. Records the passwords it got.
 */
export class PasswordServer {
  readonly host = '127.0.0.1';
  readonly passwords: string[] = [];
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  private constructor(server: net.Server) {
    this.#server = server;
  }

  static async start(): Promise<PasswordServer> {
    const server = net.createServer();
    const ps = new PasswordServer(server);
    server.on('connection', (socket) => ps.#serve(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return ps;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    const closed = once(this.#server, 'close');
    this.#server.close();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #serve(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.#sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    let started = false;
    let user = '';
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          const body = buffer.subarray(8, length);
          buffer = buffer.subarray(length);
          if (code === 80877103) {
            socket.write('N'); // SSLRequest: no TLS here; the client goes on in plain text
            continue;
          }
          const fields = body.toString('utf8').split('\0');
          user = fields[fields.indexOf('user') + 1] ?? '';
          started = true;
          socket.write(message('R', int32(3))); // AuthenticationCleartextPassword
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        const type = String.fromCharCode(buffer[0]!);
        const body = buffer.subarray(5, length + 1);
        buffer = buffer.subarray(length + 1);
        if (type !== 'p') continue;
        this.passwords.push(body.toString('utf8').replace(/\0$/, ''));
        const fields = ['SFATAL', 'VFATAL', 'C28P01', `Mpassword authentication failed for user "${user}"`].map((f) => `${f}\0`).join('');
        socket.end(message('E', Buffer.from(`${fields}\0`, 'utf8')));
        return;
      }
    });
  }
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}
