// The pipeline dispatcher against a scripted driver: the races a real server makes rare, made
// certain. A deadline's cancel goes out only once its statement is the one running; a cancel that
// hits the next statement instead (it arrived just after its own had finished) re-runs that one
// once, on a connection of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/core/clock.js';
import { StatementTimeoutError } from '../../src/core/errors.js';
import { Pool } from '../../src/core/pool.js';
import type { Pipelining, QueryResult, SqlDialect } from '../../src/drivers/dialect.js';
import type { ConnectionContext } from '../../src/engine/connection.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import { QueryObservers } from '../../src/engine/query-events.js';

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

function setup(timeoutMs: number | undefined) {
  const pool = new Pool<ScriptedConnection>({ create: async () => (lastCreated = new ScriptedConnection()), destroy: async () => {} }, { size: 1, maxOverflow: 0 });
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
    queryOptions: timeoutMs === undefined ? undefined : { timeoutMs, clock: systemClock },
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
  return { pool, pipeline, dedicated };
}

/** The connection the one lane runs on: the only one the pool has made. */
let lastCreated: ScriptedConnection | undefined;

test('a cancel that hits the next statement re-runs that one on a connection of its own, once', async () => {
  const { pipeline, dedicated, pool } = setup(60);
  const a = pipeline.query('SELECT a', undefined);
  await until(() => pipeline.stats.inflight === 1);
  await sleep(30);
  const b = pipeline.query('SELECT b', undefined);
  const conn = current(pool);
  await until(() => conn.cancels === 1); // a's deadline: a is the one running, so its cancel goes out
  assert.equal(conn.calls.length, 2);
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
  const { pipeline, pool } = setup(50);
  const a = pipeline.query('SELECT a', undefined).catch((e: unknown) => e);
  await until(() => pipeline.stats.inflight === 1);
  await sleep(25);
  const b = pipeline.query('SELECT b', undefined).catch((e: unknown) => e);
  const conn = current(pool);
  await until(() => conn.calls.length === 2);
  await sleep(70); // both deadlines passed; only a was running
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

function current(pool: Pool<ScriptedConnection>): ScriptedConnection {
  assert.equal(pool.status().inUse, 1);
  return lastCreated!;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(2);
  assert.ok(condition(), 'condition not reached');
}
