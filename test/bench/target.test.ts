import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dialectOf, makeTarget, redactUrl } from '../../src/bench/target.js';
import { MYSQL_URL, PG_URL, unlessReachable } from './helpers.js';

describe('target URLs', () => {
  it('knows the schemes', () => {
    assert.equal(dialectOf('postgresql://u@h/db'), 'postgres');
    assert.equal(dialectOf('postgres://u@h/db'), 'postgres');
    assert.equal(dialectOf('MySQL://u@h/db'), 'mysql');
    assert.equal(dialectOf('mariadb://u@h/db'), 'mysql');
    assert.equal(dialectOf('sqlite:///x.db'), 'sqlite');
    assert.equal(dialectOf('redis://h'), undefined);
    assert.equal(dialectOf('nonsense'), undefined);
  });

  it('redacts passwords, in the user part and the query string, even in malformed URLs', () => {
    assert.equal(redactUrl('postgresql://app:s3cr%40t@db:5432/x'), 'postgresql://app:***@db:5432/x');
    assert.equal(redactUrl('postgresql://app@db/x'), 'postgresql://app@db/x');
    assert.equal(redactUrl('mysql://u:p@h/db?password=zz&ssl=1'), 'mysql://u:***@h/db?password=***&ssl=1');
    assert.doesNotMatch(redactUrl('postgresql://u:se@cret@bad host'), /cret/);
  });

  it('rejects an unsupported URL at once', () => {
    assert.throws(() => makeTarget('redis://h'), /unsupported scheme/);
  });
});

const pgSkip = await unlessReachable(PG_URL);
const mysqlSkip = await unlessReachable(MYSQL_URL);

describe('targets on real databases', () => {
  it('SQLite file: queue and null pools', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'havuz-target-'));
    try {
      const url = `sqlite:///${join(dir, 'bench.db')}`;
      for (const poolClass of ['queue', 'null', 'static'] as const) {
        // StaticPool holds one connection: a size other than 1 is refused, not ignored.
        const target = makeTarget(url, poolClass === 'static' ? { poolClass } : { poolClass, size: 2 });
        assert.deepEqual((await target.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
        await target.query('CREATE TABLE IF NOT EXISTS t (x INTEGER)');
        await target.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: pooled connections are reused; the null pool opens one per query', { skip: pgSkip }, async () => {
    const pooled = makeTarget(PG_URL, { size: 1 });
    const none = makeTarget(PG_URL, { poolClass: 'null', size: 1 });
    try {
      const pids = new Set<unknown>();
      for (let i = 0; i < 3; i++) pids.add((await pooled.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      assert.equal(pids.size, 1);
      const fresh = new Set<unknown>();
      for (let i = 0; i < 3; i++) fresh.add((await none.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      assert.equal(fresh.size, 3);
      assert.equal(pooled.status().size, 1);
      assert.equal(none.status().size, 0);
    } finally {
      await pooled.close();
      await none.close();
    }
  });

  it('MySQL/MariaDB: rows come back', { skip: mysqlSkip }, async () => {
    const target = makeTarget(MYSQL_URL.replace(/^mysql:/, 'mariadb:'), { size: 1 });
    try {
      assert.deepEqual((await target.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    } finally {
      await target.close();
    }
  });

  it('a wrong password never shows in the error', { skip: pgSkip }, async () => {
    const url = PG_URL.replace('postgresql://postgres@', 'postgresql://nosuchuser:hunter2secret@').replace(/\/[^/]*$/, '/nosuchdb');
    const target = makeTarget(url, { size: 1, acquireTimeoutMs: 5_000 });
    try {
      const error = await target.query('SELECT 1').then(() => undefined, (e: unknown) => e as Error);
      assert.ok(error instanceof Error);
      assert.doesNotMatch(`${error.message} ${error.stack} ${String((error as { cause?: Error }).cause?.message)}`, /hunter2secret/);
    } finally {
      await target.close();
    }
  });
});
