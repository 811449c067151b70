// MongoDB through the official driver. There is no MongoDB server here: these tests run the real
// driver (its pool, its CMAP events, its errors) against a fake server on loopback that speaks
// enough of the wire protocol, and feed the driver's own CMAP event objects to the mapping.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as mongodb from 'mongodb';
import { CmapPool, MongoDatabase, type CmapEventName } from '../../src/manager/index.js';
import { resolvePoolOptions } from '../../src/core/options.js';
import { Pool } from '../../src/core/pool.js';
import { mongoFactory } from '../../src/drivers/mongodb/factory.js';
import { checkHealth, MetricsRegistry, PoolCollector } from '../../src/monitor/index.js';
import { FakeMongo } from './fake-mongo.js';
import { closedPort } from './support.js';

type Db = mongodb.Db;

describe("the CMAP mapping, fed the driver's own event objects", () => {
  // The event classes take the driver's pool and connection; these carry the fields they read.
  const driverPool = { address: '10.0.0.1:27017', options: { maxPoolSize: 4, minPoolSize: 0, maxConnecting: 2, maxIdleTimeMS: 0, waitQueueTimeoutMS: 0 } };
  const connection = (id: number) => ({ id, serviceId: undefined });
  const E = mongodb as unknown as Record<string, new (...args: any[]) => { name: CmapEventName }>;
  const feed = (pool: CmapPool, event: { name: CmapEventName }) => pool.observe(event.name, event as never);

  test('connects, checkouts, checkins, a timeout and closes become the status, events and histograms of a havuz pool', () => {
    const pool = new CmapPool('logs', resolvePoolOptions({ name: 'logs', size: 4 }));
    const collector = new PoolCollector(pool);
    const seen: string[] = [];
    for (const name of ['connect', 'checkout', 'checkin', 'close', 'timeout', 'connection-error'] as const) pool.on(name, () => seen.push(name));
    const created = performance.now() - 50;
    feed(pool, new E.ConnectionPoolCreatedEvent!(driverPool));
    feed(pool, new E.ConnectionCreatedEvent!(driverPool, connection(1)));
    assert.equal(pool.status().connecting, 1);
    feed(pool, new E.ConnectionReadyEvent!(driverPool, connection(1), created));
    feed(pool, new E.ConnectionCheckOutStartedEvent!(driverPool));
    feed(pool, new E.ConnectionCheckOutStartedEvent!(driverPool));
    assert.deepEqual(pick(pool.status()), { size: 1, idle: 1, inUse: 0, pending: 2, connecting: 0, max: 4 });
    feed(pool, new E.ConnectionCheckedOutEvent!(driverPool, connection(1), performance.now() - 30));
    assert.deepEqual(pick(pool.status()), { size: 1, idle: 0, inUse: 1, pending: 1, connecting: 0, max: 4 });
    feed(pool, new E.ConnectionCheckOutFailedEvent!(driverPool, 'timeout', performance.now() - 100));
    feed(pool, new E.ConnectionCheckedInEvent!(driverPool, connection(1)));
    feed(pool, new E.ConnectionClosedEvent!(driverPool, connection(1), 'idle'));
    const s = pool.status();
    assert.deepEqual(pick(s), { size: 0, idle: 0, inUse: 0, pending: 0, connecting: 0, max: 4 });
    assert.deepEqual(
      { created: s.counters.created, destroyed: s.counters.destroyed, acquired: s.counters.acquired, released: s.counters.released, timeouts: s.counters.timeouts },
      { created: 1, destroyed: 1, acquired: 1, released: 1, timeouts: 1 },
    );
    assert.deepEqual(seen, ['connect', 'checkout', 'timeout', 'checkin', 'close']);
    const m = collector.snapshot();
    assert.equal(m.connectMs.count, 1);
    assert.ok(m.connectMs.sumMs >= 49, `connect took the driver's durationMS (${m.connectMs.sumMs})`);
    assert.equal(m.waitMs.count, 1);
    assert.ok(m.waitMs.sumMs >= 29);
    assert.equal(m.useMs.count, 1);
    assert.deepEqual(m.closed, { 'idle-timeout': 1 });
    collector.stop();
  });

  test('a connection that closes before it was ready is a failed connect: unhealthy once nothing is open', async () => {
    const pool = new CmapPool('logs', resolvePoolOptions({ name: 'logs' }));
    const errors: unknown[] = [];
    pool.on('connection-error', (e) => errors.push(e.error));
    const collector = new PoolCollector(pool);
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:27017'), { code: 'ECONNREFUSED' });
    feed(pool, new E.ConnectionCreatedEvent!(driverPool, connection(7)));
    feed(pool, new E.ConnectionClosedEvent!(driverPool, connection(7), 'error', new mongodb.MongoNetworkError(refused.message, { cause: refused })));
    assert.equal(pool.status().counters.createErrors, 1);
    assert.equal(pool.status().connecting, 0);
    assert.match(String((errors[0] as Error).message), /ECONNREFUSED/);
    const report = await checkHealth(collector);
    assert.equal(report.status, 'unhealthy');
    assert.ok(report.reasons.some((r) => r.code === 'unreachable'));
    collector.stop();
  });

  test('close reasons: stale is invalidated, error is broken (reported), poolClosed is pool-closed', () => {
    const pool = new CmapPool('logs', resolvePoolOptions({ name: 'logs' }));
    const closed: string[] = [];
    const phases: string[] = [];
    pool.on('close', (e) => closed.push(e.reason));
    pool.on('connection-error', (e) => phases.push(e.phase));
    for (const id of [1, 2, 3]) {
      feed(pool, new E.ConnectionCreatedEvent!(driverPool, connection(id)));
      feed(pool, new E.ConnectionReadyEvent!(driverPool, connection(id), performance.now()));
    }
    feed(pool, new E.ConnectionCheckedOutEvent!(driverPool, connection(2), performance.now()));
    feed(pool, new E.ConnectionClosedEvent!(driverPool, connection(1), 'stale'));
    feed(pool, new E.ConnectionClosedEvent!(driverPool, connection(2), 'error', new Error('socket hang up')));
    feed(pool, new E.ConnectionClosedEvent!(driverPool, connection(3), 'poolClosed'));
    assert.deepEqual(closed, ['invalidated', 'broken', 'pool-closed']);
    assert.deepEqual(phases, ['in-use']);
    assert.deepEqual(pick(pool.status()), { size: 0, idle: 0, inUse: 0, pending: 0, connecting: 0, max: 10 });
  });
});

describe('MongoDatabase: the real driver against a fake server', () => {
  let fake: FakeMongo;
  before(async () => {
    fake = await new FakeMongo().start();
  });
  after(() => fake.stop());

  test("havuz sets the driver's pool options from its own", async () => {
    const logs = new MongoDatabase('logs', fake.url, { size: 3, minIdle: 1, maxConnecting: 1, acquireTimeoutMs: 1_500, idleTimeoutMs: 60_000, createTimeoutMs: 2_000 });
    try {
      const client = (await logs.connect()) as unknown as mongodb.MongoClient;
      const o = client.options;
      assert.deepEqual(
        { maxPoolSize: o.maxPoolSize, minPoolSize: o.minPoolSize, maxConnecting: o.maxConnecting, waitQueueTimeoutMS: o.waitQueueTimeoutMS, maxIdleTimeMS: o.maxIdleTimeMS, connectTimeoutMS: o.connectTimeoutMS, serverSelectionTimeoutMS: o.serverSelectionTimeoutMS },
        { maxPoolSize: 3, minPoolSize: 1, maxConnecting: 1, waitQueueTimeoutMS: 1_500, maxIdleTimeMS: 60_000, connectTimeoutMS: 2_000, serverSelectionTimeoutMS: 2_000 },
      );
      await logs.ready();
      assert.ok(logs.status().size >= 1, 'ready() waited for minIdle (minPoolSize) connections');
    } finally {
      await logs.close();
    }
  });

  test('status, histograms, Prometheus and health follow the driver pool under load; drain waits for the work in flight', async () => {
    const logs = new MongoDatabase('logs', fake.url, { size: 2 });
    const registry = new MetricsRegistry(logs.monitored());
    const db = (await logs.db()) as unknown as Db;
    await db.collection('events').insertOne({ kind: 'start' });
    assert.deepEqual(fake.inserted.get('events')?.map((d) => d.kind), ['start']);
    assert.equal((await checkHealth(registry.get('logs')!)).status, 'healthy');

    fake.hold('find');
    const finds = Array.from({ length: 5 }, () => db.collection('events').find({}).toArray());
    await until(() => fake.waiting('find') === 2 && logs.status().pending === 3);
    assert.deepEqual(pick(logs.status()), { size: 2, idle: 0, inUse: 2, pending: 3, connecting: 0, max: 2 });
    const busy = await checkHealth(registry.get('logs')!);
    assert.equal(busy.status, 'degraded');
    assert.deepEqual(busy.reasons.map((r) => r.code).sort(), ['saturated', 'waiters']);

    let closed = false;
    const closing = logs.close({ drain: true, timeoutMs: 10_000 }).then(() => (closed = true));
    await assert.rejects(logs.db(), { code: 'HAVUZ_POOL_CLOSED' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, false, 'close waits for the finds in flight');
    fake.release('find');
    assert.deepEqual(await Promise.all(finds), [[], [], [], [], []], 'every find in flight was answered');
    await closing;
    const s = logs.status();
    assert.equal(s.closed, true);
    assert.equal(s.size, 0);
    const text = registry.prometheusText();
    assert.match(text, /^havuz_pool_wait_seconds_count\{pool="logs"\} [1-9]\d*$/m);
    assert.match(text, /^havuz_pool_use_seconds_count\{pool="logs"\} [1-9]\d*$/m);
    assert.match(text, /^havuz_pool_closed_total\{pool="logs",reason="pool-closed"\} 2$/m);
    registry.stop();
  });

  test("an acquire timeout is the driver's waitQueueTimeoutMS, counted and reported as a havuz timeout", async () => {
    const logs = new MongoDatabase('logs', fake.url, { size: 1, acquireTimeoutMs: 150 });
    const timeouts: number[] = [];
    logs.pool.on('timeout', (e) => timeouts.push(e.waitMs));
    try {
      const db = (await logs.db()) as unknown as Db;
      fake.hold('find');
      const held = db.collection('events').find({}).toArray();
      await until(() => fake.waiting('find') === 1);
      await assert.rejects(db.collection('events').find({}).toArray(), (error: Error) => /Timed out while checking out a connection/.test(error.message));
      assert.equal(logs.status().counters.timeouts, 1);
      assert.equal(timeouts.length, 1);
      fake.release('find');
      await held;
    } finally {
      fake.release('find');
      await logs.close();
    }
  });
});

describe('mongoFactory (a pool of whole MongoClients) with the real driver', () => {
  test('under a core Pool against the fake server: create, validate (ping), destroy', async () => {
    const fake = await new FakeMongo().start();
    const pool = new Pool(mongoFactory(fake.url), { size: 2, name: 'clients' });
    try {
      assert.equal(await pool.use(async (client) => await mongoFactory(fake.url).validate!(client)), true);
      assert.equal(pool.status().size, 1);
    } finally {
      await pool.close();
      await fake.stop();
    }
    assert.ok(fake.commands.includes('ping'));
  });

  test('a refused connect fails at once with ECONNREFUSED, not "connect timed out after 10000 ms"', async () => {
    const pool = new Pool(mongoFactory(`mongodb://127.0.0.1:${await closedPort()}/app?directConnection=true`), { name: 'clients' });
    try {
      await assert.rejects(pool.acquire(), (error: any) => {
        assert.equal(error.code, 'HAVUZ_CREATE_FAILED');
        assert.match(error.message, /ECONNREFUSED/);
        return true;
      });
    } finally {
      await pool.close();
    }
  });
});

describe('MongoDatabase without a server', () => {
  test('a refused connect fails at once with ECONNREFUSED, not a selection timeout; health is unhealthy; no password anywhere', async () => {
    const port = await closedPort();
    const logs = new MongoDatabase('logs', `mongodb://app:m0ngo-pw@127.0.0.1:${port}/app?directConnection=true`, { createTimeoutMs: 20_000 });
    const registry = new MetricsRegistry(logs.monitored());
    try {
      const started = performance.now();
      await assert.rejects(logs.ready(), (error: any) => {
        assert.equal(error.code, 'HAVUZ_CREATE_FAILED');
        assert.match(error.message, /ECONNREFUSED/);
        assert.doesNotMatch(error.message, /timed out|Server selection/i);
        return true;
      });
      assert.ok(performance.now() - started < 10_000, 'well before the 20 s selection timeout');
      assert.equal(logs.status().counters.createErrors, 1);
      const report = await checkHealth(registry.get('logs')!);
      assert.equal(report.status, 'unhealthy');
      assert.ok(report.reasons.some((r) => r.code === 'unreachable' && /ECONNREFUSED/.test(r.message)), JSON.stringify(report.reasons));
      assert.doesNotMatch(JSON.stringify(report) + logs.url + registry.prometheusText(), /m0ngo-pw/);
    } finally {
      registry.stop();
      await logs.close();
    }
  });

  test("bad input: a non-MongoDB URL, a pool option under the driver's name, an option the driver pool has no use for", () => {
    assert.throws(() => new MongoDatabase('x', 'redis://h'), { code: 'HAVUZ_INVALID_OPTION', message: /mongodb:\/\// });
    assert.throws(() => new MongoDatabase('x', 'mongodb://h', { driver: { maxPoolSize: 5 } }), { code: 'HAVUZ_INVALID_OPTION', message: /driver\.maxPoolSize.*size/ });
    assert.throws(() => new MongoDatabase('x', 'mongodb://h', { prePing: true } as never), { code: 'HAVUZ_INVALID_OPTION', message: /prePing/ });
    assert.throws(() => new MongoDatabase('x', 'mongodb://h', { size: 0 }), { code: 'HAVUZ_INVALID_OPTION', message: /size/ });
  });
});

function pick(s: { size: number; idle: number; inUse: number; pending: number; connecting: number; max: number }) {
  return { size: s.size, idle: s.idle, inUse: s.inUse, pending: s.pending, connecting: s.connecting, max: s.max };
}

/** Waits for the driver and the fake server to reach a state (each turn of the loop lets I/O through). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
