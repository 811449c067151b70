// Drizzle on PgPool (drizzle-orm/node-postgres) and on MysqlPool (drizzle-orm/mysql2, which takes
// mysql2's callback pool and uses its promise() side), as Drizzle's users hand it a pool.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2';
import { int, mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import { MysqlPool, PgPool } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { mysqlConfig, pgConfig, table } from './support.js';

describe('Drizzle on PgPool', () => {
  const name = table('cmp_drizzle');
  const people = pgTable(name, { id: serial('id').primaryKey(), name: text('name').notNull() });
  let pool: PgPool;
  before(async () => {
    await requireDatabase(urls.postgres);
    pool = new PgPool({ ...pgConfig(), max: 2 });
    await pool.query(`CREATE TABLE ${name} (id SERIAL PRIMARY KEY, name TEXT NOT NULL)`);
  });
  after(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${name}`);
    await pool.end();
  });

  test('insert returning, select, a transaction that rolls back on throw, a nested one that keeps its savepoint', async () => {
    const db = drizzlePg({ client: pool as never });
    const [ada] = await db.insert(people).values({ name: 'ada' }).returning();
    assert.equal(ada!.name, 'ada');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.insert(people).values({ name: 'ghost' });
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.deepEqual(await db.select().from(people).where(eq(people.name, 'ghost')), [], 'the transaction ran on one client and rolled back');
    await db.transaction(async (tx) => {
      await tx.insert(people).values({ name: 'kept' });
      await assert.rejects(
        tx.transaction(async (inner) => {
          await inner.insert(people).values({ name: 'inner' });
          throw new Error('inner');
        }),
        /inner/,
      );
    });
    const names = (await db.select({ name: people.name }).from(people)).map((r) => r.name).sort();
    assert.deepEqual(names, ['ada', 'kept']);
    const { acquired, released } = pool.engine.status().counters;
    assert.equal(acquired, released);
  });
});

describe('Drizzle on MysqlPool', () => {
  const name = table('cmp_drizzle');
  const people = mysqlTable(name, { id: int('id').primaryKey().autoincrement(), name: varchar('name', { length: 50 }).notNull() });
  let pool: MysqlPool;
  before(async () => {
    await requireDatabase(urls.mysql);
    pool = new MysqlPool({ ...mysqlConfig(), connectionLimit: 2 });
    await pool.query(`CREATE TABLE ${name} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL)`);
  });
  after(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${name}`);
    await pool.end();
  });

  test('insert, select and a transaction that rolls back on throw', async () => {
    const db = drizzleMysql({ client: pool as never });
    await db.insert(people).values({ name: 'ada' });
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.insert(people).values({ name: 'ghost' });
        throw new Error('abort');
      }),
      /abort/,
    );
    const rows = await db.select().from(people);
    assert.deepEqual(rows.map((r) => r.name), ['ada']);
    assert.equal(pool.engine.status().inUse, 0);
  });
});
