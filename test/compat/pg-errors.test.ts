// On the drop-in path errors are pg's own objects and codes (or pg-pool's wording where pg-pool
// words them), with havuz's coded error reachable from them through havuzErrorOf.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { before, describe, test } from 'node:test';
import pg from 'pg';
import { PgPool, havuzErrorOf } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { PasswordServer } from '../faults/support/password-server.js';
import { SilentServer } from '../faults/support/silent-server.js';
import { pgConfig, table } from './support.js';

before(async () => {
  await requireDatabase(urls.postgres);
});

describe('PgPool errors', () => {
  test("a refused connect is Node's own error (err.code === 'ECONNREFUSED'), with HAVUZ_CREATE_FAILED attached", async () => {
    const pool = new PgPool({ host: '127.0.0.1', port: 1, user: 'nobody', database: 'none' });
    try {
      const error = await pool.connect().then(
        () => assert.fail('connected'),
        (e: unknown) => e as NodeJS.ErrnoException,
      );
      assert.equal(error.code, 'ECONNREFUSED');
      assert.equal(havuzErrorOf(error)?.code, 'HAVUZ_CREATE_FAILED');
      assert.equal(pool.totalCount, 0, 'no dead client left in the pool');
      assert.equal(Object.getOwnPropertyDescriptor(error, Symbol.for('havuz.error'))?.enumerable, false, 'the attachment is not enumerable');
      assert.doesNotMatch(inspect(error), /HAVUZ_CREATE_FAILED/);
    } finally {
      await pool.end();
    }
  });

  test('waiting past connectionTimeoutMillis: pg-pool\'s "timeout exceeded when trying to connect", HAVUZ_ACQUIRE_TIMEOUT attached', async () => {
    // Long enough for the first connect on a busy machine; the second connect() waits it out.
    const pool = new PgPool({ ...pgConfig(), max: 1, connectionTimeoutMillis: 1_000 });
    try {
      const held = await pool.connect();
      const error = (await pool.connect().catch((e: unknown) => e)) as Error;
      assert.equal(error.message, 'timeout exceeded when trying to connect');
      assert.equal(havuzErrorOf(error)?.code, 'HAVUZ_ACQUIRE_TIMEOUT');
      assert.equal((error.cause as { code?: string }).code, 'HAVUZ_ACQUIRE_TIMEOUT');
      held.release();
    } finally {
      await pool.end();
    }
  });

  test('a server that never answers: the connect fails with "timeout" in the message', async () => {
    const silent = await SilentServer.start();
    const pool = new PgPool({ host: silent.host, port: silent.port, user: 'x', database: 'y', connectionTimeoutMillis: 100 });
    try {
      const error = (await pool.connect().catch((e: unknown) => e)) as Error;
      assert.match(error.message, /timeout/);
      assert.ok(havuzErrorOf(error) !== undefined);
      assert.equal(pool.idleCount, 0);
    } finally {
      await pool.end();
      await silent.close();
    }
  });

  test("a statement's error is pg's DatabaseError with its SQLSTATE, from pool.query and client.query alike", async () => {
    const name = table('cmp_err');
    const pool = new PgPool(pgConfig());
    try {
      await pool.query(`CREATE TABLE ${name} (id int PRIMARY KEY)`);
      await pool.query(`INSERT INTO ${name} VALUES (1)`);
      const fromPool = (await pool.query(`INSERT INTO ${name} VALUES (1)`).catch((e: unknown) => e)) as pg.DatabaseError;
      assert.ok(fromPool instanceof pg.DatabaseError);
      assert.equal(fromPool.code, '23505');
      assert.equal(havuzErrorOf(fromPool), undefined, 'nothing for havuz to add');
      const client = await pool.connect();
      const fromClient = (await client.query(`INSERT INTO ${name} VALUES (1)`).catch((e: unknown) => e)) as pg.DatabaseError;
      assert.ok(fromClient instanceof pg.DatabaseError);
      assert.equal(fromClient.constraint, `${name}_pkey`);
      client.release();
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${name}`);
      await pool.end();
    }
  });

  test('a wrong password: pg\'s 28P01 error, and the password appears in no message, stack or inspect output', async () => {
    const server = await PasswordServer.start();
    const secret = 'S3cret-pw-xyz';
    const pool = new PgPool({ host: server.host, port: server.port, user: 'app', password: secret, database: 'db' });
    const byUrl = new PgPool({ connectionString: `postgres://app:${secret}@${server.host}:${server.port}/db` });
    try {
      for (const p of [pool, byUrl]) {
        const error = (await p.connect().catch((e: unknown) => e)) as Error & { code?: string };
        assert.equal(error.code, '28P01');
        const shown = [error.message, error.stack, inspect(error), inspect(p), inspect(p.options), JSON.stringify(havuzErrorOf(error)?.message)].join('\n');
        assert.doesNotMatch(shown, new RegExp(secret));
      }
      assert.equal(Object.keys(pool.options).includes('password'), false, 'the password is not enumerable, as in pg-pool');
      assert.equal(pool.options.password, secret, 'but still readable (Kysely copies it to cancel a query)');
    } finally {
      await pool.end();
      await byUrl.end();
      await server.close();
    }
  });
});
