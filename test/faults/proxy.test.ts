import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FaultProxy } from './support/fault-proxy.js';
import { SilentServer } from './support/silent-server.js';

/** The test tools themselves: each fault does what it says, and nothing is left open after. */

function echoServer(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function dial(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/** Resolves with the first data chunk, or undefined when none arrives within `ms`. */
function firstData(socket: net.Socket, ms: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('data', onData);
      resolve(undefined);
    }, ms);
    const onData = (chunk: Buffer): void => {
      clearTimeout(timer);
      resolve(chunk.toString());
    };
    socket.once('data', onData);
  });
}

function closedWithin(socket: net.Socket, ms: number): Promise<{ closed: boolean; error?: string }> {
  return new Promise((resolve) => {
    let error: string | undefined;
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
    const timer = setTimeout(() => resolve({ closed: false }), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, error });
    });
  });
}

describe('fault proxy and silent server', { timeout: 20_000 }, () => {
  let echo: net.Server;
  let proxy: FaultProxy;
  const sockets: net.Socket[] = [];
  const open = async (): Promise<net.Socket> => {
    const s = await dial(proxy.port);
    sockets.push(s);
    return s;
  };

  before(async () => {
    echo = await echoServer();
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port });
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  test('binds loopback on a random port', () => {
    assert.equal(proxy.host, '127.0.0.1');
    assert.ok(proxy.port > 0);
    assert.equal(proxy.url('postgres://u:p@db.example:5432/x?a=1'), `postgres://u:p@127.0.0.1:${proxy.port}/x?a=1`);
  });

  test('pass forwards both ways', async () => {
    proxy.pass();
    const s = await open();
    s.write('hello');
    assert.equal(await firstData(s, 2_000), 'hello');
  });

  test('delay holds each chunk for the given time', async () => {
    proxy.delay(150);
    const s = await open();
    const started = Date.now();
    s.write('slow');
    assert.equal(await firstData(s, 3_000), 'slow');
    // 150 ms on the way up and again on the way down.
    assert.ok(Date.now() - started >= 280, `answered after ${Date.now() - started} ms`);
    proxy.pass();
  });

  test('stall accepts but answers nothing; bytes flow again on pass', async () => {
    proxy.stall();
    const accepted = proxy.accepted;
    const s = await open();
    assert.equal(proxy.accepted, accepted + 1);
    s.write('held');
    assert.equal(await firstData(s, 200), undefined);
    const answer = firstData(s, 2_000);
    proxy.pass();
    assert.equal(await answer, 'held');
  });

  test('blackhole swallows bytes and FINs both ways, keeping the socket open', async () => {
    proxy.pass();
    const s = await open();
    s.write('ping');
    assert.equal(await firstData(s, 2_000), 'ping');
    proxy.blackhole();
    s.write('lost');
    assert.equal(await firstData(s, 200), undefined);
    s.end();
    assert.deepEqual(await closedWithin(s, 300), { closed: false });
    proxy.pass();
    s.destroy();
  });

  test('reset cuts existing connections with RST, and new ones on accept', async () => {
    proxy.pass();
    const s = await open();
    const closing = closedWithin(s, 2_000);
    proxy.reset();
    assert.deepEqual(await closing, { closed: true, error: 'ECONNRESET' });
    const late = net.connect(proxy.port, '127.0.0.1');
    const lateClosed = closedWithin(late, 2_000);
    assert.equal((await lateClosed).closed, true);
    proxy.pass();
  });

  test('cutAll closes every open connection and the count returns to zero', async () => {
    proxy.pass();
    const a = await open();
    const b = await open();
    const closed = Promise.all([closedWithin(a, 2_000), closedWithin(b, 2_000)]);
    assert.ok(proxy.open >= 2);
    proxy.cutAll();
    assert.deepEqual((await closed).map((c) => c.closed), [true, true]);
    assert.equal(proxy.open, 0);
  });

  test('the silent server accepts, never answers, and closes cleanly', async () => {
    const silent = await SilentServer.start();
    const s = await dial(silent.port);
    s.write('anyone?');
    assert.equal(await firstData(s, 200), undefined);
    assert.equal(silent.accepted, 1);
    const closed = closedWithin(s, 2_000);
    await silent.close();
    assert.equal((await closed).closed, true);
  });

  test('close() leaves no listening or connected handle behind', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
    const p = await FaultProxy.start({ host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port });
    const s = await dial(p.port);
    s.write('x');
    await firstData(s, 2_000);
    p.blackhole();
    const closed = closedWithin(s, 2_000);
    await p.close();
    await closed;
    // The echo server's side of the upstream socket goes away on its own tick.
    const deadline = Date.now() + 2_000;
    while (process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length > before && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    // At most as many as before (sockets of earlier tests may have finished closing meanwhile).
    assert.ok(process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length <= before);
  });
});
