// RedisDatabase against the real Redis: the shared multiplexed connection, the dedicated pool for
// blocking and transactional commands, PING as pre-ping, and the SQL pools' status shape.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { RedisDatabase } from '../../src/manager/index.js';
import { checkHealth, MetricsRegistry } from '../../src/monitor/index.js';
import { skipUnlessReachable, urls } from '../support/databases.js';
import { closedPort } from './support.js';

const key = `mgr:redis:${process.pid}:${Date.now().toString(36)}`;

describe('RedisDatabase on the real Redis', { skip: await skipUnlessReachable(urls.redis) }, () => {
  let cache: RedisDatabase<Redis>;

  before(async () => {
    cache = new RedisDatabase<Redis>('cache', urls.redis, { size: 2 });
    await cache.ready();
  });
  after(async () => {
    await cache.run((r) => r.del(key, `${key}:list`, `${key}:tx`));
    await cache.close();
  });

  test('ordinary commands share one connection, however many run at once', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => cache.run((r) => r.call('CLIENT', 'ID'))));
    assert.equal(new Set(ids).size, 1, 'one connection served all 20');
    await cache.run((r) => r.set(key, 'v', 'EX', 60));
    assert.equal(await cache.run((r) => r.get(key)), 'v');
    const shared = cache.shared.status();
    assert.equal(shared.size, 1);
    assert.ok(shared.counters.acquired >= 22);
  });

  test('a blocking BLPOP holds a dedicated connection while the shared one keeps serving', async () => {
    const sharedId = await cache.run((r) => r.call('CLIENT', 'ID'));
    let blockedOn: unknown;
    const popped = cache.withConnection(async (r) => {
      blockedOn = await r.call('CLIENT', 'ID');
      return r.blpop(`${key}:list`, 5);
    });
    // The shared connection answers while BLPOP blocks; then it feeds the list.
    await waitFor(() => cache.dedicated.status().inUse === 1 && blockedOn !== undefined);
    assert.equal(await cache.run((r) => r.ping()), 'PONG');
    await cache.run((r) => r.rpush(`${key}:list`, 'job-1'));
    assert.deepEqual(await popped, [`${key}:list`, 'job-1']);
    assert.notEqual(blockedOn, sharedId, 'BLPOP ran on a connection of its own');
    assert.equal(cache.dedicated.status().inUse, 0);
  });

  test('WATCH/MULTI/EXEC on a dedicated connection', async () => {
    const result = await cache.withConnection(async (r) => {
      await r.watch(`${key}:tx`);
      return r.multi().incr(`${key}:tx`).incr(`${key}:tx`).exec();
    });
    assert.deepEqual(result, [
      [null, 1],
      [null, 2],
    ]);
  });

  test('a dedicated connection idle past the bypass is pinged (PING) on checkout; a dead one is replaced', async () => {
    const redis = new RedisDatabase<Redis>('pinged', urls.redis, { size: 1, prePingBypassMs: 0 });
    try {
      const first = await redis.withConnection((r) => r.call('CLIENT', 'ID'));
      await redis.withConnection(() => undefined); // 'fresh' connections are not pinged: use it once more
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the core's 1 s "just opened" window (a clock, not a sync point)
      await cache.run((r) => r.call('CLIENT', 'KILL', 'ID', String(first)));
      const second = await redis.withConnection((r) => r.call('CLIENT', 'ID'));
      assert.notEqual(second, first);
      const s = redis.status();
      assert.ok(s.counters.validationFailures + (s.counters.destroyed ?? 0) >= 1, JSON.stringify(s.counters));
    } finally {
      await redis.close();
    }
  });

  test('status: the shared and dedicated pools as one PoolStatus named like the database', () => {
    const s = cache.status();
    assert.equal(s.name, 'cache');
    assert.equal(s.max, 1 + 2);
    assert.equal(s.size, s.idle + s.inUse);
    assert.deepEqual(Object.keys(s).sort(), Object.keys(cache.dedicated.status()).sort());
  });

  test('metrics and health: both pools in one registry; the shared pool is probed with a PING', async () => {
    const registry = new MetricsRegistry(cache.monitored());
    const text = registry.prometheusText();
    assert.match(text, /^havuz_pool_acquired_total\{pool="cache"\} \d+$/m);
    assert.match(text, /^havuz_pool_acquired_total\{pool="cache:dedicated"\} \d+$/m);
    const report = await checkHealth(registry.get('cache')!);
    assert.equal(report.status, 'healthy');
    assert.equal(typeof report.latencyMs, 'number', 'the probe ran');
    registry.stop();
  });
});

describe('RedisDatabase without a server', () => {
  test('ready() rejects with ECONNREFUSED; the probe makes health unhealthy', async () => {
    const port = await closedPort();
    const redis = new RedisDatabase('down', `redis://:s3cret-pw@127.0.0.1:${port}`);
    try {
      await assert.rejects(redis.ready(), (error: any) => {
        assert.equal(error.code, 'HAVUZ_CREATE_FAILED');
        assert.match(error.message, /ECONNREFUSED/);
        return true;
      });
      const registry = new MetricsRegistry(redis.monitored());
      const report = await checkHealth(registry.get('down')!);
      assert.equal(report.status, 'unhealthy');
      assert.ok(report.reasons.some((r) => r.code === 'unreachable' && /ECONNREFUSED/.test(r.message)), JSON.stringify(report.reasons));
      assert.doesNotMatch(JSON.stringify(report) + redis.url, /s3cret-pw/);
      registry.stop();
    } finally {
      await redis.close();
    }
  });

  test('bad input: a non-Redis URL, an unknown option, a bad ioredis option', () => {
    assert.throws(() => new RedisDatabase('x', 'postgres://h/db'), { code: 'HAVUZ_INVALID_OPTION', message: /redis:\/\// });
    assert.throws(() => new RedisDatabase('x', 'redis://h', { sise: 2 } as never), { code: 'HAVUZ_INVALID_OPTION', message: /sise/ });
    assert.throws(() => new RedisDatabase('x', 'redis://h', { redis: 'tls' as never }), { code: 'HAVUZ_INVALID_OPTION', message: /ioredis options/ });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
