// TypeORM with PgPool as its pool: TypeORM's postgres driver takes a pg-like module (`driver`) and
// builds its pool itself, with `new driver.Pool({ host, user, password, database, max, ... })`,
// so this also shows PgPool taking the config a real pg.Pool user passes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { DataSource, EntitySchema } from 'typeorm';
import { PgPool } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { pgConfig, table } from './support.js';

interface Person {
  id: number;
  name: string;
}

describe('TypeORM with PgPool as its pool', () => {
  const name = table('cmp_typeorm');
  const People = new EntitySchema<Person>({
    name: 'Person',
    tableName: name,
    columns: { id: { type: Number, primary: true, generated: true }, name: { type: String } },
  });
  let source: DataSource;
  before(async () => {
    await requireDatabase(urls.postgres);
    const { host, port, user, password, database } = pgConfig() as Record<string, string | number | undefined>;
    source = new DataSource({
      type: 'postgres',
      // A pg-like module whose Pool is havuz's: what TypeORM's `driver` option is for.
      driver: { ...pg, Pool: PgPool },
      host: host as string,
      port: port as number,
      username: user as string,
      password: password as string | undefined,
      database: database as string,
      poolSize: 3,
      // TypeORM passes `extra` to the pool as is: havuz's own options ride along.
      extra: { statementTimeoutMs: 10_000, prePing: true },
      entities: [People],
      synchronize: true,
    });
    await source.initialize();
  });
  after(async () => {
    await source.query(`DROP TABLE IF EXISTS ${name}`);
    const pool = (source.driver as unknown as { master: PgPool }).master;
    await source.destroy();
    assert.equal(pool.ended, true, "TypeORM's destroy ends the pool");
  });

  test('the pool TypeORM built is a PgPool, with its options', () => {
    const pool = (source.driver as unknown as { master: unknown }).master;
    assert.ok(pool instanceof PgPool);
    assert.equal(pool.options.max, 3);
    assert.equal((pool.engine.pool as unknown as { options: { prePing: boolean } }).options.prePing, true);
  });

  test('schema sync, save and find, a transaction that rolls back, a query runner', async () => {
    const repo = source.getRepository(People);
    await repo.save([{ name: 'ada' }, { name: 'bob' }]);
    await assert.rejects(
      source.transaction(async (manager) => {
        await manager.getRepository(People).save({ name: 'ghost' });
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.deepEqual((await repo.find({ order: { name: 'ASC' } })).map((p) => p.name), ['ada', 'bob']);
    const runner = source.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query(`INSERT INTO ${name} (name) VALUES ($1)`, ['carl']);
    await runner.commitTransaction();
    await runner.release();
    assert.equal(await repo.count(), 3);
    const pool = (source.driver as unknown as { master: PgPool }).master;
    assert.equal(pool.engine.status().inUse, 0, 'every client came back');
  });
});
