// Submittables, as pg.Pool code uses them: pg-cursor and pg-query-stream on a checked-out client,
// and handed to pool.query, which gives the client back when the cursor or stream is done.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import Cursor from 'pg-cursor';
import QueryStream from 'pg-query-stream';
import { PgPool } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { pgConfig } from './support.js';

before(async () => {
  await requireDatabase(urls.postgres);
});

const series = 'SELECT n FROM generate_series(1, 100) AS n';

describe('PgPool with cursors and streams', () => {
  test('pg-cursor on a client: read in pages, close early, the client goes back and works', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 1 });
    try {
      const client = await pool.connect();
      const cursor = client.query(new Cursor(series));
      assert.deepEqual((await cursor.read(3)).map((r: { n: number }) => r.n), [1, 2, 3]);
      assert.deepEqual((await cursor.read(2)).map((r: { n: number }) => r.n), [4, 5]);
      await cursor.close();
      client.release();
      assert.equal((await pool.query('SELECT 1 AS n')).rows[0].n, 1);
      assert.equal(pool.idleCount, 1);
    } finally {
      await pool.end();
    }
  });

  test('pg-cursor through pool.query: its client comes back once the cursor is closed', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 1 });
    try {
      const cursor = new Cursor(series);
      const done = pool.query(cursor);
      await new Promise((resolve) => setImmediate(resolve));
      const rows = await cursor.read(10);
      assert.equal(rows.length, 10);
      assert.equal(pool.idleCount, 0, 'held while the cursor is open');
      await cursor.close();
      await done;
      assert.equal(pool.idleCount, 1);
    } finally {
      await pool.end();
    }
  });

  test('pg-query-stream through pool.query and on a client: every row, then the client back', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 1 });
    try {
      const stream = new QueryStream(series, [], { batchSize: 7 });
      const done = pool.query(stream);
      let sum = 0;
      for await (const row of stream) sum += (row as { n: number }).n;
      await done;
      assert.equal(sum, 5050);
      assert.equal(pool.idleCount, 1);

      const client = await pool.connect();
      const onClient = client.query(new QueryStream('SELECT $1::int AS n', [42]));
      const rows: unknown[] = [];
      for await (const row of onClient) rows.push(row);
      assert.deepEqual(rows, [{ n: 42 }]);
      client.release();
    } finally {
      await pool.end();
    }
  });

  test('a failing stream gives pg\'s error and returns its client', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 1 });
    try {
      const stream = new QueryStream('SELECT nope FROM generate_series(1, 3)');
      const done = pool.query(stream).then(
        () => assert.fail('resolved'),
        (e: unknown) => e as { code?: string },
      );
      await assert.rejects(async () => {
        for await (const row of stream) assert.fail(`a row: ${JSON.stringify(row)}`);
      }, { code: '42703' });
      assert.equal((await done).code, '42703');
      assert.equal((await pool.query('SELECT 2 AS n')).rows[0].n, 2);
    } finally {
      await pool.end();
    }
  });
});
