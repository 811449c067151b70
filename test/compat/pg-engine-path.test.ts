// One code path: what a pg.Pool user (or an ORM) runs on PgPool's clients goes through the
// engine's connection, so the engine's statement timeout (with a server-side cancel), maxQueries,
// reset on return, leak detection and counters apply to raw client.query calls too.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { PgPool, havuzErrorOf } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { nextEvent, pgConfig, table } from './support.js';

before(async () => {
  await requireDatabase(urls.postgres);
});

/** The backend's current statement, seen from another session. */
async function activity(pool: PgPool, pid: number): Promise<{ state: string; query: string }> {
  const { rows } = await pool.query('SELECT state, query FROM pg_stat_activity WHERE pid = $1', [pid]);
  return rows[0];
}

describe('PgPool runs through the engine', () => {
  test('statementTimeoutMs cancels a raw client.query on the server: pg\'s 57014 error, the timeout attached, the client reusable', async () => {
    const pool = new PgPool({ ...pgConfig(), statementTimeoutMs: 200 });
    const observer = new PgPool(pgConfig());
    try {
      const client = await pool.connect();
      const started = Date.now();
      const error = (await client.query('SELECT pg_sleep(5)').catch((e: unknown) => e)) as Error & { code?: string };
      assert.ok(Date.now() - started < 3_000, 'cancelled, not run to the end');
      assert.equal(error.code, '57014', "pg's own error: the server cancelled it");
      assert.equal(havuzErrorOf(error)?.code, 'HAVUZ_STATEMENT_TIMEOUT');
      const seen = await activity(observer, client.processID);
      assert.equal(seen.state, 'idle', 'the backend is not still sleeping');
      assert.equal((await client.query('SELECT 1 AS n')).rows[0].n, 1, 'the same client still works');
      client.release();
    } finally {
      await pool.end();
      await observer.end();
    }
  });

  test('the timeout applies to pool.query and to the callback form too', async () => {
    const pool = new PgPool({ ...pgConfig(), statementTimeoutMs: 150 });
    try {
      await assert.rejects(pool.query('SELECT pg_sleep(5)'), { code: '57014' });
      const client = await pool.connect();
      const error = await new Promise<unknown>((resolve) => client.query('SELECT pg_sleep(5)', (e: unknown) => resolve(e)));
      assert.equal(havuzErrorOf(error)?.code, 'HAVUZ_STATEMENT_TIMEOUT');
      client.release();
    } finally {
      await pool.end();
    }
  });

  test('maxQueries counts raw client.query calls: the client is recycled once it has run that many', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 1, maxQueries: 3 });
    try {
      const first = await pool.connect();
      const pid = first.processID;
      for (let i = 0; i < 3; i++) await first.query('SELECT 1');
      first.release();
      const second = await pool.connect();
      assert.notEqual(second.processID, pid, 'a fresh connection after 3 queries');
      second.release();
    } finally {
      await pool.end();
    }
  });

  test('a transaction a raw client left open is rolled back on return', async () => {
    const name = table('cmp_reset');
    const pool = new PgPool({ ...pgConfig(), max: 1 });
    try {
      await pool.query(`CREATE TABLE ${name} (id int)`);
      const client = await pool.connect();
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${name} VALUES (1)`);
      client.release();
      const next = await pool.connect();
      assert.equal(next, client);
      assert.equal((await next.query(`SELECT count(*)::int AS n FROM ${name}`)).rows[0].n, 0);
      next.release();
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${name}`);
      await pool.end();
    }
  });

  test('leak detection reports a PgPool client held too long; the counters see every checkout', async () => {
    const pool = new PgPool({ ...pgConfig(), leakDetectionMs: 50 });
    try {
      const before = pool.engine.status().counters.acquired;
      const leak = new Promise<{ heldMs: number; stack: string | undefined }>((resolve) => pool.engine.on('leak', resolve));
      const client = await pool.connect();
      const { heldMs, stack } = await leak;
      assert.ok(heldMs >= 50);
      assert.match(stack ?? '', /pg-engine-path\.test\.ts/, "the acquirer's stack");
      client.release();
      await pool.query('SELECT 1');
      assert.equal(pool.engine.status().counters.acquired, before + 2);
    } finally {
      await pool.end();
    }
  });

  test('a client whose backend was killed while checked out is closed on release, not reused', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 1 });
    const killer = new PgPool(pgConfig());
    try {
      const client = await pool.connect();
      client.on('error', () => {});
      await killer.query('SELECT pg_terminate_backend($1)', [client.processID]);
      await assert.rejects(client.query('SELECT 1'));
      const removed = nextEvent(pool, 'remove');
      client.release();
      await removed;
      assert.equal((await pool.query('SELECT 1 AS n')).rows[0].n, 1);
    } finally {
      await pool.end();
      await killer.end();
    }
  });
});
