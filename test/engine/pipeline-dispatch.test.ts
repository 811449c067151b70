// The pipeline dispatcher against a scripted driver: the races a real server makes rare, made
// certain. A deadline's cancel goes out only once its statement is the one running; a cancel that
// hits the next statement instead (it arrived just after its own had finished) re-runs that one
// once, on a connection of its own. Time is a FakeClock, so the deadlines fall where the test says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatementTimeoutError } from '../../src/core/errors.js';
import { Pool } from '../../src/core/pool.js';
import type { Pipelining, QueryResult, SqlDialect } from '../../src/drivers/dialect.js';
import type { ConnectionContext } from '../../src/engine/connection.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import { QueryObservers } from '../../src/engine/query-events.js';
import { FakeClock, flush } from '../support/fake-clock.js';

interface Call {
  sql: string;
  resolve(result: QueryResult<unknown>): void;
  reject(error: unknown): void;
}

class ScriptedConnection {
  pipeline = false;
  cancels = 0;
  readonly calls: Call[] = [];
}

const canceled = (): Error => Object.assign(new Error('canceling statement due to user request'), { code: '57014' });
const rows = (v: unknown): QueryResult<unknown> => ({ rows: [{ v }], rowCount: 1 });

/** `connect` may hold a connect back until the test lets it finish. */
function setup(timeoutMs: number | undefined, { size = 1, connect = async () => {} }: { size?: number; connect?: (n: number) => Promise<void> } = {}) {
  const clock = new FakeClock();
  const created: ScriptedConnection[] = [];
  const create = async (): Promise<ScriptedConnection> => {
    const connection = new ScriptedConnection();
    await connect(created.push(connection));
    return (lastCreated = connection);
  };
  const pool = new Pool<ScriptedConnection>({ create, destroy: async () => {} }, { size, maxOverflow: 0, clock });
  const dialect = {
    query: (c: ScriptedConnection, sql: string) => new Promise<QueryResult<unknown>>((resolve, reject) => c.calls.push({ sql, resolve, reject })),
    isConnectionLost: () => false,
    errorCode: (e: unknown) => (e as { code?: string }).code,
    isTimeout: (e: unknown) => (e as { code?: string }).code === '57014',
  } as unknown as SqlDialect<ScriptedConnection>;
  const pipelining: Pipelining<ScriptedConnection> = {
    supports: () => true,
    set: (c, on) => void (c.pipeline = on),
    transactionStatus: () => 'I',
    cancel: async (c) => void c.cancels++,
    drop: () => {},
  };
  const context: ConnectionContext<ScriptedConnection> = {
    dialect,
    statementTimeoutMs: timeoutMs,
    queryOptions: timeoutMs === undefined ? undefined : { timeoutMs, clock },
    maxQueries: 0,
    queryCounts: new WeakMap(),
    observers: new QueryObservers(() => {}),
    poolName: 'scripted',
  };
  const dedicated: string[] = [];
  const pipeline = new Pipeline(pool, context, pipelining, { depth: 8, stallMs: 10_000 }, async (sql) => {
    dedicated.push(sql);
    return rows('dedicated');
  });
  return { pool, pipeline, dedicated, clock, created };
}

/** The connection the one lane runs on: the only one the pool has made. */
let lastCreated: ScriptedConnection | undefined;

test('a cancel that hits the next statement re-runs that one on a connection of its own, once', async () => {
  const { pipeline, dedicated, pool, clock } = setup(60);
  const a = pipeline.query('SELECT a', undefined);
  await until(() => pipeline.stats.inflight === 1);
  await clock.advance(30);
  const b = pipeline.query('SELECT b', undefined);
  const conn = current(pool);
  assert.equal(conn.calls.length, 2);
  await clock.advance(29);
  assert.equal(conn.cancels, 0, 'no deadline has passed yet');
  await clock.advance(1); // a's deadline: a is the one running, so its cancel goes out
  assert.equal(conn.cancels, 1);
  // The race: a had just finished when the cancel arrived, and the server stopped b instead.
  conn.calls[0]!.resolve(rows('a'));
  conn.calls[1]!.reject(canceled());
  assert.deepEqual((await a).rows, [{ v: 'a' }]);
  assert.deepEqual((await b).rows, [{ v: 'dedicated' }]);
  assert.deepEqual(dedicated, ['SELECT b']);
  assert.equal(pipeline.counters.retried, 1);
  await pool.close({ timeoutMs: 100 });
});

test('a deadline that passes behind a running statement cancels only once its statement is the one running', async () => {
  const { pipeline, pool, clock } = setup(50);
  const a = pipeline.query('SELECT a', undefined).catch((e: unknown) => e);
  await until(() => pipeline.stats.inflight === 1);
  await clock.advance(25);
  const b = pipeline.query('SELECT b', undefined).catch((e: unknown) => e);
  const conn = current(pool);
  assert.equal(conn.calls.length, 2);
  await clock.advance(70); // both deadlines passed; only a was running
  assert.equal(conn.cancels, 1, 'no cancel for b while a runs: it would stop a again');
  conn.calls[0]!.reject(canceled());
  assert.ok((await a) instanceof StatementTimeoutError);
  await until(() => conn.cancels === 2); // b is running now: its own cancel goes out
  conn.calls[1]!.reject(canceled());
  const outcome = await b;
  assert.ok(outcome instanceof StatementTimeoutError, String(outcome));
  assert.equal(pipeline.counters.retried, 0, 'its own cancel: not re-run');
  await pool.close({ timeoutMs: 100 });
});

test('a statement does not go behind a busy lane while another lane is being opened for it', async () => {
  let letSecondConnect!: () => void;
  const secondConnects = new Promise<void>((resolve) => (letSecondConnect = resolve));
  const { pipeline, pool, created } = setup(undefined, { size: 2, connect: (n) => (n === 2 ? secondConnects : Promise.resolve()) });
  // Both first statements queue; the first lane opens and takes both, the second is still connecting.
  const warm = [pipeline.query('SELECT 1', undefined), pipeline.query('SELECT 1', undefined)];
  await until(() => pipeline.stats.inflight === 2);
  const [first] = created;
  for (const call of first!.calls) call.resolve(rows(1));
  await Promise.all(warm);
  const slow = pipeline.query('SELECT slow', undefined);
  assert.equal(first!.calls.length, 3, 'an idle lane takes the next statement');
  const next = pipeline.query('SELECT next', undefined);
  assert.equal(first!.calls.length, 3, 'not sent behind the running statement');
  assert.equal(pipeline.stats.queued, 1, 'it waits for the lane being opened');
  letSecondConnect();
  await until(() => created[1]!.calls.length === 1);
  assert.equal(created[1]!.calls[0]!.sql, 'SELECT next');
  created[1]!.calls[0]!.resolve(rows('next'));
  assert.deepEqual((await next).rows, [{ v: 'next' }]);
  first!.calls[2]!.resolve(rows('slow'));
  await slow;
  await pool.close({ timeoutMs: 100 });
});

function current(pool: Pool<ScriptedConnection>): ScriptedConnection {
  assert.equal(pool.status().inUse, 1);
  return lastCreated!;
}

/** Lets queued callbacks run (no time passes on the fake clock) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !condition(); i++) await flush();
  assert.ok(condition(), 'condition not reached');
}
