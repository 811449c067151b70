import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { HavuzError } from '../../src/core/errors.js';
import { Pool } from '../../src/core/pool.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { FakeFactory } from '../support/fake-factory.js';
import { quiesce } from './support/load.js';
import { appName, BackendWatcher, PG_URL, reachable, skipUnless, withParams } from './support/postgres.js';

/**
 * Far more callers than connections: waiters are served in arrival order, the ones past
 * `maxWaiters` are turned away at once, the rest time out on schedule, memory per waiter is small
 * and bounded by the cap, and the pool is healthy afterwards.
 */

type Outcome = { kind: 'served'; order: number } | { kind: 'error'; code: string; afterMs: number; at: number };

const run = promisify(execFile);

describe('overload: 10,000 callers on a pool of 10 (core pool, fake async factory)', { timeout: 60_000 }, () => {
  test('FIFO service, QueueFullError past maxWaiters at once, timeouts on schedule, healthy after', async () => {
    const REQUESTS = 10_000;
    const MAX_WAITERS = 5_000;
    // Longer than the calling loop itself takes (~0.5 s here), so only waiting can make one time out.
    const TIMEOUT_MS = 2_000;
    const factory = new FakeFactory();
    const pool = new Pool(factory, { size: 10, maxWaiters: MAX_WAITERS, acquireTimeoutMs: TIMEOUT_MS });
    const outcomes: Outcome[] = new Array(REQUESTS);
    const served: number[] = [];
    const servedAt: number[] = [];
    const started = performance.now();
    const all = Array.from({ length: REQUESTS }, (_, i) => {
      const calledAt = performance.now();
      return pool
        .use(async () => {
          outcomes[i] = { kind: 'served', order: served.push(i) - 1 };
          servedAt.push(performance.now());
          // Hold the connection like a short query: 10 connections cannot serve 5,000 callers in time.
          await new Promise((resolve) => setTimeout(resolve, 5));
        })
        .catch((error: unknown) => {
          assert.ok(error instanceof HavuzError, `untyped: ${String(error)}`);
          const at = performance.now();
          outcomes[i] = { kind: 'error', code: error.code, afterMs: at - calledAt, at };
        });
    });
    const calledAllMs = performance.now() - started;
    await Promise.all(all);

    const full = outcomes.filter((o) => o.kind === 'error' && o.code === 'HAVUZ_QUEUE_FULL') as Extract<Outcome, { kind: 'error' }>[];
    const timedOut = outcomes.filter((o) => o.kind === 'error' && o.code === 'HAVUZ_ACQUIRE_TIMEOUT') as Extract<Outcome, { kind: 'error' }>[];
    const other = outcomes.filter((o) => o.kind === 'error' && o.code !== 'HAVUZ_QUEUE_FULL' && o.code !== 'HAVUZ_ACQUIRE_TIMEOUT');
    assert.deepEqual(other, []);
    // Everyone past the cap is turned away; nobody within it is. The first 10 are served by the
    // connections opened for them: maxWaiters counts those who wait for a busy one.
    assert.equal(full.length, REQUESTS - MAX_WAITERS - 10);
    for (let i = MAX_WAITERS + 10; i < REQUESTS; i++) assert.equal((outcomes[i] as any).code, 'HAVUZ_QUEUE_FULL', `request ${i}`);
    // Turned away at once: within the time it took to make the calls, not after a wait.
    const slowestReject = Math.max(...full.map((o) => o.afterMs));
    assert.ok(slowestReject < calledAllMs + 100, `a QueueFullError took ${Math.round(slowestReject)} ms`);
    // FIFO: callers are served in the order they came, and a caller is passed over only once it
    // has timed out. Service and timeouts interleave at the boundary (later callers' deadlines are
    // later), so the served ones need not be a prefix, but never may one overtake a live waiter.
    const k = served.length;
    assert.ok(k >= 10 && k < MAX_WAITERS, `${k} served; the test wants some to time out`);
    assert.ok(calledAllMs < TIMEOUT_MS * 0.6, `making the calls took ${Math.round(calledAllMs)} ms`);
    const firstOutOfOrder = served.findIndex((v, i) => i > 0 && v <= served[i - 1]!);
    assert.equal(firstOutOfOrder, -1, `served out of arrival order at ${firstOutOfOrder}: ${served.slice(firstOutOfOrder - 3, firstOutOfOrder + 3).join(', ')}`);
    let overtaken = 0;
    // served is increasing and so is servedAt: the first later caller served is the earliest one.
    for (let j = 0, n = 0; j < MAX_WAITERS; j++) {
      while (n < k && served[n]! <= j) n++;
      const o = outcomes[j]!;
      // j timed out after a later caller got a connection (2 ms for callback lag): j was overtaken.
      if (o.kind === 'error' && n < k && servedAt[n]! < o.at - 2) overtaken++;
    }
    assert.equal(overtaken, 0, `${overtaken} waiters were overtaken while still waiting`);
    assert.equal(k + timedOut.length, MAX_WAITERS + 10);
    for (const o of timedOut) {
      assert.ok(o.afterMs >= TIMEOUT_MS - 5 && o.afterMs < TIMEOUT_MS + 1_000, `timed out after ${Math.round(o.afterMs)} ms`);
    }
    process.stderr.write(
      `overload (core): ${k} served in order, ${timedOut.length} timed out at ${TIMEOUT_MS} ms, ${full.length} rejected ` +
        `(slowest rejection ${Math.round(slowestReject)} ms after its call; making the ${REQUESTS} calls took ${Math.round(calledAllMs)} ms)\n`,
    );

    // Healthy after: nothing in use or waiting, never more than 10 open, and it still serves.
    const s = await quiesce(() => pool.status());
    assert.deepEqual([s.inUse, s.pending, s.connecting], [0, 0, 0]);
    assert.ok(factory.maxOpen <= 10, `${factory.maxOpen} connections open at once`);
    assert.equal(s.counters.rejected, REQUESTS - MAX_WAITERS - 10);
    assert.equal(s.counters.timeouts, timedOut.length);
    await pool.use(() => undefined);
    await pool.close();
    assert.equal(factory.open, 0);
  });

  test('memory: bytes per waiter, and no growth past maxWaiters (child process with --expose-gc)', { timeout: 30_000 }, async () => {
    const script = fileURLToPath(new URL('./support/waiter-memory.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', script, '50000'], { timeout: 25_000 });
    const m = JSON.parse(stdout.trim()) as {
      waiters: number;
      bytesPerWaiter: number;
      barePromiseBytes: number;
      growthPastCapBytes: number;
      rejected: number;
    };
    process.stderr.write(
      `FIGURE bytes_per_waiter=${Math.round(m.bytesPerWaiter)} (of which a bare pending promise ${Math.round(m.barePromiseBytes)}; ` +
        `${m.waiters} waiters; ${m.rejected} more past the cap grew the heap by ${Math.round(m.growthPastCapBytes / 1024)} KiB)\n`,
    );
    assert.equal(m.rejected, m.waiters);
    // A waiter is one list node, its promise and two closures: well under a kilobyte.
    assert.ok(m.bytesPerWaiter < 1_000, `${m.bytesPerWaiter} bytes per waiter`);
    // Past the cap nothing is kept: far less than one byte per rejected call... allow 8 for GC noise.
    assert.ok(m.growthPastCapBytes < m.waiters * 8, `heap grew ${m.growthPastCapBytes} bytes past the cap`);
  });
});

const up = await reachable(PG_URL);

describe('overload on the real PostgreSQL through the engine', { ...skipUnless(up, 'PostgreSQL'), timeout: 60_000 }, () => {
  const engines: Engine[] = [];
  after(async () => {
    await Promise.all(engines.map((e) => e.close({ timeoutMs: 1_000 })));
  });

  test('1,000 callers, size 10, maxWaiters 300: FIFO, QueueFullError at once, at most 10 backends, healthy after', { timeout: 30_000 }, async () => {
    const REQUESTS = 1_000;
    const MAX_WAITERS = 300;
    const app = appName('overload');
    const engine = createEngine(withParams(PG_URL, { application_name: app }), { size: 10, maxWaiters: MAX_WAITERS, acquireTimeoutMs: 10_000 });
    engines.push(engine);
    const watcher = new BackendWatcher(PG_URL, [app], 10);
    const served: number[] = [];
    const codes = new Map<string, number>();
    try {
      await Promise.all(
        Array.from({ length: REQUESTS }, async (_, i) => {
          try {
            const conn = await engine.connect();
            served.push(i);
            try {
              const { rows } = await conn.query<{ i: number }>('SELECT $1::int AS i', [i]);
              assert.equal(rows[0]?.i, i);
            } finally {
              conn.release();
            }
          } catch (error) {
            assert.ok(error instanceof HavuzError, `untyped: ${String(error)}`);
            codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          }
        }),
      );
    } finally {
      await watcher.stop();
    }
    // 10 get the connections opened for them and 300 wait for one of those: the rest are turned away.
    assert.deepEqual(Object.fromEntries(codes), { HAVUZ_QUEUE_FULL: REQUESTS - MAX_WAITERS - 10 });
    assert.deepEqual(served, Array.from({ length: MAX_WAITERS + 10 }, (_, i) => i), 'served out of arrival order');
    assert.ok(watcher.max <= 10, `${watcher.max} backends open at once`);
    const s = await quiesce(() => engine.status());
    assert.deepEqual([s.inUse, s.pending, s.connecting], [0, 0, 0]);
    assert.ok(s.size <= 10);
    assert.equal((await engine.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n, 1);
  });
});
