// The `pipeline` engine mode on the real PostgreSQL, straight and through PgBouncer in transaction
// mode: several autocommit statements in flight on one connection, each answered to its own caller,
// an error, a timeout, a cancel or a lost connection touching only what it must.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionLostError, DatabaseError, HavuzError, StatementTimeoutError } from '../../src/core/errors.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import { urls } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { Admin, appName, IN_CI, reachable, withParams } from '../faults/support/postgres.js';

const BOUNCER_URL = process.env.HAVUZ_PGBOUNCER_URL ?? 'postgres://postgres@127.0.0.1:6432/test';

const targets = [
  { name: 'PostgreSQL', url: urls.postgres },
  { name: 'PgBouncer (transaction mode)', url: BOUNCER_URL },
];

test('pipeline option: coded errors with near-miss names', () => {
  const url = 'postgres://u@127.0.0.1:1/db';
  const code = (options: EngineOptions): string | undefined => {
    try {
      createEngine(url, options);
    } catch (error) {
      return `${(error as HavuzError).code} ${(error as Error).message}`;
    }
    return undefined;
  };
  assert.match(code({ pipeline: { depht: 4 } as never }) ?? '', /HAVUZ_INVALID_OPTION.*did you mean depth/);
  assert.match(code({ pipeline: 'yes' as never }) ?? '', /HAVUZ_INVALID_OPTION.*pipeline/);
  assert.match(code({ pipeline: { depth: 0 } }) ?? '', /pipeline\.depth/);
  assert.match(code({ pipeline: { stallMs: -1 } }) ?? '', /pipeline\.stallMs/);
  assert.match(code({ pipeline: true, poolClass: 'null' }) ?? '', /only the queue pool/);
  assert.match(code({ pipeline: 1 as never }) ?? '', /pipeline/);
  assert.equal(code({ pipeline: { depth: 4, stallMs: 20 } }), undefined);
  assert.match(code({}) ?? 'ok', /ok/);
  for (const bad of [null, 0, 'true', [], { depth: 1.5 }, { depth: NaN }, { depth: 1_001 }, { stallMs: Infinity }, { stallMs: 2 ** 31 }, { stallMs: '5' }]) {
    assert.match(code({ pipeline: bad as never }) ?? 'accepted', /HAVUZ_INVALID_OPTION/, `pipeline: ${JSON.stringify(bad)}`);
  }
  assert.equal(code({ pipeline: {} }), undefined);
  assert.equal(code({ pipeline: false, poolClass: 'null' }), undefined);
  // In the URL too.
  assert.throws(() => createEngine(`${url}?pipeline=1`), /pipeline/);
  const fromUrl = createEngine(`${url}?pipeline=true`);
  assert.ok(fromUrl.pipelineStats() !== undefined);
  void fromUrl.close();
  assert.equal(createEngine(`${url}?pipeline=false`).pipelineStats(), undefined);
});

for (const target of targets) {
  const up = await reachable(target.url);
  describe(`pipeline mode through ${target.name}`, { skip: up || IN_CI ? false : `${target.url} is not reachable`, timeout: 60_000 }, () => {
    const engines: Engine[] = [];
    let admin: Admin;
    const open = (label: string, options: EngineOptions = {}): { engine: Engine; app: string } => {
      const app = appName(`pl_${label}`);
      const engine = createEngine(withParams(target.url, { application_name: app }), { size: 1, maxOverflow: 0, acquireTimeoutMs: 10_000, pipeline: { depth: 64 }, ...options });
      engines.push(engine);
      return { engine, app };
    };
    const checkouts = (engine: Engine): (() => number) => {
      let n = 0;
      engine.on('checkout', () => n++);
      return () => n;
    };
    const pidsOf = async (app: string): Promise<number[]> => (await admin.pids(app)).sort((a, b) => a - b);
    // The server backends running `sql` now. Through PgBouncer a backend carries PgBouncer's
    // application_name, not the client's, so statements are found by their text.
    const backendsRunning = async (sql: string): Promise<number[]> =>
      (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query = $1 AND state = 'active'`, [sql])).map((r) => r.pid);
    const untilRunning = (sql: string, backends = 1): Promise<void> =>
      eventually(undefined, `${backends} backend(s) running ${sql}`, async () => (await backendsRunning(sql)).length >= backends);
    // pg_cancel_backend and the count of statements per connection need the client's own backend,
    // which only a direct connection is (PgBouncer hands server connections out per transaction).
    const direct = target.url !== BOUNCER_URL;

    before(async () => {
      assert.ok(up, `${target.url} is not reachable`);
      admin = await Admin.connect();
    });
    after(async () => {
      await Promise.all(engines.map((e) => e.close({ timeoutMs: 2_000 })));
      await admin?.close();
    });

    test('interleaved failing and succeeding statements on one connection: each caller gets its own answer', async () => {
      const { engine } = open('mixed');
      const count = checkouts(engine);
      const runs = Array.from({ length: 60 }, (_, i) =>
        i % 3 === 0
          ? engine.query('SELECT $1::int / 0 AS v', [i]).then(
              () => assert.fail(`statement ${i} should have failed`),
              (error: unknown) => {
                assert.ok(error instanceof DatabaseError, String(error));
                assert.equal((error as DatabaseError).serverCode, '22012');
                return -1;
              },
            )
          : i % 3 === 1
            ? engine.query<{ v: number }>('SELECT $1::int AS v', [i]).then((r) => r.rows[0]!.v)
            : engine.query<{ v: string }>(`SELECT '${i}' AS v`).then((r) => Number(r.rows[0]!.v)),
      );
      const values = await Promise.all(runs);
      values.forEach((v, i) => assert.equal(v, i % 3 === 0 ? -1 : i, `statement ${i}`));
      // 60 statements on one connection, checked out a handful of times: they were pipelined.
      assert.ok(count() <= 3, `checked out ${count()} times`);
      assert.equal(engine.status().size, 1);
      // A transaction afterwards sees a clean connection.
      assert.equal(await engine.transaction(async (tx) => (await tx.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one), 1);
    });

    test('a timed-out statement fails alone; the ones behind it on the same connection succeed, the connection stays', async () => {
      const { engine } = open('timeout', { statementTimeoutMs: 300 });
      let connects = 0;
      engine.on('connect', () => connects++);
      await engine.query('SELECT 1');
      const slow = engine.query('SELECT pg_sleep(5)').then(
        () => assert.fail('should time out'),
        (error: unknown) => error,
      );
      const rest = Array.from({ length: 5 }, (_, i) => engine.query<{ v: number }>('SELECT $1::int AS v', [i]));
      const started = performance.now();
      assert.ok((await slow) instanceof StatementTimeoutError, String(await slow));
      assert.deepEqual(
        (await Promise.all(rest)).map((r) => r.rows[0]!.v),
        [0, 1, 2, 3, 4],
      );
      assert.ok(performance.now() - started < 3_000);
      assert.equal((await engine.query<{ v: number }>('SELECT 7 AS v')).rows[0]!.v, 7);
      assert.equal(connects, 1, 'the cancel did not cost the connection');
    });

    if (direct) test('a statement cancelled by the server (pg_cancel_backend) fails alone', async () => {
      const { engine, app } = open('cancel');
      await engine.query('SELECT 1');
      const slow = engine.query('SELECT pg_sleep(5)').then(
        () => assert.fail('should be cancelled'),
        (error: unknown) => error,
      );
      const rest = Array.from({ length: 5 }, (_, i) => engine.query<{ v: number }>('SELECT $1::int AS v', [i]));
      await untilRunning('SELECT pg_sleep(5)');
      const [pid] = await pidsOf(app);
      await admin.query('SELECT pg_cancel_backend($1)', [pid]);
      const error = await slow;
      assert.ok(error instanceof DatabaseError, String(error));
      assert.equal((error as DatabaseError).serverCode, '57014');
      assert.deepEqual(
        (await Promise.all(rest)).map((r) => r.rows[0]!.v),
        [0, 1, 2, 3, 4],
      );
    });

    // Through PgBouncer the next test covers a lost server connection.
    if (direct) test('a connection lost mid-pipeline fails exactly its own statements with ConnectionLostError; the pool recovers', async () => {
      const { engine, app } = open('lost', { size: 2, maxOverflow: 0, pipeline: { depth: 3, stallMs: 5_000 } });
      // Two connections, three statements on each.
      const runs = Array.from({ length: 6 }, () =>
        engine.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.6)').then(
          (r) => r.rows[0]!.pid,
          (error: unknown) => error,
        ),
      );
      await untilRunning('SELECT pg_backend_pid() AS pid, pg_sleep(0.6)', 2);
      const pids = await pidsOf(app);
      assert.equal(pids.length, 2, `two backends, got ${pids.join(',')}`);
      await admin.query('SELECT pg_terminate_backend($1)', [pids[0]]);
      const outcomes = await Promise.all(runs);
      const lost = outcomes.filter((o) => o instanceof ConnectionLostError);
      const served = outcomes.filter((o) => typeof o === 'number');
      assert.equal(lost.length, 3, outcomes.map(String).join(' | '));
      assert.deepEqual(served, [pids[1], pids[1], pids[1]]);
      // Recovered: statements run again, on a new connection in place of the lost one.
      const after = await Promise.all(Array.from({ length: 4 }, () => engine.query<{ one: number }>('SELECT 1 AS one')));
      assert.deepEqual(
        after.map((r) => r.rows[0]!.one),
        [1, 1, 1, 1],
      );
      assert.ok(engine.status().size <= 2);
    });

    test('through a lost server connection every statement on it fails as lost and the pool recovers', async () => {
      const { engine } = open('lost1');
      const runs = Array.from({ length: 4 }, () => engine.query('SELECT pg_sleep(0.6)').then(() => 'ok', (error: unknown) => error));
      await untilRunning('SELECT pg_sleep(0.6)');
      const pids = await backendsRunning('SELECT pg_sleep(0.6)');
      assert.ok(pids.length >= 1);
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
      const outcomes = await Promise.all(runs);
      assert.ok(
        outcomes.every((o) => o instanceof ConnectionLostError || o === 'ok'),
        outcomes.map(String).join(' | '),
      );
      assert.ok(outcomes[0] instanceof ConnectionLostError, String(outcomes[0]));
      assert.equal((await engine.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
    });

    test('a statement does not wait behind a slow one: past stallMs it takes another connection', async () => {
      const { engine } = open('hol', { size: 2, maxOverflow: 0, pipeline: { depth: 16, stallMs: 50 } });
      await Promise.all([engine.query('SELECT 1'), engine.query('SELECT 1')]);
      const slow = engine.query('SELECT pg_sleep(1.5)');
      await untilRunning('SELECT pg_sleep(1.5)');
      const started = performance.now();
      await engine.query('SELECT 2');
      const ms = performance.now() - started;
      assert.ok(ms < 800, `waited ${Math.round(ms)} ms behind the slow statement (${JSON.stringify({ ...engine.pipelineStats(), pool: engine.status() })})`);
      await slow;
    });

    test('transactions, session statements and metrics alongside pipelined statements', async () => {
      const { engine } = open('mixed2', { size: 2, maxOverflow: 0 });
      const events: { sql: string; error: unknown }[] = [];
      engine.on('query', (e) => events.push({ sql: e.sql, error: e.error }));
      const [tx, ...plain] = await Promise.all([
        engine.transaction(async (c) => {
          await c.query('SET LOCAL application_name = $$in_tx$$');
          return (await c.query<{ n: string }>(`SELECT current_setting('application_name') AS n`)).rows[0]!.n;
        }),
        ...Array.from({ length: 10 }, (_, i) => engine.query<{ v: number }>('SELECT $1::int AS v', [i])),
      ]);
      assert.equal(tx, 'in_tx');
      assert.deepEqual(
        plain.map((r) => r.rows[0]!.v),
        [...Array(10).keys()],
      );
      // BEGIN through query() runs on a connection of its own and is rolled back on return.
      await engine.query('BEGIN');
      assert.equal((await engine.query<{ s: string }>('SELECT 1 AS s')).rows[0]!.s, 1);
      await assert.rejects(engine.query('SELECT nope'), DatabaseError);
      assert.ok(events.filter((e) => e.sql === 'SELECT $1::int AS v').length === 10);
      assert.ok(events.some((e) => e.sql === 'SELECT nope' && e.error instanceof DatabaseError));
    });

    test('a burst of 1,000 statements on a cold pool stays on the lanes: none moved, none waiting in the pool', async () => {
      const { engine } = open('burst', { size: 5, maxOverflow: 0, pipeline: true });
      const values = await Promise.all(Array.from({ length: 1_000 }, (_, i) => engine.query<{ v: number }>('SELECT $1::int AS v', [i])));
      assert.ok(values.every((r, i) => r.rows[0]!.v === i));
      const stats = engine.pipelineStats()!;
      assert.equal(stats.movedToOwn, 0);
      assert.ok(stats.lanesOpened <= 10, `lanes opened: ${stats.lanesOpened}`);
      assert.equal(engine.status().counters.timeouts, 0);
    });

    test('a transaction gets a connection while pipelined statements keep every connection busy', async () => {
      const { engine } = open('yield', { size: 2, maxOverflow: 0, pipeline: { depth: 4 } });
      let stop = false;
      let served = 0;
      const loops = Array.from({ length: 40 }, async () => {
        while (!stop) {
          await engine.query('SELECT 1');
          served++;
        }
      });
      await eventually(undefined, 'the pipelined loops under way', () => served >= 100);
      const started = performance.now();
      const inTx = await engine.transaction(async (tx) => (await tx.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one);
      const waited = performance.now() - started;
      stop = true;
      await Promise.all(loops);
      assert.equal(inTx, 1);
      assert.ok(waited < 2_000, `the transaction waited ${Math.round(waited)} ms`);
      assert.ok(served > 100);
      assert.ok(engine.pipelineStats()!.yielded >= 1);
    });

    test('with the other connections held, statements pipeline on the lanes there are instead of queueing for more', async () => {
      const { engine } = open('shared', { size: 3, maxOverflow: 0 });
      await using held = await engine.connect();
      await held.query('SELECT 1');
      const burst = Array.from({ length: 60 }, (_, i) => engine.query<{ v: number }>('SELECT $1::int AS v', [i]));
      await sleep(0);
      const values = await Promise.all(burst);
      assert.ok(values.every((r, i) => r.rows[0]!.v === i));
      // A lane still being connected may be pending a moment; none may wait for the held connection.
      await eventually(undefined, `no checkout left waiting for the held connection: ${JSON.stringify(engine.status())}`, () => engine.status().pending === 0, 1_000);
      assert.ok(engine.pipelineStats()!.lanesOpened <= 2);
    });

    test('close: statements on lanes finish, later ones are refused as the closed pool refuses them', async () => {
      const app = appName('pl_close');
      const engine = createEngine(withParams(target.url, { application_name: app }), { size: 2, maxOverflow: 0, pipeline: true });
      const running = Array.from({ length: 10 }, (_, i) => engine.query<{ v: number }>('SELECT $1::int AS v, pg_sleep(0.05)', [i]));
      await untilRunning('SELECT $1::int AS v, pg_sleep(0.05)');
      const closing = engine.close({ timeoutMs: 5_000 });
      await assert.rejects(engine.query('SELECT 1'), (error: unknown) => (error as HavuzError).code === 'HAVUZ_POOL_CLOSED');
      const outcomes = await Promise.allSettled(running);
      const served = outcomes.filter((o) => o.status === 'fulfilled').length;
      assert.ok(served >= 1, 'the statements already on the wire finish');
      for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as HavuzError).code, 'HAVUZ_POOL_CLOSED');
      await closing;
      assert.equal(engine.status().size, 0);
    });

    test('close({ drain: true }) serves the statements still queued for a lane', async () => {
      const { engine } = open('drain', { pipeline: { depth: 1 } });
      const all = Array.from({ length: 5 }, (_, i) => engine.query<{ v: number }>('SELECT $1::int AS v, pg_sleep(0.03)', [i]));
      await untilRunning('SELECT $1::int AS v, pg_sleep(0.03)');
      await engine.close({ drain: true, timeoutMs: 5_000 });
      assert.deepEqual(
        (await Promise.all(all)).map((r) => r.rows[0]!.v),
        [0, 1, 2, 3, 4],
      );
    });

    test('maxQueries retires a pipelined connection after that many statements', async () => {
      const { engine } = open('maxq', { maxQueries: 10 });
      let connects = 0;
      engine.on('connect', () => connects++);
      const values = await Promise.all(Array.from({ length: 35 }, (_, i) => engine.query<{ v: number }>('SELECT $1::int AS v', [i])));
      assert.deepEqual(
        values.map((r) => r.rows[0]!.v),
        [...Array(35).keys()],
      );
      assert.ok(connects >= 4, `connects: ${connects}`);
    });
  });
}
