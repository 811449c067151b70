// The manager over the real PostgreSQL, MariaDB and Redis (and the real MongoDB driver against the
// fake server: there is no MongoDB here).
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { createManager, MongoDatabase, RedisDatabase } from '../../src/manager/index.js';
import { MetricsRegistry, registerPromClient } from '../../src/monitor/index.js';
import { instrumentOpenTelemetry } from '../../src/otel/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { memoryMeter } from '../support/otel.js';
import { promtoolCheck } from '../monitor/promtool.js';
import { FakeMongo } from './fake-mongo.js';
import { unreachable } from './support.js';

const SECRET = 'hv-M4nager-S3cret';
// PostgreSQL here trusts local connections, so a password in the URL is accepted and must never be shown.
const pgUrl = urls.postgres.replace('//postgres@', `//postgres:${SECRET}@`);

before(async () => {
  for (const url of [urls.postgres, urls.mysql, urls.redis]) await requireDatabase(url);
});

describe('a manager of PostgreSQL, MariaDB, Redis and MongoDB', () => {
  let fake: FakeMongo;
  let audit: Engine;
  const build = (mongoUrl: string) =>
    createManager({
      users: pgUrl,
      analytics: { url: urls.mysql, options: { size: 3 } },
      cache: urls.redis as `redis://${string}`,
      logs: mongoUrl,
      audit,
    });
  let dbs: ReturnType<typeof build>;

  before(async () => {
    fake = await new FakeMongo().start();
    audit = createEngine(urls.postgres, { name: 'audit', size: 1 });
    dbs = build(fake.url);
    await dbs.ready();
  });
  after(async () => {
    await dbs.close();
    await fake.stop();
  });

  test('get(name) gives each database its own type; the kind accessors check it', async () => {
    const users: Engine = dbs.get('users') as Engine; // a plain string: any of the kinds, so a cast
    assert.equal((await users.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n, 1);
    assert.equal(Number((await dbs.engine('analytics').query<{ n: number }>('SELECT 2 AS n')).rows[0]!.n), 2);
    const cache = dbs.redis('cache') as RedisDatabase<Redis>;
    assert.equal(await cache.run((r) => r.ping()), 'PONG');
    assert.ok(dbs.get('logs') instanceof MongoDatabase);
    assert.equal(dbs.get('audit'), audit, 'an engine passed in is the same engine');
    assert.throws(() => dbs.engine('cache'), { code: 'HAVUZ_INVALID_OPTION', message: /cache is redis/ });
    assert.throws(() => dbs.get('nope' as 'users'), { code: 'HAVUZ_INVALID_OPTION', message: /users, analytics, cache, logs, audit/ });
    assert.deepEqual(dbs.names(), ['users', 'analytics', 'cache', 'logs', 'audit']);
  });

  test('status(): one PoolStatus per database, named by it', () => {
    const status = dbs.status();
    assert.deepEqual(Object.keys(status), ['users', 'analytics', 'cache', 'logs', 'audit']);
    assert.equal(status.analytics.max, 3);
    assert.equal(status.users.name, 'users');
    assert.equal(status.cache.name, 'cache');
    for (const s of Object.values(status)) assert.equal(s.closed, false);
  });

  test('health(): every database probed and healthy, with its kind and redacted URL', async () => {
    const health = await dbs.health();
    assert.equal(health.status, 'healthy', health.summary);
    assert.equal(health.summary, 'healthy');
    assert.deepEqual(
      health.databases.map((d) => [d.name, d.kind, d.status]),
      [
        ['users', 'postgres', 'healthy'],
        ['analytics', 'mysql', 'healthy'],
        ['cache', 'redis', 'healthy'],
        ['logs', 'mongodb', 'healthy'],
        ['audit', 'postgres', 'healthy'],
      ],
    );
    const cache = health.databases.find((d) => d.name === 'cache')!;
    assert.deepEqual(cache.pools.map((p) => p.name), ['cache', 'cache:dedicated']);
    assert.ok(health.databases.every((d) => d.pools.some((p) => typeof p.latencyMs === 'number')), 'each database was probed');
  });

  test('one metrics registry over every pool: Prometheus text (promtool), prom-client and OpenTelemetry', async (t) => {
    const text = dbs.metrics.prometheusText();
    for (const pool of ['users', 'analytics', 'cache', 'cache:dedicated', 'logs', 'audit']) assert.match(text, new RegExp(`^havuz_pool_acquired_total\\{pool="${pool}"\\} \\d+$`, 'm'));
    promtoolCheck(t, text);
    const prom = new Registry();
    const unregister = registerPromClient(prom, dbs.metrics);
    assert.match(await prom.metrics(), /havuz_pool_max\{pool="logs"\} 10/);
    unregister();
    const meter = memoryMeter();
    const otel = instrumentOpenTelemetry(dbs.metrics, { meterProvider: meter.meterProvider });
    const max = (await meter.collect()).get('db.client.connection.max');
    const pools = max?.dataPoints.map((p: { attributes: Record<string, unknown> }) => p.attributes['db.client.connection.pool.name']).sort();
    assert.deepEqual(pools, ['analytics', 'audit', 'cache', 'cache:dedicated', 'logs', 'users']);
    otel.stop();
    await meter.shutdown();
  });

  test('no password in inspect, JSON, status, health or metrics', async () => {
    const shown = [inspect(dbs), JSON.stringify(dbs), JSON.stringify(dbs.status()), JSON.stringify(await dbs.health()), dbs.metrics.prometheusText()].join('\n');
    assert.doesNotMatch(shown, new RegExp(SECRET));
    assert.match(inspect(dbs), /users: postgres <postgres(ql)?:\/\/postgres:\*\*\*@/);
  });
});

describe('health names the database at fault', () => {
  test('Redis unreachable: the manager is unhealthy, cache is named, the SQL databases stay healthy', async () => {
    const dbs = createManager({ users: urls.postgres, analytics: urls.mysql, cache: await unreachable(urls.redis) });
    try {
      const health = await dbs.health({ timeoutMs: 3_000 });
      assert.equal(health.status, 'unhealthy');
      assert.deepEqual(
        health.databases.map((d) => [d.name, d.status]),
        [
          ['users', 'healthy'],
          ['analytics', 'healthy'],
          ['cache', 'unhealthy'],
        ],
      );
      assert.match(health.summary, /^unhealthy: cache is unhealthy \(cache: the probe failed: .*ECONNREFUSED/);
      await assert.rejects(dbs.ready(), { code: 'HAVUZ_CREATE_FAILED', message: /Pool "cache".*ECONNREFUSED/ });
    } finally {
      await dbs.close();
    }
  });

  test('MariaDB unreachable: analytics is named; PostgreSQL and Redis are healthy', async () => {
    const dbs = createManager({ users: urls.postgres, analytics: await unreachable(urls.mysql), cache: urls.redis });
    try {
      const health = await dbs.health({ timeoutMs: 3_000 });
      assert.equal(health.status, 'unhealthy');
      const unhealthy = health.databases.filter((d) => d.status !== 'healthy').map((d) => d.name);
      assert.deepEqual(unhealthy, ['analytics']);
      assert.match(health.summary, /analytics is unhealthy \(the probe failed: .*ECONNREFUSED/);
    } finally {
      await dbs.close();
    }
  });
});

describe('close and ready for all', () => {
  test('close({ drain: true }) lets queued and in-flight work on every database finish, then closes all', async () => {
    const dbs = createManager({ users: { url: urls.postgres, options: { size: 2 } }, analytics: { url: urls.mysql, options: { size: 2 } }, cache: urls.redis });
    const work = [
      ...Array.from({ length: 6 }, () => dbs.engine('users').query('SELECT pg_sleep(0.1)')),
      ...Array.from({ length: 6 }, () => dbs.engine('analytics').query('SELECT SLEEP(0.1)')),
      (dbs.get('cache') as RedisDatabase<Redis>).run((r) => r.ping()),
    ];
    await new Promise((resolve) => setImmediate(resolve));
    const closing = dbs.close({ drain: true, timeoutMs: 10_000 });
    await assert.rejects(dbs.engine('users').query('SELECT 1'), { code: 'HAVUZ_POOL_CLOSED' });
    const results = await Promise.allSettled(work);
    assert.deepEqual(results.map((r) => r.status), Array(13).fill('fulfilled'), 'all 13 accepted operations finished');
    await closing;
    assert.ok(Object.values(dbs.status()).every((s) => s.closed && s.size === 0), JSON.stringify(dbs.status()));
    assert.equal(dbs.metrics.collectors().length, 0, "the manager's registry let go of its pools");
  });

  test('one deadline for all: what is still queued at timeoutMs fails with HAVUZ_POOL_DRAINING', async () => {
    const dbs = createManager({ users: { url: urls.postgres, options: { size: 1 } }, analytics: { url: urls.mysql, options: { size: 1 } } });
    const slow = Promise.allSettled([dbs.engine('users').query('SELECT pg_sleep(0.6)'), dbs.engine('analytics').query('SELECT SLEEP(0.6)')]);
    const queued = Promise.allSettled([dbs.engine('users').query('SELECT 1'), dbs.engine('analytics').query('SELECT 1')]);
    await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    await dbs.close({ drain: true, timeoutMs: 200 });
    assert.ok(performance.now() - started < 3_000);
    assert.deepEqual((await queued).map((r) => r.status === 'rejected' && r.reason.code), ['HAVUZ_POOL_DRAINING', 'HAVUZ_POOL_DRAINING']);
    await slow; // cut at the deadline: their connections were closed under them
  });

  test('ready() of the engine and of the manager wait for minIdle connections', async () => {
    const engine = createEngine(urls.postgres, { minIdle: 2, size: 3 });
    await engine.ready();
    assert.ok(engine.status().idle >= 2);
    await engine.close();
    const dbs = createManager({ users: { url: urls.postgres, options: { minIdle: 2 } }, analytics: { url: urls.mysql, options: { minIdle: 1 } } });
    await dbs.ready();
    assert.ok(dbs.status().users.size >= 2 && dbs.status().analytics.size >= 1);
    await dbs.close();
  });
});

test("get(name)'s type follows the URL's scheme (checked by the compiler; nothing connects)", async () => {
  const typed = createManager({ a: 'postgresql://h/db', r: 'redis://h', m: 'mongodb://h/app', given: new RedisDatabase('given', 'redis://h') });
  const engine: Engine = typed.get('a');
  const redis: RedisDatabase = typed.get('r');
  const mongo: MongoDatabase = typed.get('m');
  assert.equal(engine.dialect, 'postgres');
  assert.equal(redis.kind, 'redis');
  assert.equal(mongo.kind, 'mongodb');
  assert.equal(typed.get('given').name, 'given');
  await typed.close();
});

describe('bad input', () => {
  test('an unknown scheme, a bad spec, an unknown option: a coded error naming it; nothing left open', async () => {
    assert.throws(() => createManager({ x: 'ftp://h/db' }), { code: 'HAVUZ_INVALID_URL', message: /database "x".*redis:\/\/.*mongodb:\/\//s });
    assert.throws(() => createManager({ x: { url: urls.postgres, option: {} } as never }), { code: 'HAVUZ_INVALID_OPTION', message: /x\.option/ });
    assert.throws(() => createManager({ x: 42 as never }), { code: 'HAVUZ_INVALID_OPTION', message: /a URL/ });
    assert.throws(() => createManager({ x: urls.postgres }, { metric: new MetricsRegistry() } as never), { code: 'HAVUZ_INVALID_OPTION', message: /metric/ });
    assert.throws(() => createManager([urls.postgres] as never), { code: 'HAVUZ_INVALID_OPTION', message: /databases/ });
    const shared = new MetricsRegistry();
    // The second database fails: the first, already built, is closed and leaves the shared registry.
    assert.throws(() => createManager({ a: urls.postgres, b: 'nope://x' }, { metrics: shared }), { code: 'HAVUZ_INVALID_URL' });
    assert.equal(shared.collectors().length, 0);
    await assert.rejects(createManager({ a: urls.postgres }).close({ timeoutMs: -1 }), { code: 'HAVUZ_INVALID_OPTION', message: /timeoutMs/ });
  });
});
