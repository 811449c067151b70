// MysqlPool from exactly what mysql2's createPool takes, with mysql2's pool API (getConnection with
// a callback and as a promise, query, execute, end, promise()), its events and its own errors.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { before, describe, test } from 'node:test';
import { MysqlPool, havuzErrorOf, type MysqlPoolConnection } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { mysqlConfig, mysqlDatabase, table } from './support.js';

before(async () => {
  await requireDatabase(urls.mysql);
});

const poolOptions = (pool: MysqlPool) => (pool.engine.pool as unknown as { options: Record<string, unknown> }).options;

describe('MysqlPool from a createPool config', () => {
  test("mysql2's defaults and options map to the pool: connectionLimit, maxIdle, idleTimeout, queueLimit", async () => {
    const plain = new MysqlPool(mysqlConfig());
    const o = poolOptions(plain);
    assert.deepEqual(
      { size: o.size, overflow: o.maxOverflow, idle: o.idleTimeoutMs, waiters: o.maxWaiters, wait: o.acquireTimeoutMs },
      { size: 10, overflow: 0, idle: 0, waiters: Infinity, wait: Infinity },
      'mysql2: 10 connections, no idle timeout unless maxIdle < connectionLimit, no queue limit, no wait limit',
    );
    await plain.end();
    const tuned = new MysqlPool({ ...mysqlConfig(), connectionLimit: 6, maxIdle: 2, idleTimeout: 5_000, queueLimit: 3 });
    const t = poolOptions(tuned);
    assert.deepEqual({ size: t.size, overflow: t.maxOverflow, idle: t.idleTimeoutMs, waiters: t.maxWaiters }, { size: 2, overflow: 4, idle: 5_000, waiters: 3 });
    await tuned.end();
  });

  test('connection options reach mysql2 untouched: typeCast, dateStrings', async () => {
    const pool = new MysqlPool({
      ...mysqlConfig(),
      dateStrings: true,
      typeCast: (field: { name: string; string(): string | null }, next: () => unknown) => (field.name === 'n' ? `cast:${field.string()}` : next()),
    });
    try {
      const [rows] = (await pool.query("SELECT CAST(5 AS SIGNED) AS n, DATE('2024-02-03') AS d")) as unknown as [{ n: unknown; d: unknown }[]];
      assert.deepEqual(rows[0], { n: 'cast:5', d: '2024-02-03' });
    } finally {
      await pool.end();
    }
  });

  test('bad input fails at the constructor with HAVUZ_INVALID_OPTION naming the option', () => {
    for (const [config, option] of [
      [{ connectionLimit: -1 }, 'connectionLimit'],
      [{ waitForConnections: 'yes' }, 'waitForConnections'],
      [{ queueLimit: 1.5 }, 'queueLimit'],
      [{ connectionLimit: 3, size: 3 }, 'size'],
    ] as const) {
      assert.throws(() => new MysqlPool(config as never), { code: 'HAVUZ_INVALID_OPTION', option });
    }
  });
});

describe('MysqlPool API', () => {
  test('getConnection(cb): the callback connection, with query/execute callbacks and release()', async () => {
    const pool = new MysqlPool(mysqlConfig());
    try {
      const connection = await new Promise<MysqlPoolConnection>((resolve, reject) => pool.getConnection((e, c) => (e ? reject(e) : resolve(c!))));
      const [rows, fields] = await new Promise<unknown[]>((resolve, reject) =>
        connection.query('SELECT ? AS n', [7], (e: unknown, r: unknown, f: unknown) => (e ? reject(e) : resolve([r, f]))),
      );
      assert.deepEqual(rows, [{ n: 7 }]);
      assert.ok(Array.isArray(fields));
      const executed = await new Promise<unknown>((resolve, reject) => connection.execute('SELECT ? AS s', ['x'], (e: unknown, r: unknown) => (e ? reject(e) : resolve(r))));
      assert.deepEqual(executed, [{ s: 'x' }]);
      connection.release();
      assert.equal(pool.engine.status().inUse, 0);
      assert.throws(() => connection.query('SELECT 1', () => {}), { code: 'HAVUZ_LEASE_RELEASED' });
    } finally {
      await pool.end();
    }
  });

  test('getConnection() and promise(): mysql2/promise connections and [rows, fields]', async () => {
    const pool = new MysqlPool(mysqlConfig());
    const promisePool = pool.promise();
    try {
      const connection = await promisePool.getConnection();
      const [rows] = await connection.query('SELECT DATABASE() AS db');
      assert.deepEqual(rows, [{ db: mysqlDatabase() }]);
      connection.release();
      const [viaPool] = await promisePool.execute('SELECT ? + 1 AS n', [1]);
      assert.deepEqual(viaPool, [{ n: 2 }]);
      const [viaQuery, fields] = await promisePool.query('SELECT 3 AS n');
      assert.deepEqual(viaQuery, [{ n: 3 }]);
      assert.ok(Array.isArray(fields));
    } finally {
      await promisePool.end();
    }
  });

  test('pool.query with a callback: (err, rows, fields); a statement error is mysql2\'s own with its code', async () => {
    const name = table('cmp_my');
    const pool = new MysqlPool(mysqlConfig());
    try {
      await pool.query(`CREATE TABLE ${name} (id INT PRIMARY KEY)`);
      const args = await new Promise<unknown[]>((resolve) => pool.query(`INSERT INTO ${name} VALUES (1)`, (...a: unknown[]) => resolve(a)));
      assert.equal(args[0], null);
      assert.equal((args[1] as { affectedRows: number }).affectedRows, 1);
      const duplicate = await new Promise<{ code?: string; errno?: number }>((resolve) => pool.query(`INSERT INTO ${name} VALUES (1)`, (e: never) => resolve(e)));
      assert.equal(duplicate.code, 'ER_DUP_ENTRY');
      assert.equal(duplicate.errno, 1062);
      assert.equal(havuzErrorOf(duplicate), undefined);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${name}`);
      await pool.end();
    }
  });

  test("events: connection and acquire carry the connection, enqueue when a request waits, release", async () => {
    const pool = new MysqlPool({ ...mysqlConfig(), connectionLimit: 1 });
    const log: string[] = [];
    for (const event of ['connection', 'acquire', 'enqueue', 'release']) pool.on(event, () => log.push(event));
    try {
      const first = await pool.getConnection();
      const queued = pool.getConnection();
      first.release();
      (await queued).release();
      assert.deepEqual(log, ['connection', 'acquire', 'enqueue', 'release', 'acquire', 'release']);
    } finally {
      await pool.end();
    }
  });

  test("queue limits answer with mysql2's words: waitForConnections false and queueLimit", async () => {
    const noWait = new MysqlPool({ ...mysqlConfig(), connectionLimit: 1, waitForConnections: false });
    const limited = new MysqlPool({ ...mysqlConfig(), connectionLimit: 1, queueLimit: 1 });
    try {
      const a = await noWait.getConnection();
      await assert.rejects(noWait.getConnection(), { message: 'No connections available.' });
      a.release();
      const b = await limited.getConnection();
      const waiting = limited.getConnection();
      const refused = (await limited.getConnection().catch((e: unknown) => e)) as Error;
      assert.equal(refused.message, 'Queue limit reached.');
      assert.equal(havuzErrorOf(refused)?.code, 'HAVUZ_QUEUE_FULL');
      b.release();
      (await waiting).release();
    } finally {
      await noWait.end();
      await limited.end();
    }
  });

  test("a refused connect is mysql2's/Node's own error; a closed pool says 'Pool is closed.'; no password shown", async () => {
    const secret = 'Hunter2-xyz';
    const pool = new MysqlPool({ host: '127.0.0.1', port: 1, user: 'x', password: secret });
    const error = (await pool.getConnection().catch((e: unknown) => e)) as NodeJS.ErrnoException;
    assert.equal(error.code, 'ECONNREFUSED');
    assert.equal(havuzErrorOf(error)?.code, 'HAVUZ_CREATE_FAILED');
    assert.doesNotMatch([inspect(pool), inspect(error), error.stack, havuzErrorOf(error)?.message].join('\n'), new RegExp(secret));
    await pool.end();
    await assert.rejects(pool.getConnection(), { message: 'Pool is closed.' });
  });

  test('end() lets queued work finish, then closes every connection', async () => {
    const pool = new MysqlPool({ ...mysqlConfig(), connectionLimit: 2 });
    const results = Array.from({ length: 6 }, (_, i) => pool.query('SELECT ? AS i, SLEEP(0.01) AS s', [i]));
    await pool.end();
    const rows = (await Promise.all(results)) as unknown as [{ i: number }[]][];
    assert.deepEqual(rows.map(([r]) => r[0]!.i), [0, 1, 2, 3, 4, 5]);
    assert.equal(pool.engine.status().size, 0);
  });

  test("statementTimeoutMs stops a statement on MariaDB itself (max_statement_time): mysql2's error, the connection kept", async () => {
    const pool = new MysqlPool({ ...mysqlConfig(), connectionLimit: 1, statementTimeoutMs: 200 });
    try {
      const connection = await pool.getConnection();
      const thread = connection.connection.threadId;
      const error = (await connection.query('SELECT SLEEP(5)').catch((e: unknown) => e)) as { errno?: number };
      assert.equal(error.errno, 1969, "MariaDB's ER_STATEMENT_TIMEOUT, as mysql2 reports it");
      assert.equal(havuzErrorOf(error)?.code, 'HAVUZ_STATEMENT_TIMEOUT');
      connection.release();
      const again = await pool.getConnection();
      assert.equal(again.connection.threadId, thread, 'the same session serves on');
      again.release();
    } finally {
      await pool.end();
    }
  });
});
