// installShutdownHandlers in this process: signals are delivered with process.emit (the real
// SIGTERM is in shutdown-load.test.ts), the order of the steps, the deadline, the exit code, a
// second signal, idempotence, removal, and an HTTP server's keep-alive connections.
import assert from 'node:assert/strict';
import { Agent, createServer, get } from 'node:http';
import { afterEach, test } from 'node:test';
import type { CloseOptions } from '../../src/core/contract.js';
import { installShutdownHandlers, type ShutdownHandle } from '../../src/manager/index.js';

const listeners = () => ({ SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT'), SIGHUP: process.listenerCount('SIGHUP') });
const baseline = listeners();
const handles: ShutdownHandle[] = [];
const savedExitCode = process.exitCode;

afterEach(() => {
  for (const h of handles.splice(0)) h.remove();
  process.exitCode = savedExitCode;
  assert.deepEqual(listeners(), baseline, 'no signal handler left behind');
});

/** A closable that records how it was closed, resolving when the test says (or at once). */
function closable(steps: string[], name: string, settle?: Promise<void>) {
  const calls: (CloseOptions | undefined)[] = [];
  return {
    calls,
    async close(options?: CloseOptions) {
      calls.push(options);
      steps.push(`close ${name}`);
      await settle;
    },
  };
}

function install(...args: Parameters<typeof installShutdownHandlers>): ShutdownHandle {
  const handle = installShutdownHandlers(...args);
  handles.push(handle);
  return handle;
}

test('SIGTERM: the stoppers first, then every target drained within what is left of the deadline; exit(0); handlers removed', async () => {
  const steps: string[] = [];
  const a = closable(steps, 'a');
  const b = closable(steps, 'b');
  const codes: number[] = [];
  let stopped!: () => void;
  const exited = new Promise<void>((resolve) => (stopped = resolve));
  const handle = install([a, b], {
    timeoutMs: 4_000,
    stop: [async () => void steps.push('stop server')],
    exit: (code) => {
      codes.push(code);
      stopped();
    },
  });
  assert.equal(process.listenerCount('SIGTERM'), baseline.SIGTERM + 1);
  process.emit('SIGTERM', 'SIGTERM');
  assert.equal(handle.state, 'shutting-down');
  await exited;
  assert.deepEqual(steps, ['stop server', 'close a', 'close b']);
  assert.deepEqual(codes, [0]);
  for (const c of [a, b]) {
    assert.equal(c.calls[0]!.drain, true);
    assert.ok(c.calls[0]!.timeoutMs! > 3_000 && c.calls[0]!.timeoutMs! <= 4_000, `the rest of the deadline: ${c.calls[0]!.timeoutMs}`);
  }
  assert.equal(handle.state, 'done');
  assert.deepEqual(listeners(), baseline, 'handlers removed once done');
  const result = await handle.shutdown();
  assert.equal(result.code, 0);
  assert.equal(result.signal, 'SIGTERM');
});

test('without an exit callback: process.exitCode is set, nothing exits', async () => {
  const handle = install(closable([], 'a'), { signals: ['SIGHUP'] });
  const result = await handle.shutdown();
  assert.equal(result.code, 0);
  assert.equal(process.exitCode, 0);
});

test('a stopper that outlives the deadline: the rest is cut, the targets closed with no time left, exit code 1', async () => {
  const steps: string[] = [];
  const target = closable(steps, 'db');
  const codes: number[] = [];
  const handle = install(target, { timeoutMs: 100, stop: [() => new Promise(() => undefined)], exit: (code) => codes.push(code) });
  const result = await handle.shutdown();
  assert.equal(result.timedOut, true);
  assert.equal(result.code, 1);
  assert.deepEqual(codes, [1]);
  assert.equal(target.calls[0]!.timeoutMs, 0);
});

test('a close that fails: exit code 1 and the error in the result; the other targets still close', async () => {
  const steps: string[] = [];
  const broken = { close: async () => Promise.reject(new Error('boom')) };
  const fine = closable(steps, 'fine');
  const result = await install([broken, fine], { exit: () => undefined }).shutdown();
  assert.equal(result.code, 1);
  assert.equal((result.errors[0] as Error).message, 'boom');
  assert.deepEqual(steps, ['close fine']);
});

test('idempotent: more calls and the same signal again while not forced share one shutdown; a second signal forces 128 + n', async () => {
  let release!: () => void;
  const target = closable([], 'db', new Promise<void>((resolve) => (release = resolve)));
  const codes: number[] = [];
  const handle = install(target, { exit: (code) => codes.push(code) });
  const first = handle.shutdown();
  assert.equal(handle.shutdown(), first, 'the same promise');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(target.calls.length, 1, 'closed once');
  process.emit('SIGINT', 'SIGINT'); // the second signal: forced
  assert.deepEqual(codes, [130]);
  assert.equal(handle.state, 'done');
  assert.deepEqual(listeners(), baseline);
  release();
  await first;
  assert.deepEqual(codes, [130], 'no second exit after the forced one');
});

test('remove() takes the handlers off (twice is fine); a removed handle does not shut down', async () => {
  const handle = install(closable([], 'db'), { signals: ['SIGTERM', 'SIGINT', 'SIGHUP'] });
  assert.equal(process.listenerCount('SIGHUP'), baseline.SIGHUP + 1);
  handle.remove();
  handle.remove();
  assert.deepEqual(listeners(), baseline);
  assert.equal(handle.state, 'removed');
  await assert.rejects(handle.shutdown(), { code: 'HAVUZ_INVALID_OPTION' });
});

test('an HTTP server with keep-alive clients: the request in flight is answered (Connection: close) and the server closes without waiting out keepAliveTimeout', async () => {
  let answer!: () => void;
  const server = createServer((request, response) => {
    if (request.url === '/1') response.end('first');
    else answer = () => response.end('done');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const steps: string[] = [];
  const handle = install(closable(steps, 'db'), { stop: [server], timeoutMs: 5_000, exit: () => undefined });
  const agent = new Agent({ keepAlive: true });
  // One finished request leaves an idle kept-alive socket; the second is in flight at SIGTERM.
  await new Promise<void>((resolve) => get({ port, agent, path: '/1' }, (r) => r.resume().on('end', resolve)));
  const inFlight = new Promise<{ body: string; connection: string | undefined }>((resolve) => {
    get({ port, agent, path: '/2' }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d)).on('end', () => resolve({ body, connection: r.headers.connection }));
    });
  });
  await new Promise<void>((resolve) => server.once('request', () => resolve()));
  const started = performance.now();
  const done = handle.shutdown();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(steps, [], 'the databases wait for the server');
  answer();
  assert.deepEqual(await inFlight, { body: 'done', connection: 'close' });
  const result = await done;
  assert.equal(result.code, 0);
  assert.ok(performance.now() - started < 2_000, 'not held by the keep-alive sockets');
  assert.equal(server.listening, false);
  assert.deepEqual(steps, ['close db']);
  agent.destroy();
});

test('bad input: a coded error naming the option', () => {
  const t = closable([], 'db');
  assert.throws(() => installShutdownHandlers({} as never), { code: 'HAVUZ_INVALID_OPTION', message: /target/ });
  assert.throws(() => installShutdownHandlers([t, 5] as never), { code: 'HAVUZ_INVALID_OPTION', message: /target\[1\]/ });
  assert.throws(() => installShutdownHandlers(t, { signals: ['SIGNOPE'] as never }), { code: 'HAVUZ_INVALID_OPTION', message: /SIGNOPE/ });
  assert.throws(() => installShutdownHandlers(t, { timeoutMs: Infinity }), { code: 'HAVUZ_INVALID_OPTION', message: /timeoutMs/ });
  assert.throws(() => installShutdownHandlers(t, { timeout: 5 } as never), { code: 'HAVUZ_INVALID_OPTION', message: /timeout/ });
  assert.throws(() => installShutdownHandlers(t, { stop: [42 as never] }), { code: 'HAVUZ_INVALID_OPTION', message: /stop\[0\]/ });
  assert.throws(() => installShutdownHandlers(t, { exit: 'process.exit' as never }), { code: 'HAVUZ_INVALID_OPTION', message: /exit/ });
  assert.deepEqual(listeners(), baseline, 'a refused install leaves nothing behind');
});

test("a Fastify app in `stop`: its request in flight is answered, its onClose hooks run, then the databases close", async () => {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  const steps: string[] = [];
  let answer!: () => void;
  app.get('/slow', () => new Promise<string>((resolve) => (answer = () => resolve('done'))));
  app.addHook('onClose', async () => void steps.push('fastify onClose'));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const handle = install(closable(steps, 'db'), { stop: [app], timeoutMs: 5_000, exit: () => undefined });
  const agent = new Agent({ keepAlive: true });
  const inFlight = new Promise<{ body: string; connection: string | undefined }>((resolve) => {
    get({ port, agent, path: '/slow' }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d)).on('end', () => resolve({ body, connection: r.headers.connection }));
    });
  });
  await new Promise<void>((resolve) => app.server.once('request', () => setImmediate(resolve)));
  const started = performance.now();
  const done = handle.shutdown();
  answer();
  assert.deepEqual(await inFlight, { body: 'done', connection: 'close' });
  assert.equal((await done).code, 0);
  assert.ok(performance.now() - started < 2_000, "not held by Fastify's 72 s keep-alive");
  assert.deepEqual(steps, ['fastify onClose', 'close db']);
  agent.destroy();
});
