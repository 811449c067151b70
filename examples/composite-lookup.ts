// The seed's composite lookup: a user from PostgreSQL, their analytics from MariaDB, both cached in
// Redis with a TTL (cache-aside), and an event logged to MongoDB when one is reachable. Four
// databases under one manager: one status, one health, one close.
// Run: node --import tsx examples/composite-lookup.ts <postgresql-url> <mysql-url> <redis-url> [mongodb-url]
import type { Redis } from 'ioredis';
import type { MongoClient } from 'mongodb';
import { createManager, MongoDatabase, RedisDatabase } from 'havuz';

const [pgUrl = 'postgresql://postgres@127.0.0.1:5432/test', mysqlUrl = 'mysql://root@127.0.0.1:3306/test', redisUrl = 'redis://127.0.0.1:6379', mongoUrl] = process.argv.slice(2);
const TTL_S = 60;

const dbs = createManager({
  users: { url: pgUrl, options: { size: 5 } },
  analytics: { url: mysqlUrl, options: { size: 5 } },
  cache: new RedisDatabase<Redis>('cache', redisUrl),
  ...(mongoUrl === undefined ? {} : { logs: new MongoDatabase<MongoClient>('logs', mongoUrl, { createTimeoutMs: 3_000 }) }),
});

interface Profile {
  id: number;
  name: string;
  email: string;
  pageViews: number;
  lastSeen: string;
}

/** Logs an event when MongoDB is there; the lookup never fails because the log store is down. */
let logs: MongoDatabase<MongoClient> | undefined;
async function logEvent(kind: string, userId: number): Promise<void> {
  if (logs === undefined) return;
  await (await logs.db()).collection('events').insertOne({ kind, userId, at: new Date() });
}

/** Cache-aside: Redis first; on a miss, PostgreSQL and MariaDB in parallel, then cache the result with a TTL. */
async function userProfile(id: number): Promise<{ source: 'cache' | 'database'; profile: Profile | undefined }> {
  const cache = dbs.get('cache');
  const key = `profile:${id}`;
  const hit = await cache.run((redis) => redis.get(key));
  if (hit !== null) {
    await logEvent('profile-cache-hit', id);
    return { source: 'cache', profile: JSON.parse(hit) as Profile };
  }
  const [user, stats] = await Promise.all([
    dbs.engine('users').query<{ id: number; name: string; email: string }>('SELECT id, name, email FROM ex_composite_users WHERE id = $1', [id]),
    dbs.engine('analytics').query<{ page_views: number; last_seen: Date }>('SELECT page_views, last_seen FROM ex_composite_stats WHERE user_id = ?', [id]),
  ]);
  const row = user.rows[0];
  if (row === undefined) return { source: 'database', profile: undefined };
  const profile: Profile = { ...row, pageViews: Number(stats.rows[0]?.page_views ?? 0), lastSeen: new Date(stats.rows[0]?.last_seen ?? 0).toISOString() };
  await cache.run((redis) => redis.set(key, JSON.stringify(profile), 'EX', TTL_S));
  await logEvent('profile-cache-miss', id);
  return { source: 'database', profile };
}

try {
  const users = dbs.engine('users');
  const analytics = dbs.engine('analytics');
  await users.query('CREATE TABLE IF NOT EXISTS ex_composite_users (id INT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)');
  await users.query("INSERT INTO ex_composite_users VALUES (1, 'Ada', 'ada@example.com') ON CONFLICT (id) DO NOTHING");
  await analytics.query('CREATE TABLE IF NOT EXISTS ex_composite_stats (user_id INT PRIMARY KEY, page_views INT NOT NULL, last_seen DATETIME NOT NULL)');
  await analytics.query("INSERT IGNORE INTO ex_composite_stats VALUES (1, 42, '2024-05-01 12:00:00')");
  await dbs.get('cache').run((redis) => redis.del('profile:1')); // start cold

  // MongoDB is optional here: when it cannot be reached, say why and go on without the event log.
  let mongo = 'not configured';
  if (mongoUrl !== undefined) {
    const candidate = dbs.mongo('logs') as MongoDatabase<MongoClient>;
    try {
      await candidate.ready();
      logs = candidate;
      mongo = 'reachable';
    } catch (error) {
      mongo = `unreachable: ${(error as Error).message}`;
    }
  }

  const first = await userProfile(1);
  const second = await userProfile(1);
  const ttl = await dbs.get('cache').run((redis) => redis.ttl('profile:1'));
  const health = await dbs.health({ timeoutMs: 2_000 });
  console.log(
    JSON.stringify({
      first: first.source,
      second: second.source,
      same: JSON.stringify(first.profile) === JSON.stringify(second.profile),
      profile: second.profile,
      ttl,
      mongo,
      health: Object.fromEntries(health.databases.map((d) => [d.name, d.status])),
      summary: health.summary,
    }),
  );
} finally {
  await dbs.close({ drain: true, timeoutMs: 5_000 });
}
