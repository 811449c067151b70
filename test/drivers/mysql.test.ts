// What only the mysql dialect does: transaction tracking from the server's status flags (so a
// return costs no ROLLBACK when nothing is open), MariaDB's server-side statement timeout, and
// COM_RESET_CONNECTION for the full reset.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mysqlDialect as dialect, type MysqlPromiseConnection } from '../../src/drivers/mysql/dialect.js';
import { mysqlOptions } from '../../src/drivers/mysql/config.js';
import { skipUnlessReachable, urls } from '../support/databases.js';
import { configFrom, createContext } from './targets.js';

const base = configFrom(urls.mysql);
const table = `drv_mysql_${process.pid}`;

/** Counts the statements a connection sends from now on. */
function countQueries(connection: MysqlPromiseConnection): () => number {
  let sent = 0;
  const query = connection.query.bind(connection);
  (connection as { query: MysqlPromiseConnection['query'] }).query = (sql, values) => {
    sent++;
    return query(sql, values);
  };
  return () => sent;
}

test('URL parameters pass to mysql2 as JSON when they parse, else as strings', () => {
  const options = mysqlOptions({ host: '/tmp/mysql.sock', user: 'u', params: { supportBigNumbers: 'true', ssl: '{"rejectUnauthorized":true}', timezone: 'Z' } });
  assert.deepEqual(options, { trace: false, enableKeepAlive: true, keepAliveInitialDelay: 10_000, socketPath: '/tmp/mysql.sock', user: 'u', supportBigNumbers: true, ssl: { rejectUnauthorized: true }, timezone: 'Z' });
});

test('per-query stack traces are off by default (their cost grows with stack depth) and the URL can turn them on', () => {
  assert.equal(mysqlOptions({ params: {} }).trace, false);
  assert.equal(mysqlOptions({ params: { trace: 'true' } }).trace, true);
});

describe('mysql dialect specifics', { skip: await skipUnlessReachable(urls.mysql) }, () => {
  const opened: MysqlPromiseConnection[] = [];
  const connect = async () => {
    const connection = await dialect.connect(base, createContext());
    opened.push(connection);
    return connection;
  };
  let admin: MysqlPromiseConnection;
  const count = async (c: MysqlPromiseConnection) => Number((await dialect.query<{ n: number }>(c, `SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n);

  before(async () => {
    admin = await connect();
    await dialect.query(admin, `DROP TABLE IF EXISTS ${table}`);
    await dialect.query(admin, `CREATE TABLE ${table} (n INT) ENGINE=InnoDB`);
  });
  after(async () => {
    await dialect.query(admin, `DROP TABLE IF EXISTS ${table}`);
    await Promise.allSettled(opened.map((c) => dialect.close(c)));
  });

  test('reset makes no round trip when no transaction is open, one ROLLBACK when one is', async () => {
    const c = await connect();
    const sent = countQueries(c);
    await dialect.query(c, `INSERT INTO ${table} (n) VALUES (1)`);
    await dialect.reset(c, false);
    assert.equal(sent(), 1);
    await dialect.query(c, 'START TRANSACTION');
    await dialect.query(c, `INSERT INTO ${table} (n) VALUES (2)`);
    await dialect.reset(c, false);
    assert.equal(sent(), 4);
    await dialect.reset(c, false);
    assert.equal(sent(), 4);
  });

  test('with autocommit off, reset rolls back the transaction any statement opened', async () => {
    const c = await connect();
    const before = await count(admin);
    await dialect.query(c, 'SET autocommit = 0');
    await dialect.query(c, `INSERT INTO ${table} (n) VALUES (3)`);
    await dialect.reset(c, false);
    assert.equal(await count(admin), before);
    // A SELECT opens a transaction too (its status is not reported), so reset still rolls back.
    const sent = countQueries(c);
    await dialect.query(c, `SELECT COUNT(*) FROM ${table}`);
    await dialect.reset(c, false);
    assert.equal(sent(), 2);
  });

  test('a full reset restores autocommit and the connect-time character set', async () => {
    const c = await connect();
    const before = (await dialect.query<{ cs: string }>(c, 'SELECT @@character_set_client AS cs')).rows[0]!.cs;
    await dialect.query(c, 'SET autocommit = 0');
    await dialect.query(c, 'SET NAMES latin1');
    await dialect.reset(c, true);
    const { rows } = await dialect.query<{ ac: number; cs: string }>(c, 'SELECT @@autocommit AS ac, @@character_set_client AS cs');
    assert.deepEqual(rows[0], { ac: 1, cs: before });
    // Tracking knows autocommit is back on: no ROLLBACK on the next plain return.
    const sent = countQueries(c);
    await dialect.reset(c, false);
    assert.equal(sent(), 0);
  });

  test("MariaDB's timeout error is named by number, since mysql2 has no name for 1969", async () => {
    const c = await connect();
    const error = await dialect.query(c, 'SELECT SLEEP(5)', [], { timeoutMs: 100 }).catch((e: unknown) => e);
    assert.equal(dialect.isTimeout(error), true);
    assert.equal(dialect.errorCode(error), '1969');
  });

  test('network errors are not database error codes', () => {
    assert.equal(dialect.errorCode(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), undefined);
    assert.equal(dialect.isConnectionLost(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), true);
  });

  test('savepoint names are quoted with backticks', () => {
    assert.equal(dialect.sql.savepoint('a`b'), 'SAVEPOINT `a``b`');
  });
});
