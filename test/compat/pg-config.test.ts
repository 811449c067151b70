// PgPool builds from exactly what pg.Pool takes: pg-pool's options with pg's defaults, every
// pg.Client option passed to the client untouched, PG* variables applied by pg itself.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import pg from 'pg';
import { PgPool } from '../../src/compat/index.js';
import { createEngine } from '../../src/engine/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { pgConfig, pgDatabase } from './support.js';

before(async () => {
  await requireDatabase(urls.postgres);
});

const engineOptions = (pool: PgPool) => (pool.engine.pool as unknown as { options: Record<string, unknown> }).options;

describe('PgPool from a pg.Pool config', () => {
  test('new PgPool({ connectionString, max: 20 }), as every pg.Pool is built', async () => {
    const pool = new PgPool({ connectionString: urls.postgres, max: 20 });
    try {
      const { rows } = await pool.query('SELECT current_database() AS db');
      assert.equal(rows[0].db, pgDatabase());
      assert.equal(pool.options.max, 20);
      assert.equal(engineOptions(pool).size, 20);
    } finally {
      await pool.end();
    }
  });

  test("pg-pool's defaults: max 10, idleTimeoutMillis 10 s, no wait limit, no lifetime, maxUses Infinity", async () => {
    const pool = new PgPool(pgConfig());
    try {
      assert.deepEqual(
        { max: pool.options.max, min: pool.options.min, idle: pool.options.idleTimeoutMillis, uses: pool.options.maxUses, life: pool.options.maxLifetimeSeconds, exit: pool.options.allowExitOnIdle },
        { max: 10, min: 0, idle: 10_000, uses: Infinity, life: 0, exit: false },
      );
      const o = engineOptions(pool);
      assert.deepEqual(
        { size: o.size, idle: o.idleTimeoutMs, wait: o.acquireTimeoutMs, life: o.maxLifetimeMs, uses: o.maxUses },
        { size: 10, idle: 10_000, wait: Infinity, life: 0, uses: 0 },
      );
      assert.equal(new PgPool({ poolSize: 4 }).options.max, 4, 'poolSize, the old name of max');
    } finally {
      await pool.end();
    }
  });

  test('pg-pool options map to the pool: max, min, idleTimeoutMillis, connectionTimeoutMillis, maxUses, maxLifetimeSeconds', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 3, min: 1, idleTimeoutMillis: 2_000, connectionTimeoutMillis: 1_500, maxUses: 7, maxLifetimeSeconds: 60 });
    try {
      const o = engineOptions(pool);
      assert.deepEqual(
        { size: o.size, minIdle: o.minIdle, idle: o.idleTimeoutMs, wait: o.acquireTimeoutMs, uses: o.maxUses, life: o.maxLifetimeMs },
        { size: 3, minIdle: 1, idle: 2_000, wait: 1_500, uses: 7, life: 60_000 },
      );
    } finally {
      await pool.end();
    }
  });

  test('the config object is not changed', async () => {
    const config = { ...pgConfig(), max: 2 };
    const copy = { ...config };
    const pool = new PgPool(config);
    await pool.query('SELECT 1');
    await pool.end();
    assert.deepEqual(config, copy);
  });

  test('PG* environment variables apply as pg applies them: new PgPool() with no config', async () => {
    const { host, port, user, database } = pgConfig();
    const saved = { ...process.env };
    Object.assign(process.env, { PGHOST: host, PGPORT: String(port), PGUSER: user, PGDATABASE: database });
    const pool = new PgPool();
    try {
      const { rows } = await pool.query('SELECT current_database() AS db, current_user AS who');
      assert.deepEqual(rows[0], { db: database, who: user });
    } finally {
      await pool.end();
      for (const key of ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  test('pg.Client options reach the client untouched: binary, statement_timeout, application_name, types', async () => {
    const types = { getTypeParser: (oid: number, format?: string) => (oid === 23 ? (v: string) => `int:${v}` : pg.types.getTypeParser(oid, format as 'text')) };
    const pool = new PgPool({ ...pgConfig(), statement_timeout: 1234, application_name: 'havuz-compat', types });
    try {
      const client = await pool.connect();
      try {
        assert.equal(client.binary, false);
        assert.equal((await client.query('SHOW statement_timeout')).rows[0].statement_timeout, '1234ms');
        assert.equal((await client.query('SHOW application_name')).rows[0].application_name, 'havuz-compat');
        assert.equal((await client.query('SELECT 7::int4 AS n')).rows[0].n, 'int:7', 'the custom type parser ran');
      } finally {
        client.release();
      }
      const binary = new PgPool({ ...pgConfig(), binary: true });
      const c = await binary.connect();
      assert.equal(c.binary, true);
      c.release();
      await binary.end();
    } finally {
      await pool.end();
    }
  });

  test("query_timeout is pg's own: the statement fails with pg's error", async () => {
    const pool = new PgPool({ ...pgConfig(), query_timeout: 100 });
    try {
      await assert.rejects(pool.query('SELECT pg_sleep(2)'), /Query read timeout/);
    } finally {
      await pool.end();
    }
  });

  test('Client: the class pg-pool builds clients from (option or second argument)', async () => {
    let built = 0;
    class CountingClient extends pg.Client {
      constructor(config: pg.ClientConfig) {
        super(config);
        built++;
      }
    }
    const byOption = new PgPool({ ...pgConfig(), Client: CountingClient });
    const byArgument = new PgPool(pgConfig(), CountingClient);
    try {
      const a = await byOption.connect();
      const b = await byArgument.connect();
      assert.ok(a instanceof CountingClient && b instanceof CountingClient);
      assert.equal(built, 2);
      assert.equal(byOption.Client, CountingClient);
      assert.equal(new PgPool(pgConfig()).Client, pg.Client);
      a.release();
      b.release();
    } finally {
      await byOption.end();
      await byArgument.end();
    }
  });

  test('onConnect(client) runs once per new client, before its first checkout; verify can refuse it', async () => {
    const seen: unknown[] = [];
    const pool = new PgPool({
      ...pgConfig(),
      max: 1,
      onConnect: async (client: pg.Client) => {
        await client.query("SET application_name = 'hooked'");
        seen.push(client);
      },
    });
    try {
      const client = await pool.connect();
      assert.equal((await client.query('SHOW application_name')).rows[0].application_name, 'hooked');
      client.release();
      const again = await pool.connect();
      assert.equal(again, client, 'the same client, not a second hook run');
      again.release();
      assert.deepEqual(seen, [client]);
    } finally {
      await pool.end();
    }
    const refusing = new PgPool({ ...pgConfig(), verify: (_client: unknown, done: (e?: Error) => void) => done(new Error('nope')) });
    await assert.rejects(refusing.connect(), { message: 'nope' });
    assert.equal(refusing.totalCount, 0);
    await refusing.end();
  });

  test('havuz options for what pg lacks sit beside them: prePing, maxQueries, statementTimeoutMs', async () => {
    const pool = new PgPool({ ...pgConfig(), prePing: true, maxQueries: 5, statementTimeoutMs: 5_000 });
    try {
      assert.equal(engineOptions(pool).prePing, true);
      assert.equal((await pool.query('SELECT 1 AS x')).rows[0].x, 1);
    } finally {
      await pool.end();
    }
  });

  test('bad input fails at the constructor with HAVUZ_INVALID_OPTION naming the option', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ max: -1 }, 'max'],
      [{ max: 1.5 }, 'max'],
      [{ max: 2, min: 3 }, 'min'],
      [{ idleTimeoutMillis: 'soon' }, 'idleTimeoutMillis'],
      [{ connectionTimeoutMillis: -5 }, 'connectionTimeoutMillis'],
      [{ maxUses: 0.5 }, 'maxUses'],
      [{ onConnect: 'yes' }, 'onConnect'],
      [{ Client: {} }, 'Client'],
      [{ max: 3, size: 3 }, 'size'],
      [{ idleTimeoutMillis: 1, idleTimeoutMs: 1 }, 'idleTimeoutMs'],
      [{ prePing: 'yes' }, 'prePing'],
    ];
    for (const [config, option] of cases) {
      assert.throws(() => new PgPool(config), (error: { code?: string; option?: string; message: string }) => {
        assert.equal(error.code, 'HAVUZ_INVALID_OPTION', JSON.stringify(config));
        assert.equal(error.option, option, error.message);
        return true;
      });
    }
  });

  test('new PgPool(url, options) and new PgPool(engine) keep working; an engine handed in stays usable after end()', async () => {
    const fromUrl = new PgPool(urls.postgres, { size: 2 });
    assert.equal((await fromUrl.query('SELECT 1 AS x')).rows[0].x, 1);
    assert.equal(fromUrl.options.max, 2);
    await fromUrl.end();
    const engine = createEngine(urls.postgres, { size: 2 });
    const onEngine = new PgPool(engine);
    assert.equal((await onEngine.query('SELECT 2 AS x')).rows[0].x, 2);
    await onEngine.end();
    assert.equal((await engine.query('SELECT 3 AS x')).rows[0]!.x, 3);
    await engine.close();
  });
});

