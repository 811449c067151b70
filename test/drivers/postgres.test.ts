// What only the postgres dialect does: URL parameters through to pg, transaction tracking that
// spares a round trip per return, and the cancel request behind query timeouts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgresDialect as dialect, type PgClient } from '../../src/drivers/postgres/dialect.js';
import { pgClientConfig } from '../../src/drivers/postgres/config.js';
import { skipUnlessReachable, urls } from '../support/databases.js';
import { configFrom, createContext } from './targets.js';

const base = configFrom(urls.postgres);

/** Counts the statements a client sends from now on. */
function countQueries(client: PgClient): () => number {
  let sent = 0;
  const query = client.query.bind(client) as (...args: unknown[]) => ReturnType<PgClient['query']>;
  (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    sent++;
    return query(...args);
  };
  return () => sent;
}

test('the pg config keeps every part of the URL, escaped', () => {
  const { connectionString } = pgClientConfig({
    host: '/var/run/postgresql',
    port: 5433,
    user: 'me@corp',
    password: 'p@ss:/?#word',
    database: 'my db',
    params: { sslmode: 'disable', options: '-c search_path=a,b' },
  });
  const url = new URL(String(connectionString));
  assert.equal(decodeURIComponent(url.hostname), '/var/run/postgresql');
  assert.equal(url.port, '5433');
  assert.equal(decodeURIComponent(url.username), 'me@corp');
  assert.equal(decodeURIComponent(url.password), 'p@ss:/?#word');
  assert.equal(decodeURIComponent(url.pathname), '/my db');
  assert.equal(url.searchParams.get('options'), '-c search_path=a,b');
});

describe('postgres dialect specifics', { skip: await skipUnlessReachable(urls.postgres) }, () => {
  const opened: PgClient[] = [];
  const connect = async (params: Record<string, string> = {}) => {
    const client = await dialect.connect({ ...base, params: { ...base.params, ...params } }, createContext());
    opened.push(client);
    return client;
  };
  let admin: PgClient;
  before(async () => {
    admin = await connect();
  });
  after(async () => {
    await Promise.allSettled(opened.map((c) => dialect.close(c)));
  });

  test('URL parameters reach the server: application_name, options, statement_timeout', async () => {
    const c = await connect({ application_name: 'drv_app', options: '-c search_path=drv_schema', statement_timeout: '150' });
    const { rows } = await dialect.query<{ app: string; path: string; timeout: string }>(
      c,
      "SELECT current_setting('application_name') AS app, current_setting('search_path') AS path, current_setting('statement_timeout') AS timeout",
    );
    assert.deepEqual(rows[0], { app: 'drv_app', path: 'drv_schema', timeout: '150ms' });
    // The server's own statement_timeout is a timeout too (SQLSTATE 57014).
    const error = await dialect.query(c, 'SELECT pg_sleep(5)').catch((e: unknown) => e);
    assert.equal(dialect.isTimeout(error), true);
    assert.equal(dialect.errorCode(error), '57014');
  });

  test('startup options survive a full reset, unlike SET', async () => {
    const c = await connect({ options: '-c search_path=drv_schema' });
    await dialect.query(c, 'SET application_name = drv_leaked');
    await dialect.reset(c, true);
    const { rows } = await dialect.query<{ app: string; path: string }>(
      c,
      "SELECT current_setting('application_name') AS app, current_setting('search_path') AS path",
    );
    assert.deepEqual(rows[0], { app: '', path: 'drv_schema' });
  });

  test('sslmode reaches pg: verify-full fails against a server without TLS, disable connects', async () => {
    const on = await dialect.query<{ ssl: string }>(admin, "SELECT current_setting('ssl') AS ssl");
    if (on.rows[0]!.ssl !== 'off') return; // a TLS server would be asked for a certificate instead
    await assert.rejects(connect({ sslmode: 'verify-full' }), /does not support SSL/);
    const c = await connect({ sslmode: 'disable' });
    assert.equal(await dialect.ping(c), true);
  });

  test('reset makes no round trip when no transaction is open, one ROLLBACK when one is', async () => {
    const c = await connect();
    const sent = countQueries(c);
    await dialect.query(c, 'SELECT 1');
    await dialect.reset(c, false);
    assert.equal(sent(), 1);
    await dialect.query(c, 'BEGIN');
    await dialect.reset(c, false);
    assert.equal(sent(), 3);
    await dialect.query(c, 'SELECT 1');
    await dialect.query(c, 'COMMIT');
    await dialect.reset(c, false);
    assert.equal(sent(), 5);
  });

  test('several statements without parameters run in one call (init SQL)', async () => {
    const c = await connect();
    await dialect.query(c, "SET application_name = 'a'; SET search_path = 'b'");
    const { rows } = await dialect.query<{ path: string }>(c, "SELECT current_setting('search_path') AS path");
    assert.equal(rows[0]!.path, 'b');
  });

  test('a timed-out statement inside a transaction leaves it aborted, and reset recovers it', async () => {
    const c = await connect();
    await dialect.query(c, 'BEGIN');
    const error = await dialect.query(c, 'SELECT pg_sleep(5)', [], { timeoutMs: 100 }).catch((e: unknown) => e);
    assert.equal(dialect.isTimeout(error), true);
    await assert.rejects(dialect.query(c, 'SELECT 1'), (e) => dialect.errorCode(e) === '25P02');
    await dialect.reset(c, false);
    assert.equal((await dialect.query<{ x: number }>(c, 'SELECT 1 AS x')).rows[0]!.x, 1);
  });

  test('savepoint names are quoted as identifiers', () => {
    assert.equal(dialect.sql.savepoint('a"; DROP TABLE x; --'), 'SAVEPOINT "a""; DROP TABLE x; --"');
    assert.throws(() => dialect.sql.savepoint(''));
  });
});
