// Kysely 0.29 on PgPool and MysqlPool, as its users set it up: queries, transactions, streaming
// through pg-cursor, and its query cancellation (an AbortSignal with 'cancel query' or 'kill
// session'), which builds a control client from the pool's `Client` and `options`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kysely, MysqlDialect, PostgresDialect, sql, type Generated } from 'kysely';
import Cursor from 'pg-cursor';
import { MysqlPool, PgPool } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { mysqlConfig, pgConfig, table } from './support.js';

interface People {
  id: Generated<number>;
  name: string;
}
type Db = Record<string, People>;

/** Whether a session is still running a statement, seen from outside it. */
async function running(pool: PgPool, pattern: string): Promise<number> {
  const { rows } = await pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1", [`%${pattern}%`]);
  return rows[0].n;
}

describe('Kysely on PgPool (PostgreSQL)', () => {
  const people = table('cmp_kysely');
  let pool: PgPool;
  let db: Kysely<Db>;
  before(async () => {
    await requireDatabase(urls.postgres);
    pool = new PgPool({ ...pgConfig(), max: 3 });
    db = new Kysely<Db>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
    await sql`CREATE TABLE ${sql.table(people)} (id SERIAL PRIMARY KEY, name TEXT NOT NULL)`.execute(db);
  });
  after(async () => {
    await sql`DROP TABLE IF EXISTS ${sql.table(people)}`.execute(db);
    await db.destroy(); // calls pool.end()
    assert.equal(pool.ended, true);
  });

  test('insert, select, a rolled-back transaction; every checkout came back', async () => {
    await db.insertInto(people).values([{ name: 'ada' }, { name: 'bob' }]).execute();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto(people).values({ name: 'ghost' }).execute();
        throw new Error('abort');
      }),
      /abort/,
    );
    const rows = await db.selectFrom(people).select('name').orderBy('name').execute();
    assert.deepEqual(rows.map((r) => r.name), ['ada', 'bob']);
    assert.ok(pool.totalCount <= 3);
    const { acquired, released } = pool.engine.status().counters;
    assert.equal(acquired, released);
  });

  test('streaming with pg-cursor, in chunks', async () => {
    const seen: number[] = [];
    for await (const row of db.selectNoFrom(sql<number>`generate_series(1, 25)`.as('n')).stream(10)) seen.push(row.n);
    assert.equal(seen.length, 25);
    assert.equal(seen.at(-1), 25);
  });

  test("its query cancellation: an aborted signal with 'cancel query' stops the statement on the server", async () => {
    const controller = new AbortController();
    const query = db.selectNoFrom(sql<number>`pg_sleep(5)`.as('slept')).execute({ signal: controller.signal, inflightQueryAbortStrategy: 'cancel query' });
    await eventually(undefined, 'pg_sleep(5) running on the server', async () => (await running(pool, 'pg_sleep(5)')) === 1);
    controller.abort(new Error('user gave up'));
    await assert.rejects(query, { message: 'user gave up' });
    await eventually(undefined, 'pg_sleep(5) ended on the server', async () => (await running(pool, 'pg_sleep(5)')) === 0, 4_000);
    assert.equal((await db.selectNoFrom(sql<number>`1`.as('one')).executeTakeFirstOrThrow()).one, 1, 'the pool serves on');
  });

  test("'kill session' ends the backend; the pool replaces the connection", async () => {
    const controller = new AbortController();
    const query = db.selectNoFrom(sql<number>`pg_sleep(5)`.as('slept')).execute({ signal: controller.signal, inflightQueryAbortStrategy: 'kill session' });
    await eventually(undefined, 'pg_sleep(5) running on the server', async () => (await running(pool, 'pg_sleep(5)')) === 1);
    controller.abort(new Error('killed'));
    await assert.rejects(query, { message: 'killed' });
    await eventually(undefined, 'pg_sleep(5) ended on the server', async () => (await running(pool, 'pg_sleep(5)')) === 0, 4_000);
    assert.equal((await db.selectNoFrom(sql<number>`2`.as('two')).executeTakeFirstOrThrow()).two, 2);
  });
});

test("cancellation on a PgPool built from a URL: its options give Kysely's control client the URL's target", async () => {
  await requireDatabase(urls.postgres);
  const pool = new PgPool(urls.postgres, { size: 2 });
  const db = new Kysely<Db>({ dialect: new PostgresDialect({ pool }) });
  try {
    assert.equal(pool.Client.name, 'Client');
    const controller = new AbortController();
    const query = db.selectNoFrom(sql<number>`pg_sleep(5)`.as('slept')).execute({ signal: controller.signal, inflightQueryAbortStrategy: 'cancel query' });
    await eventually(undefined, 'pg_sleep(5) running on the server', async () => (await running(pool, 'pg_sleep(5)')) === 1);
    controller.abort(new Error('stop'));
    await assert.rejects(query, { message: 'stop' });
    await eventually(undefined, 'pg_sleep(5) ended on the server', async () => (await running(pool, 'pg_sleep(5)')) === 0, 4_000);
  } finally {
    await db.destroy();
  }
});

describe('Kysely on MysqlPool (MariaDB)', () => {
  const people = table('cmp_kysely');
  let pool: MysqlPool;
  let db: Kysely<Db>;
  before(async () => {
    await requireDatabase(urls.mysql);
    pool = new MysqlPool({ ...mysqlConfig(), connectionLimit: 2 });
    db = new Kysely<Db>({ dialect: new MysqlDialect({ pool: pool as never }) });
    await sql`CREATE TABLE ${sql.table(people)} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL)`.execute(db);
  });
  after(async () => {
    await sql`DROP TABLE IF EXISTS ${sql.table(people)}`.execute(db);
    await db.destroy();
  });

  test('insert, select and a rolled-back transaction', async () => {
    const result = await db.insertInto(people).values({ name: 'ada' }).executeTakeFirst();
    assert.equal(result.insertId, 1n);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto(people).values({ name: 'ghost' }).execute();
        throw new Error('abort');
      }),
      /abort/,
    );
    const rows = await db.selectFrom(people).select('name').execute();
    assert.deepEqual(rows.map((r) => r.name), ['ada']);
  });

  test("its query cancellation: 'cancel query' runs KILL QUERY from another pooled connection", async (t) => {
    const sleeping = async (): Promise<number> => {
      const [rows] = (await pool.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'select SLEEP(5)%'")) as unknown as [{ n: number }[]];
      return Number(rows[0]!.n);
    };
    const controller = new AbortController();
    const started = Date.now();
    const query = db.selectNoFrom(sql<number>`SLEEP(5)`.as('slept')).execute({ signal: controller.signal, inflightQueryAbortStrategy: 'cancel query' });
    await eventually(t, 'SLEEP(5) running on the server', async () => (await sleeping()) === 1);
    controller.abort(new Error('user gave up'));
    await assert.rejects(query, { message: 'user gave up' });
    // KILL QUERY only flags the thread; the server ends the statement a moment later.
    await eventually(t, 'SLEEP(5) no longer running on the server', async () => (await sleeping()) === 0, 3_000);
    assert.ok(Date.now() - started < 4_000, 'ended well before the 5 s sleep');
  });
});
