import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/index.js';
import { rejectsWith } from '../support/harness.js';

/**
 * Every bad option gets a coded error naming it at createEngine, whichever way it came (the
 * options object or the URL), and nothing is silently ignored. No connection is opened here:
 * the URLs point at a closed port, and option checks come first.
 */
const PG = 'postgres://app@127.0.0.1:9/shop';

function refused(make: () => unknown, option: string, expected?: RegExp): void {
  assert.throws(make, (error: any) => {
    assert.equal(error.code, 'HAVUZ_INVALID_OPTION', error.message);
    assert.equal(error.option, option);
    if (expected !== undefined) assert.match(error.message, expected);
    return true;
  });
}

test('the static pool (SQLite memory) checks every option like the others', () => {
  refused(() => createEngine('sqlite::memory:', { acquireTimeoutMs: -5 }), 'acquireTimeoutMs');
  refused(() => createEngine('sqlite::memory:', { sizee: 3 } as never), 'sizee', /did you mean size\?/);
  refused(() => createEngine('sqlite::memory:', { size: 3 }), 'size', /StaticPool holds one connection/);
});

test('options that are not a plain object are refused, not exploded into keys', () => {
  for (const options of [5, true, 'size', [], [1], () => undefined]) refused(() => createEngine(PG, options as never), 'options');
});

test('keys named like Object.prototype members, and JSON __proto__, are unknown options', () => {
  for (const key of ['hasOwnProperty', 'valueOf', 'constructor', 'toString', '__proto__']) {
    refused(() => createEngine(PG, JSON.parse(`{"${key}": 1}`)), key, new RegExp(`^Invalid option ${key}: 1 \\(expected `));
  }
});

test("SQLAlchemy's pool names work in the URL, with its units (seconds) and its -1", async () => {
  const db = createEngine(`${PG}?pool_size=7&max_overflow=3&pool_timeout=2.5&pool_recycle=1800&pool_pre_ping=true`);
  const o = db.pool.options;
  assert.deepEqual([o.size, o.maxOverflow, o.acquireTimeoutMs, o.maxLifetimeMs, o.prePing], [7, 3, 2_500, 1_800_000, true]);
  await db.close();
  const never = createEngine(`${PG}?pool_recycle=-1&poolSize=4`);
  assert.deepEqual([never.pool.options.maxLifetimeMs, never.pool.options.size], [0, 4]);
  await never.close();
});

test('a misspelled pool key in the URL is an error naming it and what it was meant to be', () => {
  refused(() => createEngine(`${PG}?poolsize=20`), 'poolsize', /did you mean poolSize\?/);
  refused(() => createEngine(`${PG}?pool-size=20`), 'pool-size', /did you mean/);
  refused(() => createEngine(`${PG}?acquire_timeout_ms=20`), 'acquire_timeout_ms', /did you mean acquireTimeoutMs\?/);
  refused(() => createEngine(`${PG}?max_overfow=2`), 'max_overfow', /did you mean (maxOverflow|max_overflow)\?/);
  refused(() => createEngine(`${PG}?pool_size=2&size=3`), 'size', /one spelling per option/);
});

test("the driver's own parameters still reach it, even when they look like a havuz option", async () => {
  const db = createEngine(`${PG}?statement_timeout=1000&application_name=shop&connect_timeout=3`);
  assert.equal(db.pool.options.size, 10);
  await db.close();
});

test('durations of 2^31 ms or more are refused for the engine too', () => {
  refused(() => createEngine(PG, { statementTimeoutMs: 2 ** 31 }), 'statementTimeoutMs', /below 2\^31/);
  refused(() => createEngine(PG, { createTimeoutMs: 3e9 }), 'createTimeoutMs');
  refused(() => createEngine(`${PG}?acquireTimeoutMs=3000000000`), 'acquireTimeoutMs');
});

test('query() with SQL that is not a string, or parameters that are not an array, rejects with a coded error', async () => {
  await using db = createEngine('sqlite::memory:');
  for (const sql of [undefined, null, 5, {}]) await rejectsWith(db.query(sql as never), 'HAVUZ_INVALID_OPTION');
  await rejectsWith(db.query('SELECT ?', 5 as never), 'HAVUZ_INVALID_OPTION');
  assert.deepEqual((await db.query('SELECT 1 AS one')).rows, [{ one: 1 }], 'the connection is fine afterwards');
  assert.equal(db.status().inUse, 0, 'and was given back');
});
