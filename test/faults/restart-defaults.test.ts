import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { HavuzError } from '../../src/core/errors.js';
import { createEngine } from '../../src/engine/index.js';
import { Load, quiesce } from './support/load.js';
import { IN_CI, pause } from './support/postgres.js';
import {
  measureRestart,
  OUTAGES,
  outageConnectBudget,
  QUERY,
  RESTART_TARGETS,
  type RestartFigures,
} from './support/restart-scenario.js';
import { ScratchPostgres, scratchPostgresAvailable } from './support/scratch-postgres.js';

/**
 * Issue 9, item 2, at havuz's DEFAULT options: under a 50-way load on a size-10 pool, a database
 * restart shorter than the acquire timeout fails only the statements in flight when the server
 * went away (at most the open connections, each HAVUZ_CONNECTION_LOST) and no waiter; nothing
 * hangs; the pool serves again soon after the server is ready; it connects at most 10 times per
 * second of outage. bench/restart.ts measures the same runs beside pg.Pool and postgres.js.
 *
 * Counts are asserted exactly against their bounds. The one timed bound the issue sets (recovery
 * within 150 ms) gets slack here, since CI machines are shared; the bench reports the real figure.
 */

const WORKERS = 50;
/** A request unsettled this long, in an outage of at most ~3 s, is hung. */
const BOUND_MS = 10_000;
/** Recovery is asserted against the 150 ms plus this: a loaded machine delays the first success. */
const RECOVERY_SLACK_MS = 350;

function figure(f: RestartFigures): void {
  process.stderr.write(
    `FIGURE restart_defaults outage=${f.outage} failed=${f.failed} hung=${f.hangs} max_wait_ms=${Math.round(f.maxLatencyMs)} ` +
      `recovery_ms=${Math.round(f.recoveryMs ?? -1)} connects=${f.connects} down_ms=${Math.round(f.outageMs)} kinds=${JSON.stringify(f.failures)}\n`,
  );
}

const scratchOk = scratchPostgresAvailable();

describe(
  'database restart at default options (issue 9: no waiter fails, quick recovery, no connect storm)',
  { skip: scratchOk || IN_CI ? false : 'no PostgreSQL server binaries to run a scratch server', timeout: 90_000 },
  () => {
    let server: ScratchPostgres;
    before(async () => {
      server = await ScratchPostgres.create();
    });
    after(async () => {
      await server?.destroy();
    });

    for (const outage of OUTAGES) {
      test(`${outage}: fails only statements in flight, none hangs, serves again within the bound, connects rarely`, { timeout: 30_000 }, async () => {
        const engine = createEngine(server.url());
        try {
          const f = await measureRestart(
            server,
            { name: 'havuz', query: (i) => engine.query(QUERY, [i]), open: () => engine.status().size, close: () => engine.close() },
            outage,
            { workers: WORKERS, boundMs: BOUND_MS, okBefore: 300, okAfter: 100 },
          );
          figure(f);
          assert.equal(f.hangs, 0, `${f.hangs} requests outlived ${BOUND_MS} ms`);
          assert.deepEqual(f.untyped, [], 'failures that are not havuz errors');
          assert.equal(f.openAtShutdown, engine.pool.options.size, 'the pool was full when the server went down');
          const kinds = Object.keys(f.failures).filter((k) => k !== 'HAVUZ_CONNECTION_LOST');
          assert.deepEqual(kinds, [], `a waiter failed (only statements in flight may): ${JSON.stringify(f.failures)}`);
          assert.ok(f.failed <= f.openAtShutdown!, `${f.failed} failures; only the ${f.openAtShutdown} statements in flight may fail`);
          assert.ok(f.recoveryMs !== undefined, 'no success after the server was ready');
          assert.ok(
            f.recoveryMs <= RESTART_TARGETS.recoveryMs + RECOVERY_SLACK_MS,
            `first success ${Math.round(f.recoveryMs)} ms after the server was ready (target ${RESTART_TARGETS.recoveryMs} ms)`,
          );
          const budget = outageConnectBudget(f.outageMs);
          assert.ok(f.connects <= budget, `${f.connects} connects in ${Math.round(f.outageMs)} ms down; at most ${budget} allowed`);
          const status = await quiesce(() => engine.status());
          assert.equal(status.inUse, 0, 'a connection stayed checked out');
          assert.equal(status.pending, 0, 'an acquire stayed queued');
          assert.ok(status.size <= engine.pool.options.size, `${status.size} connections open; size is ${engine.pool.options.size}`);
        } finally {
          await engine.close({ timeoutMs: 1_000 });
        }
      });
    }

    test('a sustained outage still fails waiters fast, with the connect error as cause, once failFastAfterMs has passed', { timeout: 30_000 }, async () => {
      // Default acquireTimeoutMs (30 s) is also the default failFastAfterMs; a shorter one keeps the test short.
      const failFastAfterMs = 1_000;
      const engine = createEngine(server.url(), { failFastAfterMs });
      const load = new Load('havuz', (i) => engine.query(QUERY, [i]), { workers: WORKERS, boundMs: BOUND_MS });
      try {
        load.start();
        assert.ok(await load.untilOk(300, 15_000), 'served nothing before the outage');
        await server.stop('fast');
        const down = server.shutdownAt() ?? performance.now();
        // Long enough for failFastAfterMs and a few backoff rounds after it.
        await pause(failFastAfterMs + 1_500);
        await load.stop();
        const afterDown = load.outcomes.filter((o) => o.endedAt > down);
        const early = afterDown.filter((o) => !o.ok && o.kind !== 'HAVUZ_CONNECTION_LOST' && o.endedAt < down + failFastAfterMs);
        assert.deepEqual(early.map((o) => `${o.kind} at ${Math.round(o.endedAt - down)} ms`), [], 'a waiter failed before failFastAfterMs');
        const fastFailed = afterDown.filter((o) => o.kind === 'HAVUZ_CREATE_FAILED');
        assert.ok(fastFailed.length > 0, `no waiter failed fast after ${failFastAfterMs} ms: ${JSON.stringify(load.errorKinds())}`);
        assert.equal(load.hangs, 0);
        const kinds = new Set(afterDown.filter((o) => !o.ok).map((o) => o.kind));
        assert.deepEqual([...kinds].filter((k) => !['HAVUZ_CONNECTION_LOST', 'HAVUZ_CREATE_FAILED'].includes(k)), []);
        // The error itself: a havuz error with the driver's connect error as cause.
        const error = await engine.query('SELECT 1').then(
          () => assert.fail('a query succeeded with the server down'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof HavuzError && error.code === 'HAVUZ_CREATE_FAILED', inspect(error));
        const cause = error.cause as { code?: string } | undefined;
        assert.ok(cause?.code === 'ECONNREFUSED' || cause?.code === '57P03', `cause: ${inspect(cause)}`);
      } finally {
        await load.stop();
        await engine.close({ timeoutMs: 1_000 });
        if (!server.running) await server.start();
      }
    });
  },
);
