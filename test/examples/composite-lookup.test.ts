// The seed's composite lookup (examples/composite-lookup.ts) as a user runs it, on the real
// PostgreSQL, MariaDB and Redis. MongoDB: there is no server here, so it runs once against a port
// nothing listens on (the lookup goes on without the event log, and health names "logs") and once
// against the fake wire-protocol server (the real driver logs the two events).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { FakeMongo } from '../manager/fake-mongo.js';
import { closedPort } from '../manager/support.js';
import { requireDatabase, urls } from '../support/databases.js';

const run = promisify(execFile);

async function lookup(mongoUrl: string): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/composite-lookup.ts', urls.postgres, urls.mysql, urls.redis, mongoUrl], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, any>;
}

before(async () => {
  for (const url of [urls.postgres, urls.mysql, urls.redis]) await requireDatabase(url);
});

test('first call from PostgreSQL and MariaDB, second from the Redis cache with its TTL; MongoDB unreachable is named and skipped', async () => {
  const out = await lookup(`mongodb://127.0.0.1:${await closedPort()}/app?directConnection=true`);
  assert.equal(out.first, 'database');
  assert.equal(out.second, 'cache');
  assert.equal(out.same, true);
  assert.deepEqual(out.profile, { id: 1, name: 'Ada', email: 'ada@example.com', pageViews: 42, lastSeen: out.profile.lastSeen });
  assert.ok(out.ttl > 0 && out.ttl <= 60, `TTL ${out.ttl}`);
  assert.match(out.mongo, /^unreachable: .*ECONNREFUSED/);
  assert.deepEqual(out.health, { users: 'healthy', analytics: 'healthy', cache: 'healthy', logs: 'unhealthy' });
  assert.match(out.summary, /^unhealthy: logs is unhealthy/);
});

test('with a MongoDB to talk to (the fake server), the miss and the hit are logged as events', async () => {
  const fake = await new FakeMongo().start();
  try {
    const out = await lookup(fake.url);
    assert.equal(out.mongo, 'reachable');
    assert.deepEqual([out.first, out.second], ['database', 'cache']);
    assert.deepEqual(fake.inserted.get('events')?.map((e) => e.kind), ['profile-cache-miss', 'profile-cache-hit']);
    assert.equal(out.health.logs, 'healthy');
  } finally {
    await fake.stop();
  }
});
