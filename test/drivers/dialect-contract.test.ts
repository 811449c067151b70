// One contract, every SQL dialect, real databases: each dialect is driven directly, without the
// pool or the engine, so a failure here points at the adapter.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { skipUnlessReachable } from '../support/databases.js';
import { createContext, targets } from './targets.js';

const tableName = (target: string, name: string): string => `drv_${name}_${target.replace('-', '_')}_${process.pid}`;

for (const target of targets) {
  const { dialect } = target;
  const p = (n: number): string => (dialect.placeholder === '$n' ? `$${n}` : '?');
  const open = (context = createContext()) => dialect.connect(target.config(), context);

  describe(`${target.name} dialect`, { skip: await skipUnlessReachable(target.url) }, () => {
    const opened: unknown[] = [];
    const tables: string[] = [];
    let admin: unknown;

    // One in-process database per connection (SQLite memory): the engine shares one, so do the tests.
    const single = dialect.isSingleConnection(target.config());
    const connect = async (context = createContext()) => {
      if (single) return admin;
      const connection = await open(context);
      opened.push(connection);
      return connection;
    };
    const table = async (name: string, columns: string): Promise<string> => {
      const t = tableName(target.name, name);
      tables.push(t);
      await dialect.query(admin, `DROP TABLE IF EXISTS ${t}`);
      await dialect.query(admin, `CREATE TABLE ${t} (${columns})`);
      return t;
    };
    const count = async (connection: unknown, t: string): Promise<number> =>
      Number((await dialect.query<{ n: number }>(connection, `SELECT COUNT(*) AS n FROM ${t}`)).rows[0]!.n);

    before(async () => {
      admin = await open();
    });
    after(async () => {
      for (const t of tables) await dialect.query(admin, `DROP TABLE IF EXISTS ${t}`);
      await dialect.close(admin);
      await Promise.allSettled(opened.map((c) => dialect.close(c)));
      target.cleanup();
    });

    test('runs queries with parameters in its placeholder style, with rowCount and insertId', async () => {
      const c = await connect();
      const t = await table('crud', `${target.autoId}, name VARCHAR(50) NOT NULL, n INT`);
      const inserted = await dialect.query(c, `INSERT INTO ${t} (name, n) VALUES (${p(1)}, ${p(2)})`, ['ada', 1]);
      assert.equal(inserted.rowCount, 1);
      if (target.name !== 'postgres') assert.equal(Number(inserted.insertId), 1);
      await dialect.query(c, `INSERT INTO ${t} (name, n) VALUES (${p(1)}, ${p(2)})`, ['bob', 2]);
      const updated = await dialect.query(c, `UPDATE ${t} SET n = n + 10 WHERE n >= ${p(1)}`, [1]);
      assert.equal(updated.rowCount, 2);
      assert.equal(updated.insertId, undefined);
      const { rows, rowCount } = await dialect.query<{ name: string; n: number }>(c, `SELECT name, n FROM ${t} WHERE name = ${p(1)}`, ['bob']);
      assert.deepEqual(rows.map((r) => [r.name, Number(r.n)]), [['bob', 12]]);
      assert.equal(rowCount, 1);
    });

    test('ping is true on a live connection and false (or a throw) after close', async () => {
      const c = await open();
      assert.equal(await dialect.ping(c), true);
      await dialect.close(c);
      const after = await dialect.ping(c).catch(() => false);
      assert.equal(after, false);
    });

    test('reset rolls back an open transaction', async () => {
      const c = await connect();
      const t = await table('reset', 'n INT');
      await dialect.query(c, dialect.sql.begin);
      await dialect.query(c, `INSERT INTO ${t} (n) VALUES (1)`);
      await dialect.reset(c, false);
      assert.equal(await count(c, t), 0);
      // The connection is usable afterwards and not inside a transaction any more.
      await dialect.query(c, `INSERT INTO ${t} (n) VALUES (2)`);
      assert.equal(await count(admin, t), 1);
    });

    test('reset rolls back a transaction that a failed statement aborted', async () => {
      const c = await connect();
      const t = await table('aborted', 'n INT');
      await dialect.query(c, dialect.sql.begin);
      await dialect.query(c, `INSERT INTO ${t} (n) VALUES (1)`);
      await assert.rejects(dialect.query(c, 'SELECT * FROM drv_no_such_table'));
      await dialect.reset(c, false);
      assert.equal(await count(c, t), 0);
    });

    test('savepoints roll back part of a transaction', async () => {
      const c = await connect();
      const t = await table('savepoint', 'n INT');
      await dialect.query(c, dialect.sql.begin);
      await dialect.query(c, `INSERT INTO ${t} (n) VALUES (1)`);
      await dialect.query(c, dialect.sql.savepoint('sp "1"'));
      await dialect.query(c, `INSERT INTO ${t} (n) VALUES (2)`);
      await dialect.query(c, dialect.sql.rollbackToSavepoint('sp "1"'));
      await dialect.query(c, dialect.sql.releaseSavepoint('sp "1"'));
      await dialect.query(c, dialect.sql.commit);
      assert.equal(await count(admin, t), 1);
    });

    test('a full reset discards session state', async () => {
      const c = await connect();
      const temp = tableName(target.name, 'temp');
      await dialect.query(c, `CREATE TEMPORARY TABLE ${temp} (n INT)`);
      if (target.session) await dialect.query(c, target.session.set);
      await dialect.reset(c, true);
      await assert.rejects(dialect.query(c, `SELECT * FROM ${temp}`));
      if (target.session) {
        const { rows } = await dialect.query<{ v: unknown }>(c, target.session.read);
        assert.deepEqual(rows[0]!.v, target.session.pristine);
      }
    });

    test('errorCode gives the server code of a unique violation', async () => {
      const c = await connect();
      const t = await table('unique', 'email VARCHAR(50) NOT NULL UNIQUE');
      await dialect.query(c, `INSERT INTO ${t} (email) VALUES (${p(1)})`, ['a@x']);
      const error = await dialect.query(c, `INSERT INTO ${t} (email) VALUES (${p(1)})`, ['a@x']).catch((e: unknown) => e);
      assert.equal(dialect.errorCode(error), target.uniqueViolation);
      assert.equal(dialect.isConnectionLost(error), false);
      assert.equal(dialect.isTimeout(error), false);
      assert.equal(await dialect.ping(c), true);
    });

    test('an already aborted signal rejects connect with its reason', async () => {
      const controller = new AbortController();
      const reason = new Error('gave up');
      controller.abort(reason);
      await assert.rejects(open(createContext(controller.signal)), (error) => error === reason);
    });

    if (target.sleep === undefined) return; // SQLite: no server to cancel, kill or wait on.
    const sleep = target.sleep;
    const backendId = target.backendId!;
    const kill = target.kill!;
    const idOf = async (c: unknown): Promise<number> => Number((await dialect.query<{ id: number }>(c, backendId)).rows[0]!.id);

    test('a query timeout cancels a stalled statement and keeps the connection', async () => {
      const c = await connect();
      const started = performance.now();
      const error = await dialect.query(c, sleep, [], { timeoutMs: 200 }).catch((e: unknown) => e);
      assert.ok(performance.now() - started < 4_000, 'cancelled before the sleep ended');
      assert.equal(dialect.isTimeout(error), true, `isTimeout(${String(error)})`);
      assert.equal(dialect.isConnectionLost(error), false);
      assert.equal((await dialect.query<{ x: number }>(c, 'SELECT 1 AS x')).rows[0]!.x, 1);
      await dialect.reset(c, false);
      assert.equal(await dialect.ping(c), true);
    });

    test('a statement that finishes before its timeout is not cancelled', async () => {
      const c = await connect();
      const { rows } = await dialect.query<{ x: number }>(c, 'SELECT 1 AS x', [], { timeoutMs: 5_000 });
      assert.equal(rows[0]!.x, 1);
    });

    test('onBroken fires when the server kills an idle connection, and its errors count as lost', async () => {
      const context = createContext();
      const c = await connect(context);
      await dialect.query(admin, kill, [await idOf(c)]);
      await context.broken;
      const error = await dialect.query(c, 'SELECT 1').catch((e: unknown) => e);
      assert.ok(error instanceof Error, 'the query on a killed connection fails');
      assert.equal(dialect.isConnectionLost(error), true, `isConnectionLost(${String(error)})`);
      assert.equal(await dialect.ping(c).catch(() => false), false);
    });

    test('a statement running when the server kills its connection fails as connection lost', async () => {
      const c = await connect();
      const id = await idOf(c);
      const running = dialect.query(c, sleep).catch((e: unknown) => e);
      await dialect.query(admin, kill, [id]);
      const error = await running;
      assert.ok(error instanceof Error, 'the statement fails');
      assert.equal(dialect.isConnectionLost(error), true, `isConnectionLost(${String(error)})`);
    });

    test('close does not report the connection as broken', async () => {
      const context = createContext();
      const c = await open(context);
      await dialect.close(c);
      assert.equal(context.brokenCalls(), 0);
    });

    describe('against a server that accepts and never answers', () => {
      let server: Server;
      let accepted: (socket: Socket) => void;
      let port = 0;
      before(async () => {
        server = createServer((socket) => accepted(socket));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        port = (server.address() as { port: number }).port;
      });
      after(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const nextSocket = () => new Promise<Socket>((resolve) => (accepted = resolve));

      test('aborting the signal during connect rejects and closes the socket', async () => {
        const controller = new AbortController();
        const socket = nextSocket();
        const connecting = dialect.connect({ ...target.config(), port }, createContext(controller.signal));
        const serverSide = await socket;
        const closed = new Promise((resolve) => serverSide.once('close', resolve));
        const reason = new Error('pool closed');
        controller.abort(reason);
        await assert.rejects(connecting, (error) => error === reason);
        await closed;
      });

      test('connectTimeoutMs bounds the connect', async () => {
        const socket = nextSocket();
        const connecting = dialect.connect({ ...target.config(), port, connectTimeoutMs: 200 }, createContext());
        const serverSide = await socket;
        await assert.rejects(connecting);
        serverSide.destroy();
      });
    });
  });
}
