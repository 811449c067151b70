import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import { connectBudget, Load, quiesce } from './support/load.js';
import { Admin, appName, BackendWatcher, IN_CI, PG_URL, reachable, skipUnless, withParams } from './support/postgres.js';
import { ScratchPostgres, scratchPostgresAvailable } from './support/scratch-postgres.js';

/**
 * The database goes away under a steady load and comes back. Every request settles within its
 * bound, with a havuz error when it fails; the pool serves again soon after; it never opens more
 * than its size; while the database is down it connects rarely. The same load runs on pg.Pool
 * beside it, for the recovery figures.
 */

const SIZE = 4;
const WORKERS = 12;
const havuzOptions = {
  size: SIZE,
  acquireTimeoutMs: 2_000,
  createTimeoutMs: 1_000,
  statementTimeoutMs: 2_000,
  maxConnecting: 2,
  createBackoffMs: 100,
  createBackoffMaxMs: 1_000,
} satisfies EngineOptions;
/** acquire + statement timeout + the driver's 2 s cancel grace + slack: past this a request hangs. */
const BOUND_MS = 2_000 + 2_000 + 2_000 + 1_000;
/** What a failed request under a restart may fail with; anything else is a bug. */
const EXPECTED = new Set(['HAVUZ_CONNECTION_LOST', 'HAVUZ_CREATE_FAILED', 'HAVUZ_ACQUIRE_TIMEOUT', 'HAVUZ_STATEMENT_TIMEOUT']);
const QUERY = 'SELECT pg_sleep(0.01), $1::int AS i';

/** pg.Pool's Client, counting connect attempts (pg.Pool has no event for a failed one). */
function countingClient(counter: { connects: number }): typeof pg.Client {
  return class CountingClient extends pg.Client {
    override connect(...args: any[]): any {
      counter.connects++;
      return (super.connect as (...a: any[]) => any)(...args);
    }
  };
}

interface Side {
  load: Load;
  app: string;
}

function startLoads(url: string, label: string, engines: Engine[], pools: pg.Pool[]) {
  const havuzApp = appName(`${label}_havuz`);
  const pgApp = appName(`${label}_pgpool`);
  const engine = createEngine(withParams(url, { application_name: havuzApp }), havuzOptions);
  engines.push(engine);
  const pgCounter = { connects: 0 };
  const pool = new pg.Pool({
    connectionString: withParams(url, { application_name: pgApp }),
    max: SIZE,
    connectionTimeoutMillis: 2_000,
    Client: countingClient(pgCounter),
  });
  pool.on('error', () => {}); // idle clients dying would otherwise crash the process
  pools.push(pool);
  const havuz: Side = {
    app: havuzApp,
    load: new Load('havuz', (i) => engine.query(QUERY, [i]), { workers: WORKERS, boundMs: BOUND_MS }).start(),
  };
  const pgPool: Side = {
    app: pgApp,
    load: new Load('pg.Pool', (i) => pool.query(QUERY, [i]), { workers: WORKERS, boundMs: BOUND_MS }).start(),
  };
  const havuzConnects = () => engine.status().counters.created + engine.status().counters.createErrors;
  return { engine, pool, havuz, pgPool, pgCounter, havuzConnects };
}

function assertTypedFailures(load: Load): void {
  assert.equal(load.hangs, 0, `${load.name}: ${load.hangs} requests outlived ${BOUND_MS} ms`);
  const untyped = load.outcomes.filter((o) => !o.ok && (!o.typed || !EXPECTED.has(o.kind)));
  assert.deepEqual(
    untyped.slice(0, 5).map((o) => `${o.kind}: ${o.message}`),
    [],
    `${load.name}: failures that are not typed havuz errors (${untyped.length} in all)`,
  );
}

function figure(text: string): void {
  process.stderr.write(`FIGURE ${text}\n`);
}

const up = await reachable(PG_URL);

describe('database restart under load', { ...skipUnless(up, 'PostgreSQL'), timeout: 60_000 }, () => {
  const engines: Engine[] = [];
  const pools: pg.Pool[] = [];
  let admin: Admin;

  before(async () => {
    admin = await Admin.connect();
  });
  after(async () => {
    await Promise.all(engines.map((e) => e.close({ timeoutMs: 1_000 })));
    await Promise.all(pools.map((p) => p.end().catch(() => {})));
    await admin?.close();
  });

  test('every backend terminated (pg_terminate_backend): typed failures, recovery, size respected', { timeout: 30_000 }, async () => {
    const run = startLoads(PG_URL, 'term', engines, pools);
    const watcher = new BackendWatcher(PG_URL, [run.havuz.app, run.pgPool.app]);
    try {
      assert.ok(await run.havuz.load.untilOk(50, 10_000), 'havuz served nothing before the fault');
      assert.ok(await run.pgPool.load.untilOk(50, 10_000), 'pg.Pool served nothing before the fault');

      const killedHavuz = await admin.terminate(run.havuz.app);
      const killedPg = await admin.terminate(run.pgPool.app);
      const back = performance.now();
      assert.ok(killedHavuz >= 1 && killedPg >= 1, `terminated ${killedHavuz} havuz and ${killedPg} pg.Pool backends`);

      assert.ok(await run.havuz.load.untilOk(50, 10_000), 'havuz did not serve again after its backends were terminated');
      assert.ok(await run.pgPool.load.untilOk(50, 10_000), 'pg.Pool did not serve again');
      await Promise.all([run.havuz.load.stop(), run.pgPool.load.stop()]);

      const havuzMs = run.havuz.load.firstOkStartedAfter(back)! - back;
      const pgMs = run.pgPool.load.firstOkStartedAfter(back)! - back;
      figure(`recovery_ms scenario=terminate havuz=${Math.round(havuzMs)} pg-pool=${Math.round(pgMs)}`);
      process.stderr.write(
        `terminate: havuz ok=${run.havuz.load.ok} failed=${JSON.stringify(run.havuz.load.errorKinds())}; ` +
          `pg.Pool ok=${run.pgPool.load.ok} failed=${JSON.stringify(run.pgPool.load.errorKinds())}\n`,
      );

      assertTypedFailures(run.havuz.load);
      const status = await quiesce(() => run.engine.status());
      assert.equal(status.inUse, 0, 'a connection stayed checked out after the load stopped');
      assert.equal(status.pending, 0);
      // Terminated connections were dropped, not handed out again: the pool is back to healthy ones.
      const { rows } = await run.engine.query<{ n: number }>('SELECT 1 AS n');
      assert.equal(rows[0]?.n, 1);
    } finally {
      await Promise.all([run.havuz.load.stop(), run.pgPool.load.stop()]);
      await watcher.stop();
    }
    assert.ok(watcher.samples > 0, 'pg_stat_activity was never sampled');
    const most = watcher.maxByApp.get(run.havuz.app) ?? 0;
    assert.ok(most <= SIZE, `havuz had ${most} backends open at once; size is ${SIZE}`);
  });

  const scratchOk = scratchPostgresAvailable();
  test(
    'real server restart (a scratch PostgreSQL stopped and started): recovery, backoff, size respected',
    { timeout: 40_000, skip: scratchOk || IN_CI ? false : 'no PostgreSQL server binaries to run a scratch server' },
    async () => {
      // A server of our own, not the shared one: other test files use that one at the same time.
      const server = await ScratchPostgres.create();
      let watcher: BackendWatcher | undefined;
      let run: ReturnType<typeof startLoads> | undefined;
      try {
        const url = server.url('postgres');
        run = startLoads(url, 'restart', engines, pools);
        watcher = new BackendWatcher(url, [run.havuz.app, run.pgPool.app]);
        assert.ok(await run.havuz.load.untilOk(50, 10_000), 'havuz served nothing before the restart');
        assert.ok(await run.pgPool.load.untilOk(50, 10_000), 'pg.Pool served nothing before the restart');

        await server.stop('fast');
        const down = performance.now();
        const connectsAtDown = { havuz: run.havuzConnects(), pg: run.pgCounter.connects };
        // Down long enough for several backoff rounds; the load keeps knocking meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const whileDown = { havuz: run.havuzConnects() - connectsAtDown.havuz, pg: run.pgCounter.connects - connectsAtDown.pg };
        const downMs = performance.now() - down;
        await server.start();
        const startReturned = performance.now();
        // The moment the server said it was ready, from its log; pg_ctl returns a poll later.
        // (Wall clock against the monotonic one: fall back to pg_ctl's return if they disagree.)
        const readyAt = server.readyAt();
        const back = readyAt !== undefined && readyAt > down && readyAt <= startReturned + 50 ? readyAt : startReturned;

        assert.ok(await run.havuz.load.untilOk(50, 10_000), 'havuz did not serve again after the restart');
        assert.ok(await run.pgPool.load.untilOk(50, 10_000), 'pg.Pool did not serve again after the restart');
        await Promise.all([run.havuz.load.stop(), run.pgPool.load.stop()]);

        const havuzMs = run.havuz.load.firstOkStartedAfter(down)! - back;
        const pgMs = run.pgPool.load.firstOkStartedAfter(down)! - back;
        figure(`recovery_ms havuz=${Math.round(havuzMs)} pg-pool=${Math.round(pgMs)} (real restart, down ${Math.round(downMs)} ms)`);
        figure(`connects_while_down havuz=${whileDown.havuz} pg-pool=${whileDown.pg} (${WORKERS} workers, ${Math.round(downMs)} ms)`);
        process.stderr.write(
          `restart: havuz ok=${run.havuz.load.ok} failed=${JSON.stringify(run.havuz.load.errorKinds())}; ` +
            `pg.Pool ok=${run.pgPool.load.ok} failed=${JSON.stringify(run.pgPool.load.errorKinds())}\n`,
        );

        assertTypedFailures(run.havuz.load);
        const budget = connectBudget(downMs, havuzOptions);
        assert.ok(whileDown.havuz <= budget, `havuz tried ${whileDown.havuz} connects in ${Math.round(downMs)} ms down; backoff allows ${budget}`);
        // The backoff ceiling is 1 s: serving again must not take much longer than that.
        assert.ok(havuzMs <= havuzOptions.createBackoffMaxMs + 1_500, `havuz took ${Math.round(havuzMs)} ms to serve again`);
        const status = await quiesce(() => run!.engine.status());
        assert.equal(status.inUse, 0);
        assert.equal(status.pending, 0);
      } finally {
        await Promise.all([run?.havuz.load.stop(), run?.pgPool.load.stop()]);
        await watcher?.stop();
        if (run !== undefined) {
          await run.engine.close({ timeoutMs: 1_000 });
          await run.pool.end().catch(() => {});
        }
        // Back up (or gone) at the end, even when an assertion failed above.
        await server.destroy();
      }
      assert.ok(watcher.samples > 0);
      const most = watcher.maxByApp.get(run.havuz.app) ?? 0;
      assert.ok(most <= SIZE, `havuz had ${most} backends open at once; size is ${SIZE}`);
    },
  );
});
