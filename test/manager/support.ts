// Helpers for the manager's tests.
import { createServer } from 'node:net';

/** A loopback port nothing listens on: bound by the OS, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A URL with its port replaced by one nothing listens on. */
export async function unreachable(url: string): Promise<string> {
  const u = new URL(url);
  u.port = String(await closedPort());
  return u.toString();
}
