import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HavuzError } from '../../src/core/errors.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { bounded } from './support/load.js';
import { Admin, appName, PG_URL, reachable, skipUnless, withParams } from './support/postgres.js';

/**
 * Work the caller was told succeeded is never lost: a graceful close() under a write load keeps
 * every acknowledged write and leaves no half transaction; a connection killed mid-transaction
 * rolls back and is never handed out again.
 */

const up = await reachable(PG_URL);

describe('no lost work', { ...skipUnless(up, 'PostgreSQL'), timeout: 60_000 }, () => {
  let admin: Admin;
  const tables: string[] = [];
  const engines: Engine[] = [];
  const table = async (name: string): Promise<string> => {
    const t = `flt_${name}_${process.pid}`;
    tables.push(t);
    await admin.query(`DROP TABLE IF EXISTS ${t}`);
    await admin.query(`CREATE TABLE ${t} (id SERIAL PRIMARY KEY, v INT NOT NULL, grp INT)`);
    return t;
  };

  before(async () => {
    admin = await Admin.connect();
  });
  after(async () => {
    await Promise.all(engines.map((e) => e.close({ timeoutMs: 1_000 })));
    for (const t of tables) await admin.query(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
    await admin?.close();
  });

  for (const closeTimeoutMs of [5_000, 0]) {
    const how = closeTimeoutMs > 0 ? 'graceful close()' : 'close({ timeoutMs: 0 }) (terminate)';
    test(`${how} under a write load keeps every acknowledged write and leaves no half transaction`, { timeout: 30_000 }, async () => {
      const t = await table(`nolost_close${closeTimeoutMs}`);
      const app = appName('nolost_close');
      const engine = createEngine(withParams(PG_URL, { application_name: app }), { size: 4, acquireTimeoutMs: 5_000 });
      engines.push(engine);
      const acked = new Set<number>();
      const ackedGroups = new Set<number>();
      const failures = new Map<string, number>();
      let next = 0;
      let stopped = false;
      const worker = async (w: number): Promise<void> => {
        while (!stopped) {
          const v = next++;
          try {
            if (w % 2 === 0) {
              await engine.query(`INSERT INTO ${t} (v) VALUES ($1)`, [v]);
              acked.add(v);
            } else {
              // Two rows that stand or fall together.
              await engine.transaction(async (tx) => {
                await tx.query(`INSERT INTO ${t} (v, grp) VALUES ($1, $1)`, [v]);
                await tx.query('SELECT pg_sleep(0.002)');
                await tx.query(`INSERT INTO ${t} (v, grp) VALUES ($1, $1)`, [v]);
              });
              ackedGroups.add(v);
            }
          } catch (error) {
            assert.ok(error instanceof HavuzError, `untyped failure: ${String(error)}`);
            failures.set(error.code, (failures.get(error.code) ?? 0) + 1);
            // Once the pool is closed every new request fails at once: this worker is done.
            if (error.code === 'HAVUZ_POOL_CLOSED') return;
          }
        }
      };
      const workers = Array.from({ length: 8 }, (_, w) => worker(w));
      // Let the load run, then close while writes and transactions are in flight.
      while (acked.size + ackedGroups.size < 200) await new Promise((resolve) => setTimeout(resolve, 5));
      const closing = bounded(engine.close({ timeoutMs: closeTimeoutMs }), 10_000);
      const closed = await closing;
      stopped = true;
      assert.ok(!closed.hang, 'close() did not finish');
      await Promise.all(workers);

      const rows = await admin.query<{ v: number; grp: number | null }>(`SELECT v, grp FROM ${t}`);
      const present = new Set(rows.filter((r) => r.grp === null).map((r) => r.v));
      const lost = [...acked].filter((v) => !present.has(v));
      assert.deepEqual(lost, [], `${lost.length} acknowledged inserts are missing`);
      const perGroup = new Map<number, number>();
      for (const r of rows) if (r.grp !== null) perGroup.set(r.grp, (perGroup.get(r.grp) ?? 0) + 1);
      const half = [...perGroup].filter(([, n]) => n !== 2);
      assert.deepEqual(half, [], 'a transaction was half applied');
      const lostGroups = [...ackedGroups].filter((g) => perGroup.get(g) !== 2);
      assert.deepEqual(lostGroups, [], 'acknowledged transactions are missing');
      // A graceful close must not break work in flight: only the pool's own error reaches callers.
      // Terminate cuts it, and the cut work fails as a lost connection, never as a success.
      const allowed = closeTimeoutMs > 0 ? ['HAVUZ_POOL_CLOSED'] : ['HAVUZ_POOL_CLOSED', 'HAVUZ_CONNECTION_LOST'];
      assert.deepEqual([...failures.keys()].filter((c) => !allowed.includes(c)), [], JSON.stringify(Object.fromEntries(failures)));
      assert.equal(await admin.waitForBackends(app, 0), 0, 'backends still open after close()');
      process.stderr.write(
        `no-lost-work (${how}): ${acked.size} inserts and ${ackedGroups.size} transactions acknowledged, all present; ` +
          `failures ${JSON.stringify(Object.fromEntries(failures))}\n`,
      );
    });
  }

  test('a connection killed mid-transaction rolls back and is not reused', { timeout: 20_000 }, async () => {
    const t = await table('nolost_kill');
    const app = appName('nolost_kill');
    const engine = createEngine(withParams(PG_URL, { application_name: app }), { size: 1, acquireTimeoutMs: 5_000 });
    engines.push(engine);
    const closes: string[] = [];
    engine.on('close', (e) => closes.push(e.reason));

    let killed: number | undefined;
    const outcome = await bounded(
      engine.transaction(async (tx) => {
        killed = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await tx.query(`INSERT INTO ${t} (v) VALUES (42)`);
        // From another connection, as an operator or a failover would.
        await admin.query('SELECT pg_terminate_backend($1)', [killed]);
        // The backend exits asynchronously: wait (bounded) until it is gone.
        for (let i = 0; i < 200 && (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [killed])).length > 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await tx.query(`INSERT INTO ${t} (v) VALUES (43)`);
      }),
      10_000,
    );
    assert.ok(!outcome.hang, 'the transaction hung after its backend was killed');
    assert.ok(outcome.error instanceof HavuzError, `expected a havuz error, got ${String(outcome.error)}`);
    assert.equal(outcome.error.code, 'HAVUZ_CONNECTION_LOST', outcome.error.message);

    const rows = await admin.query(`SELECT v FROM ${t}`);
    assert.deepEqual(rows, [], 'the killed transaction left rows behind');
    // Size 1: if the dead connection had gone back to the pool, this would run on it and fail.
    const next = await engine.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    assert.notEqual(next.rows[0]?.pid, killed, 'the next query ran on the killed backend');
    assert.ok(closes.includes('invalidated') || closes.includes('broken'), `close reasons: ${closes.join(', ')}`);
    assert.equal(engine.status().counters.created, 2);
  });
});
