import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Pool } from '../../src/core/pool.js';
import { redisFactory } from '../../src/drivers/index.js';
import { createEngine } from '../../src/engine/index.js';
import { requireDatabase, urls } from '../support/databases.js';

/**
 * Every driver's socket has TCP keepalive on, probing after 10 s of silence, so a server or
 * network that goes silent is found out (the kernel's probes then give up within minutes) instead
 * of hanging a query forever. Read from the kernel itself: `ss` shows the socket's keepalive timer.
 */
function keepaliveTimer(localPort: number): string {
  const out = execFileSync('ss', ['-tno', 'state', 'established', `( sport = :${localPort} )`]).toString();
  const match = /timer:\(keepalive,([^,]+),/.exec(out);
  assert.ok(match, `no keepalive timer on the socket from port ${localPort}:\n${out}`);
  return match[1]!;
}

/** ss prints the time left in seconds (`9.784ms` here is 9.784 s) or, past a minute, in `min`: the system default of 2 h would show `119min`. */
function assertWithin10s(timer: string): void {
  assert.ok(!/min|h/.test(timer) && Number.parseFloat(timer) <= 10, `keepalive fires in ${timer}, expected within 10 s`);
}

test('PostgreSQL: pooled connections have TCP keepalive after 10 s', async (t) => {
  if (!(await requireDatabase(urls.postgres, t))) return;
  await using db = createEngine(urls.postgres, { size: 1 });
  await using conn = await db.connect();
  assertWithin10s(keepaliveTimer((conn.raw as any).connection.stream.localPort));
});

test('MariaDB: pooled connections have TCP keepalive after 10 s', async (t) => {
  if (!(await requireDatabase(urls.mysql, t))) return;
  await using db = createEngine(urls.mysql, { size: 1 });
  await using conn = await db.connect();
  assertWithin10s(keepaliveTimer((conn.raw as any).connection.stream.localPort));
});

test('Redis: pooled connections have TCP keepalive after 10 s', async (t) => {
  if (!(await requireDatabase(urls.redis, t))) return;
  const pool = new Pool(redisFactory(urls.redis), { size: 1 });
  try {
    await pool.use((client) => assertWithin10s(keepaliveTimer((client as any).stream.localPort)));
  } finally {
    await pool.close();
  }
});
