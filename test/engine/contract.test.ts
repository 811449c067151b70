import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  ConnectError,
  ConnectionLostError,
  DatabaseError,
  PoolTimeoutError,
  StatementTimeoutError,
  createEngine,
  type Engine,
  type EngineOptions,
} from '../../src/engine/index.js';
import { LeaseError } from '../../src/core/errors.js';
import { requireDatabase } from '../support/databases.js';
import { kits } from './kits.js';

/**
 * Resolves with the first 'close' event whose reason matches, or fails after `ms`. The ref'd
 * guard timer also keeps the event loop alive: SQLite has no socket that would, and the pool's
 * own timers are unref'd by design.
 */
function closed(engine: Engine, reason: string, ms = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`no '${reason}' close within ${ms} ms`)), ms);
    const off = engine.on('close', (e) => {
      if (e.reason === reason) {
        off();
        clearTimeout(guard);
        resolve();
      }
    });
  });
}

for (const kit of kits) {
  describe(`engine on ${kit.name}`, () => {
    const engines: Engine[] = [];
    const table = (name: string) => `eng_${name}_${kit.name.replace('-', '_')}`;
    const open = (options: EngineOptions = {}, url = kit.url()) => {
      const engine = createEngine(url, { acquireTimeoutMs: 5_000, ...options });
      engines.push(engine);
      return engine;
    };
    const isStatic = kit.name === 'sqlite-memory';
    const hasServer = kit.kill !== undefined;

    before(async () => {
      await requireDatabase(kit.url());
    });
    after(async () => {
      await Promise.all(engines.map((e) => e.close({ timeoutMs: 1_000 })));
      kit.cleanup();
    });

    test('CRUD with parameters in the driver placeholder style', async () => {
      const db = open();
      const t = table('crud');
      await db.query(`DROP TABLE IF EXISTS ${t}`);
      await db.query(`CREATE TABLE ${t} (${kit.autoId}, name VARCHAR(50) NOT NULL, n INT)`);
      const inserted = await db.query(`INSERT INTO ${t} (name, n) VALUES (${kit.p(1)}, ${kit.p(2)})`, ['ada', 1]);
      assert.equal(inserted.rowCount, 1);
      const { rows } = await db.query<{ name: string; n: number }>(`SELECT name, n FROM ${t} WHERE name = ${kit.p(1)}`, ['ada']);
      assert.deepEqual(rows.map((r) => [r.name, Number(r.n)]), [['ada', 1]]);
      const updated = await db.query(`UPDATE ${t} SET n = n + 1 WHERE name = ${kit.p(1)}`, ['ada']);
      assert.equal(updated.rowCount, 1);
      const deleted = await db.query(`DELETE FROM ${t} WHERE n = ${kit.p(1)}`, [2]);
      assert.equal(deleted.rowCount, 1);
      await db.query(`DROP TABLE ${t}`);
    });

    test('bulk insert of 500 rows in one transaction', async () => {
      const db = open();
      const t = table('bulk');
      await db.query(`DROP TABLE IF EXISTS ${t}`);
      await db.query(`CREATE TABLE ${t} (${kit.autoId}, email VARCHAR(80) NOT NULL)`);
      await db.transaction(async (tx) => {
        for (let i = 0; i < 500; i += 100) {
          const values = Array.from({ length: 100 }, (_, j) => `(${kit.p(j + 1)})`).join(', ');
          await tx.query(`INSERT INTO ${t} (email) VALUES ${values}`, Array.from({ length: 100 }, (_, j) => `u${i + j}@x`));
        }
      });
      const { rows } = await db.query<{ c: number }>(`SELECT COUNT(*) AS c FROM ${t}`);
      assert.equal(Number(rows[0]!.c), 500);
      await db.query(`DROP TABLE ${t}`);
    });

    test('users + audit_log: an error in the second insert leaves no row', async () => {
      const db = open();
      const users = table('users');
      const audit = table('audit');
      for (const t of [audit, users]) await db.query(`DROP TABLE IF EXISTS ${t}`);
      await db.query(`CREATE TABLE ${users} (${kit.autoId}, email VARCHAR(80) NOT NULL UNIQUE)`);
      await db.query(`CREATE TABLE ${audit} (${kit.autoId}, action VARCHAR(40) NOT NULL)`);

      await db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${users} (email) VALUES (${kit.p(1)})`, ['ok@x']);
        await tx.query(`INSERT INTO ${audit} (action) VALUES (${kit.p(1)})`, ['create_user']);
      });
      const failure = await db
        .transaction(async (tx) => {
          await tx.query(`INSERT INTO ${users} (email) VALUES (${kit.p(1)})`, ['bad@x']);
          await tx.query(`INSERT INTO ${audit} (action) VALUES (${kit.p(1)})`, [null]); // NOT NULL violation
        })
        .then(() => undefined, (e: unknown) => e);
      assert.ok(failure instanceof DatabaseError, `expected DatabaseError, got ${inspect(failure)}`);
      const { rows } = await db.query<{ email: string }>(`SELECT email FROM ${users} ORDER BY email`);
      assert.deepEqual(rows.map((r) => r.email), ['ok@x']);
      const count = await db.query<{ c: number }>(`SELECT COUNT(*) AS c FROM ${audit}`);
      assert.equal(Number(count.rows[0]!.c), 1);
      assert.equal(db.status().counters.created, 1, 'the rolled-back connection went back and was reused');
      for (const t of [audit, users]) await db.query(`DROP TABLE ${t}`);
    });

    test('nested transactions use savepoints', async () => {
      const db = open();
      const t = table('nested');
      await db.query(`DROP TABLE IF EXISTS ${t}`);
      await db.query(`CREATE TABLE ${t} (${kit.autoId}, v VARCHAR(20) NOT NULL)`);
      await db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${t} (v) VALUES (${kit.p(1)})`, ['outer']);
        await assert.rejects(
          tx.transaction(async (inner) => {
            await inner.query(`INSERT INTO ${t} (v) VALUES (${kit.p(1)})`, ['inner']);
            throw new Error('inner fails');
          }),
          /inner fails/,
        );
        await tx.transaction(async (inner) => {
          await inner.query(`INSERT INTO ${t} (v) VALUES (${kit.p(1)})`, ['inner2']);
        });
      });
      const { rows } = await db.query<{ v: string }>(`SELECT v FROM ${t} ORDER BY id`);
      assert.deepEqual(rows.map((r) => r.v), ['outer', 'inner2']);
      await db.query(`DROP TABLE ${t}`);
    });

    test('a unique violation is a DatabaseError carrying the server code', async () => {
      const db = open();
      const t = table('uniq');
      await db.query(`DROP TABLE IF EXISTS ${t}`);
      await db.query(`CREATE TABLE ${t} (${kit.autoId}, email VARCHAR(80) NOT NULL UNIQUE)`);
      await db.query(`INSERT INTO ${t} (email) VALUES (${kit.p(1)})`, ['a@x']);
      const error = await db.query(`INSERT INTO ${t} (email) VALUES (${kit.p(1)})`, ['a@x']).catch((e: unknown) => e);
      assert.ok(error instanceof DatabaseError);
      assert.equal(error.code, 'HAVUZ_DATABASE_ERROR');
      assert.equal(error.serverCode, kit.uniqueViolation);
      assert.ok(!(error instanceof PoolTimeoutError) && !(error instanceof ConnectError));
      await db.query(`DROP TABLE ${t}`);
    });

    test('a released connection fails loudly on later use', async () => {
      const db = open();
      const conn = await db.connect();
      conn.release();
      await assert.rejects(conn.query('SELECT 1'), (e: unknown) => e instanceof LeaseError && e.code === 'HAVUZ_LEASE_RELEASED');
    });

    test('init hook runs once on every new connection', async () => {
      const seen: unknown[] = [];
      const db = open({
        initSql: kit.setSession,
        init: async (c) => {
          seen.push((await c.query(kit.readSession)).rows[0]);
        },
      });
      await db.query('SELECT 1');
      await db.query('SELECT 1');
      assert.equal(seen.length, 1, 'init ran for the one connection, not per query');
      assert.equal(db.status().counters.created, 1);
    });

    test("a failing initSql rejects the query as HAVUZ_CREATE_FAILED in phase 'init', and keeps no connection", async () => {
      const db = open({ initSql: 'SELECT no_such_function_havuz()' });
      const phases: string[] = [];
      db.on('connection-error', (e) => phases.push(e.phase));
      await assert.rejects(db.query('SELECT 1'), (e: any) => {
        assert.equal(e.code, 'HAVUZ_CREATE_FAILED');
        assert.equal(e.phase, 'init');
        assert.match(e.message, /could not initialise a new connection: .*no_such_function_havuz/);
        return true;
      });
      assert.deepEqual(phases, ['init']);
      const status = db.status();
      assert.deepEqual([status.size, status.connecting, status.counters.createErrors], [0, 0, 1]);
    });

    if (!isStatic) {
      test('recycle: a connection past maxLifetimeMs is replaced', async () => {
        const db = open({ size: 1, maxLifetimeMs: 150, maxLifetimeJitter: 0, housekeepingMs: 25, idleTimeoutMs: 0 });
        const first = await db.connect();
        const raw = first.raw;
        first.release();
        await closed(db, 'max-lifetime');
        const second = await db.connect();
        assert.notEqual(second.raw, raw);
        second.release();
      });

      test('maxQueries recycles a connection after N queries', async () => {
        const db = open({ size: 1, maxQueries: 3 });
        const raws: unknown[] = [];
        for (let i = 0; i < 4; i++) {
          const conn = await db.connect();
          raws.push(conn.raw);
          await conn.query('SELECT 1');
          conn.release();
        }
        assert.equal(raws[0], raws[1]);
        assert.equal(raws[1], raws[2]);
        assert.notEqual(raws[2], raws[3], 'the fourth query runs on a fresh connection');
      });

      test('a pool timeout is a PoolTimeoutError, told apart from database errors', async () => {
        const db = open({ size: 1, acquireTimeoutMs: 100 });
        const held = await db.connect({ timeoutMs: 10_000 }); // the first connect may take longer than 100 ms on a busy machine
        const error = await db.query('SELECT 1').catch((e: unknown) => e);
        assert.ok(error instanceof PoolTimeoutError);
        assert.ok(!(error instanceof DatabaseError));
        assert.match((error as Error).message, /in use 1/);
        held.release();
        await db.query('SELECT 1');
      });
    }

    if (hasServer) {
      test('pre-ping replaces a connection the server killed', async () => {
        const db = open({ size: 1, prePing: true, prePingBypassMs: 0 });
        const admin = open({ size: 1 });
        const before = (await db.query<{ id: unknown }>(kit.backendId)).rows[0]!.id;
        await kit.kill!(admin, before);
        const after = (await db.query<{ id: unknown }>(kit.backendId)).rows[0]!.id;
        assert.notEqual(after, before);
        const c = db.status().counters;
        assert.ok(c.destroyed >= 1, 'the dead connection was closed');
      });

      test('a connection killed while checked out is invalidated, not reused', async () => {
        const db = open({ size: 1 });
        const admin = open({ size: 1 });
        const conn = await db.connect();
        const id = (await conn.query<{ id: unknown }>(kit.backendId)).rows[0]!.id;
        await kit.kill!(admin, id);
        const error = await conn.query('SELECT 1').catch((e: unknown) => e);
        assert.ok(error instanceof ConnectionLostError, `expected ConnectionLostError, got ${inspect(error)}`);
        conn.release();
        const fresh = (await db.query<{ id: unknown }>(kit.backendId)).rows[0]!.id;
        assert.notEqual(fresh, id);
      });

      test('session state does not leak to the next lease with fullReset', async () => {
        const db = open({ size: 1, fullReset: true });
        const first = await db.connect();
        await first.query(kit.setSession);
        first.release();
        const second = await db.connect();
        const { rows } = await second.query<{ v: unknown }>(kit.readSession);
        second.release();
        assert.equal(rows[0]!.v, kit.sessionDefault);
      });

      test('init state survives a full reset: init runs again after it', async () => {
        let inits = 0;
        const db = open({ size: 1, fullReset: true, initSql: kit.setSession, init: () => void inits++ });
        for (let i = 0; i < 2; i++) {
          const { rows } = await db.query<{ v: unknown }>(kit.readSession);
          assert.notEqual(rows[0]!.v, kit.sessionDefault, `lease ${i + 1} sees the init SQL's setting`);
        }
        assert.equal(db.status().counters.created, 1);
        assert.ok(inits >= 2, 'init ran on connect and again after the full reset');
      });

      test('an open transaction is rolled back on return', async () => {
        const db = open({ size: 1 });
        const t = table('reset_tx');
        await db.query(`DROP TABLE IF EXISTS ${t}`);
        await db.query(`CREATE TABLE ${t} (${kit.autoId}, v INT)`);
        const conn = await db.connect();
        await conn.query('BEGIN');
        await conn.query(`INSERT INTO ${t} (v) VALUES (1)`);
        conn.release(); // without COMMIT
        const { rows } = await db.query<{ c: number }>(`SELECT COUNT(*) AS c FROM ${t}`);
        assert.equal(Number(rows[0]!.c), 0);
        await db.query(`DROP TABLE ${t}`);
      });

      test('statement timeout cancels a long statement and the engine keeps serving', async () => {
        const db = open({ size: 1, statementTimeoutMs: 200 });
        const error = await db.query(kit.sleep(5)).catch((e: unknown) => e);
        assert.ok(error instanceof StatementTimeoutError || error instanceof ConnectionLostError, inspect(error));
        const { rows } = await db.query<{ x: number }>('SELECT 1 AS x');
        assert.equal(Number(rows[0]!.x), 1);
      });

      test('a database that refuses connections fails fast with ConnectError', async () => {
        const url = kit.url().replace(/:(\d+)\//, ':1/');
        const db = open({ acquireTimeoutMs: 10_000 }, url);
        const started = Date.now();
        const error = await db.query('SELECT 1').catch((e: unknown) => e);
        assert.ok(error instanceof ConnectError, inspect(error));
        assert.ok(Date.now() - started < 5_000, 'failed before the acquire timeout');
      });

      test('URL options configure the pool, and the password never shows', async () => {
        const withSecret = kit.url().replace('//', '//havuzuser:s3cret-pw@').replace(/\?.*$/, '');
        const db = open({}, `${withSecret}?poolSize=3&prePing=true`);
        assert.equal(db.status().max, 3);
        assert.doesNotMatch(inspect(db), /s3cret-pw/);
        assert.doesNotMatch(JSON.stringify(db), /s3cret-pw/);
        const error = await db.query('SELECT 1').catch((e: unknown) => e);
        assert.ok(error instanceof Error);
        assert.doesNotMatch(inspect(error), /s3cret-pw/);
      });
    }
  });
}

test('idle-connection death is reported as an event, never an uncaught error', async () => {
  await requireDatabase(kits[0]!.url());
  const db = createEngine(kits[0]!.url(), { size: 1 });
  const admin = createEngine(kits[0]!.url(), { size: 1 });
  try {
    const id = (await db.query<{ id: number }>('SELECT pg_backend_pid() AS id')).rows[0]!.id;
    // A ref'd guard keeps the test alive while it waits: an idle pooled socket no longer does.
    let guard: NodeJS.Timeout | undefined;
    const error = new Promise((resolve, reject) => {
      guard = setTimeout(() => reject(new Error('no connection-error within 5 s')), 5_000);
      db.on('connection-error', resolve);
    });
    await admin.query('SELECT pg_terminate_backend($1)', [id]);
    const event = (await error) as { phase: string };
    clearTimeout(guard);
    assert.equal(event.phase, 'idle');
    assert.equal(db.status().size, 0, 'the dead idle connection left the pool');
    const { rows } = await db.query<{ x: number }>('SELECT 1 AS x');
    assert.equal(rows[0]!.x, 1);
  } finally {
    await Promise.all([db.close(), admin.close()]);
  }
});
