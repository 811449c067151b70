import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { HavuzError } from '../../src/core/errors.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import { quiesce } from './support/load.js';
import { Admin, appName, IN_CI, PG_URL, reachable, withParams } from './support/postgres.js';

/**
 * havuz in front of PgBouncer in transaction mode (scripts/pgbouncer.sh: 127.0.0.1:6432 in front
 * of the local PostgreSQL). A server connection belongs to a client only for one transaction, so
 * nothing may rely on session state: parameterised queries use pg's unnamed prepared statement
 * (Parse/Bind/Execute/Sync in one round trip, which PgBouncer keeps on one server), transactions
 * are pinned by BEGIN...COMMIT, and statement timeouts are cancel requests, not `SET`.
 */

const BOUNCER_URL = process.env.HAVUZ_PGBOUNCER_URL ?? 'postgres://postgres@127.0.0.1:6432/test';
const script = fileURLToPath(new URL('../../scripts/pgbouncer.sh', import.meta.url));

async function bouncerUp(): Promise<boolean> {
  if (await reachable(BOUNCER_URL)) return true;
  // Idempotent: starts PgBouncer when it is installed and down.
  await promisify(execFile)('bash', [script], { timeout: 30_000 }).catch(() => undefined);
  return reachable(BOUNCER_URL);
}

const up = (await reachable(PG_URL)) && (await bouncerUp());

describe(
  'through PgBouncer (transaction mode)',
  { skip: up || IN_CI ? false : 'PgBouncer is not available (apt-get install pgbouncer; bash scripts/pgbouncer.sh); CI=true makes this a failure', timeout: 60_000 },
  () => {
    const engines: Engine[] = [];
    let admin: Admin;
    const table = `flt_pgb_${process.pid}`;
    const open = (label: string, options: EngineOptions = {}): Engine => {
      const engine = createEngine(withParams(BOUNCER_URL, { application_name: appName(`pgb_${label}`) }), {
        size: 5,
        acquireTimeoutMs: 5_000,
        ...options,
      });
      engines.push(engine);
      return engine;
    };

    before(async () => {
      assert.ok(up, `PgBouncer does not answer at ${BOUNCER_URL}`);
      admin = await Admin.connect();
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.query(`CREATE TABLE ${table} (id SERIAL PRIMARY KEY, v INT NOT NULL)`);
    });
    after(async () => {
      await Promise.all(engines.map((e) => e.close({ timeoutMs: 1_000 })));
      await admin?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
      await admin?.close();
    });

    test('it is really PgBouncer in transaction mode', async () => {
      // PgBouncer's admin console speaks only the simple protocol: a query without values.
      const console = new pg.Client({ connectionString: BOUNCER_URL.replace(/\/test$/, '/pgbouncer') });
      await console.connect();
      try {
        const { rows } = await console.query<{ key: string; value: string }>('SHOW CONFIG');
        assert.equal(rows.find((r) => r.key === 'pool_mode')?.value, 'transaction');
      } finally {
        await console.end();
      }
    });

    test('parameterised queries from many callers at once (unnamed prepared statements) all return their own result', async () => {
      const engine = open('params');
      const results = await Promise.all(
        Array.from({ length: 400 }, async (_, i) => {
          const { rows } = await engine.query<{ a: number; b: string }>('SELECT $1::int * 2 AS a, $2::text AS b', [i, `v${i}`]);
          return rows[0]!.a === i * 2 && rows[0]!.b === `v${i}`;
        }),
      );
      assert.equal(results.filter(Boolean).length, 400);
      const s = await quiesce(() => engine.status());
      assert.deepEqual([s.inUse, s.pending], [0, 0]);
    });

    test('transactions commit, roll back and use savepoints on one server connection', async () => {
      const engine = open('tx');
      await engine.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} (v) VALUES ($1)`, [1]);
        await tx.query(`INSERT INTO ${table} (v) VALUES ($1)`, [2]);
      });
      await assert.rejects(
        engine.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} (v) VALUES ($1)`, [3]);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      await engine.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} (v) VALUES ($1)`, [4]);
        await assert.rejects(
          tx.transaction(async (inner) => {
            await inner.query(`INSERT INTO ${table} (v) VALUES ($1)`, [5]);
            throw new Error('inner');
          }),
          /inner/,
        );
        // One backend for the whole transaction, as PgBouncer pins it.
        const pids = new Set<number>();
        for (let i = 0; i < 5; i++) pids.add((await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
        assert.equal(pids.size, 1);
      });
      // Many transactions at once: each sees only its own uncommitted row.
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          engine.transaction(async (tx) => {
            await tx.query(`INSERT INTO ${table} (v) VALUES ($1)`, [100 + i]);
            const { rows } = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE v >= 100`);
            assert.ok(Number(rows[0]!.n) >= 1);
          }),
        ),
      );
      const rows = await admin.query<{ v: number }>(`SELECT v FROM ${table} WHERE v < 100 ORDER BY v`);
      assert.deepEqual(rows.map((r) => r.v), [1, 2, 4]);
      assert.equal((await admin.query(`SELECT 1 FROM ${table} WHERE v >= 100`)).length, 30);
    });

    test('statementTimeoutMs works through PgBouncer (a cancel request, no session SET) and the connection stays usable', async () => {
      const engine = open('timeout', { statementTimeoutMs: 300, size: 1 });
      await engine.query('SELECT 1');
      const started = performance.now();
      const error = await engine.query('SELECT pg_sleep(5)').catch((e: unknown) => e);
      const ms = performance.now() - started;
      assert.ok(error instanceof HavuzError, String(error));
      assert.equal(error.code, 'HAVUZ_STATEMENT_TIMEOUT', error.message);
      assert.ok(ms < 1_500, `took ${Math.round(ms)} ms`);
      assert.equal((await engine.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n, 1);
      // The cancel ended the statement: the connection was kept, not dropped.
      assert.equal(engine.status().counters.destroyed, 0);
    });

    test('nothing session-level is left for the next client: no transaction stays open on a server connection', async () => {
      const engine = open('session', { fullReset: false });
      await Promise.all(Array.from({ length: 50 }, (_, i) => engine.query('SELECT $1::int', [i])));
      await quiesce(() => engine.status());
      // PgBouncer's server connections are idle (not "idle in transaction") once havuz is done.
      const rows = await admin.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND application_name LIKE 'flt_pgb_%'",
      );
      assert.equal(Number(rows[0]!.n), 0);
    });
  },
);
