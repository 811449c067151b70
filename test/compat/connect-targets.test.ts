// Connection targets people use, through createEngine and the facades: Unix sockets in every form
// pg-connection-string and mysql2 take, TLS options objects reaching the driver, and URL
// parameters with the driver's own meaning; connectArgs over what the URL gives.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { MysqlPool, PgPool } from '../../src/compat/index.js';
import { createEngine, parseDatabaseUrl } from '../../src/engine/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { mysqlConfig, mysqlDatabase, pgConfig, pgDatabase } from './support.js';

const pgSocketDir = '/var/run/postgresql';
const mysqlSocket = '/run/mysqld/mysqld.sock';

/** NULL over a Unix socket: the server has no address for the client. */
const pgOverSocket = "SELECT inet_server_addr() IS NULL AS socket, current_database() AS db, current_user AS who";
/** 'localhost' over the socket, 'ip:port' over TCP. */
const mysqlOverSocket = 'SELECT HOST AS host, DATABASE() AS db FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()';

describe('Unix sockets', () => {
  test('PostgreSQL: every URL form pg takes, through createEngine', async (t) => {
    if (!(await requireDatabase(urls.postgres, t))) return;
    assert.ok(existsSync(`${pgSocketDir}/.s.PGSQL.5432`), 'the shared PostgreSQL listens on its Unix socket');
    const db = pgDatabase();
    for (const url of [
      `postgresql:///${db}?host=${pgSocketDir}&user=postgres`,
      `postgresql://postgres@/${db}?host=${encodeURIComponent(pgSocketDir)}`,
      `postgres://postgres@${encodeURIComponent(pgSocketDir)}/${db}`,
    ]) {
      const engine = createEngine(url, { size: 1 });
      try {
        const { rows } = await engine.query(pgOverSocket);
        assert.deepEqual(rows[0], { socket: true, db, who: 'postgres' }, url);
      } finally {
        await engine.close();
      }
    }
  });

  test("PostgreSQL: PgPool with a socket directory as host, and pg-connection-string's socket: form", async (t) => {
    if (!(await requireDatabase(urls.postgres, t))) return;
    const db = pgDatabase();
    for (const config of [
      { host: pgSocketDir, user: 'postgres', database: db },
      { connectionString: `socket://postgres@${pgSocketDir}?db=${db}` },
    ]) {
      const pool = new PgPool(config);
      try {
        assert.deepEqual((await pool.query(pgOverSocket)).rows[0], { socket: true, db, who: 'postgres' });
      } finally {
        await pool.end();
      }
    }
  });

  test('MariaDB: socketPath in the URL, a percent-encoded socket host, and MysqlPool({ socketPath })', async (t) => {
    if (!(await requireDatabase(urls.mysql, t))) return;
    const db = mysqlDatabase();
    for (const url of [`mysql://root@localhost/${db}?socketPath=${mysqlSocket}`, `mariadb://root@${encodeURIComponent(mysqlSocket)}/${db}`]) {
      const engine = createEngine(url, { size: 1 });
      try {
        assert.deepEqual((await engine.query(mysqlOverSocket)).rows[0], { host: 'localhost', db }, url);
      } finally {
        await engine.close();
      }
    }
    const pool = new MysqlPool({ socketPath: mysqlSocket, user: 'root', database: db });
    try {
      const [rows] = (await pool.query(mysqlOverSocket)) as unknown as [unknown[]];
      assert.deepEqual(rows[0], { host: 'localhost', db });
    } finally {
      await pool.end();
    }
  });
});

test('hostless URLs parse as pg reads them, and their password is redacted', () => {
  const parsed = parseDatabaseUrl('postgresql://app:s3cret@/shop?host=/var/run/postgresql&port=5433', new Set());
  assert.deepEqual(
    { host: parsed.config.host, user: parsed.config.user, password: parsed.config.password, database: parsed.config.database, params: parsed.config.params },
    { host: undefined, user: 'app', password: 's3cret', database: 'shop', params: { host: '/var/run/postgresql', port: '5433' } },
  );
  assert.doesNotMatch(parsed.redacted, /s3cret/);
  assert.equal(parseDatabaseUrl('postgres://%2Ftmp%2Fpg/db', new Set()).config.host, '/tmp/pg');
  assert.equal(parseDatabaseUrl('postgresql://', new Set()).config.host, undefined);
});

describe('TLS options objects reach the driver', () => {
  // The shared servers run without TLS: a driver that got the ssl object asks for TLS and is
  // refused in its own words, which proves the object arrived (a dropped one would just connect).
  test('pg: an ssl object through createEngine connectArgs and through PgPool', async (t) => {
    if (!(await requireDatabase(urls.postgres, t))) return;
    const engine = createEngine(urls.postgres, { size: 1, connectArgs: { ssl: { rejectUnauthorized: false } } });
    await assert.rejects(engine.query('SELECT 1'), (e: Error) => (e.cause as Error).message === 'The server does not support SSL connections');
    await engine.close();
    const pool = new PgPool({ ...pgConfig(), ssl: { rejectUnauthorized: true, ca: 'not a real CA' } });
    await assert.rejects(pool.query('SELECT 1'), { message: 'The server does not support SSL connections' });
    await pool.end();
    const plain = createEngine(urls.postgres, { size: 1, connectArgs: { ssl: false } });
    assert.equal((await plain.query('SELECT 1 AS n')).rows[0]!.n, 1, 'ssl: false connects in plain text');
    await plain.close();
  });

  test('mysql2: an ssl object through createEngine connectArgs and through MysqlPool', async (t) => {
    if (!(await requireDatabase(urls.mysql, t))) return;
    const engine = createEngine(urls.mysql, { size: 1, connectArgs: { ssl: { rejectUnauthorized: false } } });
    await assert.rejects(engine.query('SELECT 1'), (e: Error) => (e.cause as { code?: string }).code === 'HANDSHAKE_NO_SSL_SUPPORT');
    await engine.close();
    const pool = new MysqlPool({ ...mysqlConfig(), ssl: { rejectUnauthorized: false } });
    await assert.rejects(pool.query('SELECT 1'), { code: 'HANDSHAKE_NO_SSL_SUPPORT' });
    await pool.end();
  });
});

describe('URL parameters keep the driver\'s meaning; connectArgs go over them', () => {
  test('pg: application_name, options=-c ..., sslmode=disable; connectArgs win over the URL', async (t) => {
    if (!(await requireDatabase(urls.postgres, t))) return;
    const sep = urls.postgres.includes('?') ? '&' : '?';
    const url = `${urls.postgres}${sep}application_name=from-url&options=${encodeURIComponent('-c statement_timeout=4321')}&sslmode=disable`;
    const engine = createEngine(url, { size: 1 });
    const overridden = createEngine(url, { size: 1, connectArgs: { application_name: 'from-args', statement_timeout: 1000 } });
    try {
      const { rows } = await engine.query("SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS st");
      assert.deepEqual(rows[0], { app: 'from-url', st: '4321ms' });
      const over = await overridden.query("SELECT current_setting('application_name') AS app");
      assert.equal(over.rows[0]!.app, 'from-args');
    } finally {
      await engine.close();
      await overridden.close();
    }
  });

  test('mysql2: supportBigNumbers and bigNumberStrings from the URL; dateStrings from connectArgs', async (t) => {
    if (!(await requireDatabase(urls.mysql, t))) return;
    const sep = urls.mysql.includes('?') ? '&' : '?';
    const engine = createEngine(`${urls.mysql}${sep}supportBigNumbers=true&bigNumberStrings=true`, { size: 1, connectArgs: { dateStrings: true } });
    try {
      const { rows } = await engine.query("SELECT 9007199254740993 AS big, DATE('2024-05-06') AS d");
      assert.deepEqual(rows[0], { big: '9007199254740993', d: '2024-05-06' });
    } finally {
      await engine.close();
    }
  });
});
