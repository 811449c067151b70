import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { HavuzError } from '../../src/core/errors.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import { FaultProxy } from './support/fault-proxy.js';
import { bounded, quiesce } from './support/load.js';
import { appName, PG_URL, reachable, skipUnless, withParams } from './support/postgres.js';
import { SilentServer } from './support/silent-server.js';

/**
 * Network faults between the pool and PostgreSQL, through the fault proxy: a connect that stalls,
 * a connection that falls into a black hole mid-query, a reset, a server that never answers.
 * Every call ends within its configured timeout with a havuz error, and nothing leaks.
 */

/** The postgres driver asks the server to cancel, then waits this long before dropping the socket. */
const CANCEL_GRACE_MS = 2_000;
const SLACK_MS = 750;

/** Polls (bounded) until `read()` returns `want`; returns the last value read. */
async function until<T>(read: () => T, want: T, timeoutMs = 5_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let value = read();
  while (value !== want && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = read();
  }
  return value;
}

/** Runs `call`, bounded by `boundMs`; asserts it failed with a havuz error; returns it and how long it took. */
async function failure(call: Promise<unknown>, boundMs: number): Promise<{ error: HavuzError; ms: number }> {
  const started = performance.now();
  const result = await bounded(call, boundMs);
  const ms = performance.now() - started;
  assert.ok(!result.hang, `still pending after ${boundMs} ms: the call is not bounded`);
  assert.ok('error' in result && result.error !== undefined, 'expected a failure, got a result');
  assert.ok(result.error instanceof HavuzError, `not a havuz error: ${String(result.error)}`);
  return { error: result.error, ms };
}

const up = await reachable(PG_URL);

describe('network faults through a TCP proxy', { ...skipUnless(up, 'PostgreSQL'), timeout: 60_000 }, () => {
  const engines: Engine[] = [];
  const target = new URL(PG_URL);
  let proxy: FaultProxy;
  const open = (label: string, options: EngineOptions = {}): Engine => {
    const engine = createEngine(withParams(proxy.url(PG_URL), { application_name: appName(`net_${label}`) }), {
      size: 2,
      acquireTimeoutMs: 2_000,
      createTimeoutMs: 300,
      ...options,
    });
    engines.push(engine);
    return engine;
  };

  // A proxy per test, so its connection count is that test's alone.
  beforeEach(async () => {
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  });
  afterEach(async () => {
    proxy.pass();
    await Promise.all(engines.splice(0).map((e) => bounded(e.close({ timeoutMs: 500 }), 1_500)));
    await proxy.close();
  });

  test('a connect that stalls: createTimeoutMs fires and the acquire fails fast with ConnectError; nothing leaks', async () => {
    proxy.pass();
    const engine = open('stall_connect');
    proxy.stall();
    const { error, ms } = await failure(engine.query('SELECT 1'), 5_000);
    assert.equal(error.code, 'HAVUZ_CREATE_FAILED', error.message);
    assert.match(error.message, /timed out/);
    assert.ok(ms >= 250 && ms <= 300 + SLACK_MS, `failed after ${Math.round(ms)} ms; createTimeoutMs is 300`);
    // The stalled socket is closed, not left half open.
    assert.equal(await until(() => proxy.open, 0), 0, 'the stalled connection was left open');
    const s = await quiesce(() => engine.status());
    assert.deepEqual([s.size, s.inUse, s.connecting, s.pending], [0, 0, 0, 0]);
    proxy.pass();
    // Backoff after the failure: the next connect may wait up to createBackoffMs.
    const { rows } = await engine.query<{ n: number }>('SELECT 1 AS n');
    assert.equal(rows[0]?.n, 1);
  });

  test('a connect that stalls with failFast off: the acquire fails at acquireTimeoutMs with PoolTimeoutError, connects backed off', async () => {
    proxy.pass();
    const engine = open('stall_wait', { failFast: false, acquireTimeoutMs: 1_200 });
    proxy.stall();
    const acceptedBefore = proxy.accepted;
    const { error, ms } = await failure(engine.query('SELECT 1'), 5_000);
    assert.equal(error.code, 'HAVUZ_ACQUIRE_TIMEOUT', error.message);
    assert.match(error.message, /last connect error: .*timed out/);
    assert.ok(ms >= 1_150 && ms <= 1_200 + SLACK_MS, `failed after ${Math.round(ms)} ms; acquireTimeoutMs is 1200`);
    // Each try takes createTimeoutMs (300) plus a backoff: a handful, not a storm.
    const tries = proxy.accepted - acceptedBefore;
    assert.ok(tries >= 2 && tries <= 6, `${tries} connects in 1.2 s`);
    assert.equal(await until(() => proxy.open, 0), 0, 'a stalled connection was left open');
    proxy.pass();
    assert.equal((await engine.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n, 1);
    const s = await quiesce(() => engine.status());
    assert.equal(s.inUse, 0);
  });

  for (const fault of ['blackhole', 'stall'] as const) {
    test(`${fault} mid-query: statementTimeoutMs bounds the query on the client side; the connection is dropped, not reused`, async () => {
      proxy.pass();
      const engine = open(`${fault}_query`, { statementTimeoutMs: 500 });
      const conn = await engine.connect();
      const { rows } = await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0]!.pid;
      if (fault === 'blackhole') proxy.blackhole();
      else proxy.stall();
      // A server-side statement_timeout cannot answer through a dead network: only the client can end this.
      const { error, ms } = await failure(conn.query('SELECT 1'), 500 + CANCEL_GRACE_MS + 5_000);
      assert.ok(
        error.code === 'HAVUZ_STATEMENT_TIMEOUT' || error.code === 'HAVUZ_CONNECTION_LOST',
        `${error.code}: ${error.message}`,
      );
      assert.ok(ms <= 500 + CANCEL_GRACE_MS + SLACK_MS, `ended after ${Math.round(ms)} ms; statementTimeoutMs is 500`);
      process.stderr.write(`${fault} mid-query: ${error.code} after ${Math.round(ms)} ms: ${error.message}\n`);
      conn.release();
      const s = await quiesce(() => engine.status());
      assert.equal(s.inUse, 0, 'the stalled connection is still counted in use');
      assert.equal(s.size, 0, 'the stalled connection went back to the pool');
      assert.equal(await until(() => proxy.open, 0), 0, 'its socket was left open');
      proxy.pass();
      const next = await engine.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      assert.notEqual(next.rows[0]?.pid, pid);
    });
  }

  test('close() finishes while the network is a black hole (idle connections cannot say goodbye)', async () => {
    proxy.pass();
    const engine = open('blackhole_close');
    await Promise.all([engine.query('SELECT pg_sleep(0.05)'), engine.query('SELECT pg_sleep(0.05)')]);
    await quiesce(() => engine.status());
    assert.equal(engine.status().idle, 2);
    proxy.blackhole();
    const started = performance.now();
    const result = await bounded(engine.close({ timeoutMs: 500 }), 3_000);
    proxy.pass();
    assert.ok(
      !result.hang,
      'engine.close() did not finish within 3 s: the postgres dialect close() awaits pg Client.end(), ' +
        'which waits for the server to close the socket, and a partitioned server never does',
    );
    assert.ok(performance.now() - started < 3_000);
    assert.equal(await until(() => proxy.open, 0), 0);
  });

  test('a reset mid-query fails fast with ConnectionLostError; the next query runs on a new connection', async () => {
    proxy.pass();
    const engine = open('reset_query');
    const conn = await engine.connect();
    const pid = (await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const running = conn.query('SELECT pg_sleep(5)');
    await new Promise((resolve) => setTimeout(resolve, 50));
    proxy.reset();
    const { error, ms } = await failure(running, 3_000);
    assert.equal(error.code, 'HAVUZ_CONNECTION_LOST', error.message);
    assert.ok(ms < 1_000);
    conn.release();
    proxy.pass();
    const next = await engine.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    assert.notEqual(next.rows[0]?.pid, pid);
    assert.equal((await quiesce(() => engine.status())).inUse, 0);
  });

  test('an idle connection cut by the network is dropped before anyone gets it', async () => {
    proxy.pass();
    const engine = open('idle_cut');
    const first = (await engine.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await quiesce(() => engine.status());
    assert.equal(engine.status().idle, 1);
    proxy.cutAll();
    assert.equal(await until(() => engine.status().size, 0), 0, 'the pool kept a dead idle connection');
    const next = await engine.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    assert.notEqual(next.rows[0]?.pid, first);
  });

  test('a slow network (delay) only slows queries down', async () => {
    proxy.pass();
    const engine = open('delay');
    await engine.query('SELECT 1');
    proxy.delay(40);
    const started = performance.now();
    const { rows } = await engine.query<{ n: number }>('SELECT 1 AS n');
    assert.equal(rows[0]?.n, 1);
    assert.ok(performance.now() - started >= 70);
    proxy.pass();
  });
});

describe('a server that accepts and never answers', { timeout: 20_000 }, () => {
  let silent: SilentServer;
  before(async () => {
    silent = await SilentServer.start();
  });
  after(async () => {
    await silent.close();
  });

  test('the connect timeout fires, the acquire fails with ConnectError, and the socket is closed', async () => {
    const engine = createEngine(`postgres://nobody@127.0.0.1:${silent.port}/nothing`, { createTimeoutMs: 300, acquireTimeoutMs: 2_000 });
    try {
      const { error, ms } = await failure(engine.query('SELECT 1'), 5_000);
      assert.equal(error.code, 'HAVUZ_CREATE_FAILED', error.message);
      assert.ok(ms <= 300 + SLACK_MS, `failed after ${Math.round(ms)} ms`);
      assert.equal(silent.accepted, 1);
      assert.equal(await until(() => silent.open, 0), 0, 'the connect left its socket open');
      const s = engine.status();
      assert.deepEqual([s.size, s.inUse, s.connecting], [0, 0, 0]);
    } finally {
      const closed = await bounded(engine.close({ timeoutMs: 500 }), 3_000);
      assert.ok(!closed.hang, 'close() hung');
    }
  });
});
