// The surface pg.Pool code touches, with pg-pool's semantics: connect() and query() with promises
// and callbacks, release(err | true), the counts, and end() letting queued work run.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { PgPool } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { pgConfig } from './support.js';

before(async () => {
  await requireDatabase(urls.postgres);
});

describe('PgPool: connect, query, release', () => {
  test('connect() resolves to the pg.Client; the callback form gets (undefined, client, done) and returns nothing', async () => {
    const pool = new PgPool(pgConfig());
    try {
      const client = await pool.connect();
      assert.equal(client.constructor.name, 'Client');
      assert.equal((await client.query('SELECT $1::text AS name', ['ada'])).rows[0].name, 'ada');
      client.release();
      const args = await new Promise<unknown[]>((resolve) => {
        const returned = pool.connect((...a: unknown[]) => resolve(a));
        assert.equal(returned, undefined);
      });
      assert.equal(args[0], undefined, 'no error is undefined, as in pg-pool');
      assert.equal(args[1], client, 'the same client object comes back');
      assert.equal(args[2], (args[1] as { release: unknown }).release);
      (args[2] as () => void)();
    } finally {
      await pool.end();
    }
  });

  test('query(): promise, callback (text, values, cb) and (text, cb), and a config object', async () => {
    const pool = new PgPool(pgConfig());
    try {
      assert.equal((await pool.query('SELECT 1 AS n')).rows[0].n, 1);
      assert.equal((await pool.query({ text: 'SELECT $1::int AS n', values: [2] })).rows[0].n, 2);
      const viaCallback = await new Promise<unknown[]>((resolve) => pool.query('SELECT $1::int AS n', [3], (...a: unknown[]) => resolve(a)));
      assert.equal(viaCallback[0], undefined);
      assert.equal((viaCallback[1] as { rows: { n: number }[] }).rows[0]!.n, 3);
      const noValues = await new Promise<unknown[]>((resolve) => pool.query('SELECT 4 AS n', (...a: unknown[]) => resolve(a)));
      assert.equal((noValues[1] as { rows: { n: number }[] }).rows[0]!.n, 4);
      const failed = await new Promise<unknown[]>((resolve) => pool.query('SELECT nope', (...a: unknown[]) => resolve(a)));
      assert.equal((failed[0] as { code?: string }).code, '42703');
      assert.equal(failed.length, 1);
    } finally {
      await pool.end();
    }
  });

  test('an exception thrown in a callback is an uncaught exception, as from pg, never an unhandled rejection', async () => {
    const pool = new PgPool(pgConfig());
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    try {
      const caught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
      pool.query('SELECT 1', () => {
        throw new Error('from the callback');
      });
      assert.equal(((await caught) as Error).message, 'from the callback');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(rejections, []);
    } finally {
      process.off('unhandledRejection', onRejection);
      for (const l of listeners) process.on('uncaughtException', l);
      await pool.end();
    }
  });

  test("a client's query() promise is pg's: its Promise class, the caller's config untouched, the stack back to the caller, a TypeError for no query", async () => {
    // havuz makes this promise from pg's callback form (see native.ts: pg's own promise form set
    // off a V8 pretenuring of result rows); what the caller sees must not change.
    class TaggedPromise<T> extends Promise<T> {}
    const tagged = new PgPool({ ...pgConfig(), Promise: TaggedPromise });
    const pool = new PgPool(pgConfig());
    try {
      const taggedClient = await tagged.connect();
      const running = taggedClient.query('SELECT 1 AS n');
      assert.ok(running instanceof TaggedPromise, "the client's Promise class, as pg uses it");
      assert.equal((await running).rows[0].n, 1);
      taggedClient.release();

      const client = await pool.connect();
      try {
        const config = { text: 'SELECT $1::int AS n', values: [5] };
        assert.equal((await client.query(config)).rows[0].n, 5);
        assert.deepEqual(Object.keys(config), ['text', 'values'], 'pg would write a callback into the config; the caller keeps it as it was');
        assert.equal((await client.query(config)).rows[0].n, 5, 'the same config object runs again');
        let error: (Error & { code?: string }) | undefined;
        try {
          await client.query('SELECT * FROM havuz_no_such_table');
        } catch (e) {
          error = e as Error & { code?: string };
        }
        assert.equal(error?.code, '42P01', "pg's own error");
        assert.match(error?.stack ?? '', /pg-surface\.test\.ts/, "the stack leads back to the awaiting caller, as with pg's promise form");
        assert.throws(() => client.query(undefined as never), TypeError, 'no query: thrown at once, as pg does');
      } finally {
        client.release();
      }
    } finally {
      await Promise.all([tagged.end(), pool.end()]);
    }
  });

  test('release(err) and release(true) close the client; release() twice throws', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 1 });
    try {
      const a = await pool.connect();
      a.release(new Error('broken'));
      assert.equal(pool.totalCount, 0, 'closed, not returned');
      const b = await pool.connect();
      assert.notEqual(b, a);
      b.release(true);
      assert.equal(pool.totalCount, 0);
      const c = await pool.connect();
      c.release();
      assert.equal(pool.idleCount, 1);
      assert.throws(() => c.release(), /already been released/);
    } finally {
      await pool.end();
    }
  });

  test('a client its user ended is closed on release, never put back', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 1 });
    try {
      const client = await pool.connect();
      void client.end();
      client.release();
      assert.equal(pool.totalCount, 0);
      assert.equal((await pool.query('SELECT 1 AS n')).rows[0].n, 1);
    } finally {
      await pool.end();
    }
  });

  test('totalCount counts clients being opened; idleCount, waitingCount', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 1 });
    try {
      const first = pool.connect();
      assert.equal(pool.totalCount, 1, 'the connecting client counts, as in pg-pool');
      assert.equal(pool.idleCount, 0);
      const client = await first;
      const waiting = pool.connect();
      assert.equal(pool.waitingCount, 1);
      client.release();
      const again = await waiting;
      assert.equal(pool.waitingCount, 0);
      again.release();
      assert.equal(pool.idleCount, 1);
      assert.equal(pool.totalCount, 1);
    } finally {
      await pool.end();
    }
  });

  test('expiredCount: checked-out clients past maxLifetimeSeconds, closed when released', async () => {
    const pool = new PgPool({ ...pgConfig(), maxLifetimeSeconds: 0.2 });
    try {
      const client = await pool.connect();
      assert.equal(pool.expiredCount, 0);
      await client.query('SELECT pg_sleep(0.3)');
      assert.equal(pool.expiredCount, 1);
      client.release();
      assert.equal(pool.expiredCount, 0);
      assert.equal(pool.totalCount, 0, 'closed on release');
    } finally {
      await pool.end();
    }
  });
});

describe('PgPool: end()', () => {
  test('queued work still runs: issue queries, then end()', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 2 });
    const done: number[] = [];
    const queries = Array.from({ length: 10 }, (_, i) => pool.query('SELECT $1::int AS i, pg_sleep(0.01)', [i]).then((r) => done.push(r.rows[0].i)));
    assert.ok(pool.waitingCount > 0, 'some are queued behind max 2');
    await pool.end();
    await Promise.all(queries);
    assert.equal(done.length, 10);
    assert.equal(pool.ended, true);
    assert.equal(pool.totalCount, 0);
  });

  test('ending/ended, a second end() errors as in pg-pool, connect() and query() after end() are refused', async () => {
    const pool = new PgPool(pgConfig());
    await pool.query('SELECT 1');
    const ending = pool.end();
    assert.equal(pool.ending, true);
    assert.equal(pool.ended, false);
    await assert.rejects(pool.end(), { message: 'Called end on pool more than once' });
    await ending;
    assert.equal(pool.ended, true);
    await assert.rejects(pool.connect(), { message: 'Cannot use a pool after calling end on the pool' });
    await assert.rejects(pool.query('SELECT 1'), { message: 'Cannot use a pool after calling end on the pool' });
    const viaCallback = await new Promise<unknown>((resolve) => pool.end((error) => resolve(error)));
    assert.match(String(viaCallback), /more than once/);
  });

  test('end(callback) returns nothing and calls back once closed', async () => {
    const pool = new PgPool(pgConfig());
    await pool.query('SELECT 1');
    const args = await new Promise<unknown[]>((resolve) => assert.equal(pool.end((...a: unknown[]) => resolve(a)), undefined));
    assert.deepEqual(args, []);
    assert.equal(pool.totalCount, 0);
  });
});
