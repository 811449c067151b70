import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { drizzle } from 'drizzle-orm/node-postgres';
import { eq } from 'drizzle-orm';
import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import { Kysely, MysqlDialect, PostgresDialect, sql, type Generated } from 'kysely';
import { MysqlPool } from '../../src/compat/index.js';
import { PgPool } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';

interface Db {
  cmp_people: { id: Generated<number>; name: string };
}

describe('Kysely on havuz (PostgreSQL)', () => {
  let pool: PgPool;
  let db: Kysely<Db>;
  before(async () => {
    await requireDatabase(urls.postgres);
    pool = new PgPool(urls.postgres, { size: 3 });
    db = new Kysely<Db>({ dialect: new PostgresDialect({ pool }) });
    await sql`DROP TABLE IF EXISTS cmp_people`.execute(db);
    await sql`CREATE TABLE cmp_people (id SERIAL PRIMARY KEY, name TEXT NOT NULL)`.execute(db);
  });
  after(async () => {
    await sql`DROP TABLE IF EXISTS cmp_people`.execute(db);
    await db.destroy(); // calls pool.end()
  });

  test('insert, select and a rolled-back transaction', async () => {
    await db.insertInto('cmp_people').values([{ name: 'ada' }, { name: 'bob' }]).execute();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('cmp_people').values({ name: 'ghost' }).execute();
        throw new Error('abort');
      }),
      /abort/,
    );
    const rows = await db.selectFrom('cmp_people').select('name').orderBy('name').execute();
    assert.deepEqual(rows.map((r) => r.name), ['ada', 'bob']);
    assert.ok(pool.totalCount <= 3);
    assert.equal(pool.waitingCount, 0);
    assert.equal(pool.engine.status().counters.acquired, pool.engine.status().counters.released, 'every checkout came back');
  });
});

describe('Drizzle on havuz (PostgreSQL)', () => {
  const people = pgTable('cmp_drizzle', { id: serial('id').primaryKey(), name: text('name').notNull() });
  let pool: PgPool;
  before(async () => {
    await requireDatabase(urls.postgres);
    pool = new PgPool(urls.postgres, { size: 2 });
    await pool.query('DROP TABLE IF EXISTS cmp_drizzle');
    await pool.query('CREATE TABLE cmp_drizzle (id SERIAL PRIMARY KEY, name TEXT NOT NULL)');
  });
  after(async () => {
    await pool.query('DROP TABLE IF EXISTS cmp_drizzle');
    await pool.end();
  });

  test('insert returning, select, and a transaction that rolls back on throw', async () => {
    const db = drizzle(pool as never);
    const [ada] = await db.insert(people).values({ name: 'ada' }).returning();
    assert.equal(ada!.name, 'ada');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.insert(people).values({ name: 'ghost' });
        throw new Error('abort');
      }),
      /abort/,
    );
    const rows = await db.select().from(people).where(eq(people.name, 'ghost'));
    assert.deepEqual(rows, [], 'the transaction ran on one client and rolled back');
    assert.equal((await db.select().from(people)).length, 1);
  });

  test('a client checked out with connect() is the real pg client and goes back on release()', async () => {
    const client = (await pool.connect()) as { query(sql: string): Promise<{ rows: { x: number }[] }>; release(): void };
    assert.equal((await client.query('SELECT 1 AS x')).rows[0]!.x, 1);
    client.release();
    assert.equal(pool.engine.status().inUse, 0);
    assert.throws(() => client.release(), { code: 'HAVUZ_LEASE_RELEASED' });
  });
});

describe('Kysely on havuz (MariaDB)', () => {
  let pool: MysqlPool;
  let db: Kysely<Db>;
  before(async () => {
    await requireDatabase(urls.mysql);
    pool = new MysqlPool(urls.mysql, { size: 2 });
    db = new Kysely<Db>({ dialect: new MysqlDialect({ pool: pool as never }) });
    await sql`DROP TABLE IF EXISTS cmp_people`.execute(db);
    await sql`CREATE TABLE cmp_people (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL)`.execute(db);
  });
  after(async () => {
    await sql`DROP TABLE IF EXISTS cmp_people`.execute(db);
    await db.destroy();
  });

  test('insert, select and a rolled-back transaction', async () => {
    const result = await db.insertInto('cmp_people').values({ name: 'ada' }).executeTakeFirst();
    assert.equal(result.insertId, 1n);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('cmp_people').values({ name: 'ghost' }).execute();
        throw new Error('abort');
      }),
      /abort/,
    );
    const rows = await db.selectFrom('cmp_people').select('name').execute();
    assert.deepEqual(rows.map((r) => r.name), ['ada']);
  });
});
