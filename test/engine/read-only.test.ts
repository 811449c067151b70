import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { InvalidOptionError } from '../../src/core/errors.js';
import { DatabaseError, createEngine, type Engine } from '../../src/engine/index.js';
import { requireDatabase, urls } from '../support/databases.js';

/**
 * `readOnly` on an engine with one server, the same call an app makes on a topology engine: the
 * one server serves reads too, and a read-only transaction is one the server refuses to write in.
 */

const servers = [
  { name: 'postgres', url: urls.postgres, refusal: '25006', p: (n: number) => `$${n}` },
  { name: 'mariadb', url: urls.mysql, refusal: 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION', p: () => '?' },
];

for (const server of servers) {
  describe(`readOnly on a single-host engine, ${server.name}`, () => {
    const engines: Engine[] = [];
    const table = `ro_${server.name}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
    after(async () => {
      if (engines[0] !== undefined) await engines[0].query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await Promise.all(engines.map((e) => e.close()));
    });

    test('a readOnly transaction reads and is refused any write; the connection goes back usable', async (t) => {
      if (!(await requireDatabase(server.url, t))) return;
      const db = createEngine(server.url, { size: 1, acquireTimeoutMs: 5_000 });
      engines.push(db);
      await db.query(`CREATE TABLE ${table} (n INT)`);
      await db.query(`INSERT INTO ${table} (n) VALUES (${server.p(1)})`, [1]);
      const read = await db.transaction((tx) => tx.query<{ n: number }>(`SELECT n FROM ${table}`), { readOnly: true });
      assert.deepEqual(read.rows.map((r) => Number(r.n)), [1]);
      await assert.rejects(
        db.transaction((tx) => tx.query(`INSERT INTO ${table} (n) VALUES (${server.p(1)})`, [2]), { readOnly: true }),
        (e: unknown) => e instanceof DatabaseError && e.serverCode === server.refusal,
      );
      // The same single connection (size 1) writes again outside a read-only transaction.
      await db.transaction((tx) => tx.query(`INSERT INTO ${table} (n) VALUES (${server.p(1)})`, [3]));
      const all = await db.query<{ n: number }>(`SELECT n FROM ${table} ORDER BY n`, [], { readOnly: true });
      assert.deepEqual(all.rows.map((r) => Number(r.n)), [1, 3]);
      assert.equal(db.replica(), db);
      // A savepoint cannot change a transaction's access mode: asking is an error, not ignored.
      await db.transaction(async (tx) => {
        await assert.rejects(tx.transaction(() => undefined, { readOnly: true }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'readOnly');
      });
    });
  });
}

test('SQLite has no read-only transactions: asking for one is a coded error naming readOnly', async () => {
  const db = createEngine(urls.sqliteMemory);
  try {
    await assert.rejects(db.transaction(() => undefined, { readOnly: true }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'readOnly');
    assert.deepEqual((await db.query('SELECT 1 AS one', [], { readOnly: true })).rows, [{ one: 1 }]);
  } finally {
    await db.close();
  }
});
