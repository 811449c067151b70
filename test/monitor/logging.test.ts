import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import { PoolMonitor } from '../../src/monitor/index.js';
import { requireDatabase, urls } from '../support/databases.js';

const SECRET = 'hv-Ech0-S3cret';
const withPassword = (url: string) => url.replace('//postgres@', `//postgres:${SECRET}@`);
const engines: Engine[] = [];

/** A pino logger writing to memory; `lines()` parses every line written so far as JSON. */
function memoryPino(level = 'debug') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level }, stream);
  const lines = () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  return { logger, lines, raw: () => chunks.join('') };
}

function open(url: string, options: EngineOptions): Engine {
  const engine = createEngine(url, { acquireTimeoutMs: 2_000, ...options });
  engines.push(engine);
  return engine;
}

before(async () => {
  await requireDatabase(urls.postgres);
});
after(async () => {
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 500 })));
});

test('echo through pino: each statement with duration and row count as JSON fields, never the parameters unless asked', async () => {
  const { logger, lines, raw } = memoryPino();
  const db = open(withPassword(urls.postgres), { logger, echo: true, name: 'echo-pg' });
  await db.query('SELECT $1::int AS n', [42]);
  await assert.rejects(db.query('SELECT * FROM havuz_no_such_table_echo'));
  await db.transaction(async (tx) => tx.query('SELECT 1 AS one'));

  const statements = lines().filter((l) => l.durationMs !== undefined);
  const select = statements.find((l) => l.msg === 'SELECT $1::int AS n');
  assert.ok(select, `the statement is the message: ${raw()}`);
  assert.equal(select.level, 20, 'debug by default');
  assert.equal(select.havuz, true);
  assert.equal(select.pool, 'echo-pg');
  assert.equal(select.rowCount, 1);
  assert.equal(typeof select.durationMs, 'number');
  assert.ok(select.durationMs >= 0);
  assert.equal(select.params, undefined, 'parameters are not logged by default');
  assert.doesNotMatch(raw(), /\b42\b.*params|params.*\b42\b/);

  const failed = statements.find((l) => /havuz_no_such_table_echo/.test(l.msg));
  assert.equal(failed?.err?.serverCode, '42P01');
  assert.equal(failed?.err?.code, 'HAVUZ_DATABASE_ERROR');
  assert.equal(failed?.rowCount, undefined);
  assert.deepEqual(
    statements.slice(-3).map((l) => l.msg),
    ['BEGIN', 'SELECT 1 AS one', 'COMMIT'],
    'a transaction echoes its BEGIN and COMMIT too',
  );
  assert.doesNotMatch(raw(), new RegExp(SECRET));
});

test('echo { level, params: true } logs the parameters at the level asked', async () => {
  const { logger, lines } = memoryPino('info');
  const db = open(urls.postgres, { logger, echo: { level: 'info', params: true } });
  await db.query('SELECT $1::text AS s', ['shown']);
  const line = lines().find((l) => l.msg === 'SELECT $1::text AS s');
  assert.equal(line?.level, 30);
  assert.deepEqual(line?.params, ['shown']);
});

test('echoPool logs connect, checkout, checkin and close at debug, with no connection object and no password', async () => {
  const { logger, lines, raw } = memoryPino();
  const db = open(withPassword(urls.postgres), { logger, echoPool: true, name: 'echo-pool', size: 1 });
  await db.query('SELECT 1');
  await db.close();
  const events = lines().filter((l) => l.event !== undefined);
  assert.deepEqual([...new Set(events.map((l) => l.event))], ['connect', 'checkout', 'checkin', 'reset', 'close']);
  for (const l of events) {
    assert.equal(l.level, 20);
    assert.equal(l.pool, 'echo-pool');
    assert.equal(l.msg, `havuz: pool ${l.event}`);
    assert.equal(l.connection, undefined);
  }
  assert.equal(typeof events.find((l) => l.event === 'checkout')?.waitMs, 'number');
  assert.equal(typeof events.find((l) => l.event === 'checkin')?.heldMs, 'number');
  assert.equal(events.find((l) => l.event === 'close')?.reason, 'pool-closed');
  assert.doesNotMatch(raw(), new RegExp(SECRET));
});

test('echo and echoPool come from the URL too', async () => {
  const { logger, lines } = memoryPino();
  const db = open(`${urls.postgres}?echo=info&echoPool=debug`, { logger });
  await db.query('SELECT 2 AS two');
  assert.equal(lines().find((l) => l.msg === 'SELECT 2 AS two')?.level, 30);
  assert.ok(lines().some((l) => l.event === 'checkout' && l.level === 20));
});

test('echo options are checked where they are given, naming the option', () => {
  const { logger } = memoryPino();
  const invalid = (option: string) => (e: any) => e.code === 'HAVUZ_INVALID_OPTION' && e.option === option;
  assert.throws(() => createEngine(urls.postgres, { echo: true }), invalid('echo'), 'echo with no logger to write to');
  assert.throws(() => createEngine(urls.postgres, { echoPool: 'debug' }), invalid('echoPool'));
  assert.throws(() => createEngine(`${urls.postgres}?echo=loud`, { logger }), invalid('echo'));
  assert.throws(() => createEngine(urls.postgres, { logger, echo: { level: 'loud' as any } }), invalid('echo.level'));
  assert.throws(() => createEngine(urls.postgres, { logger, echo: { params: 'yes' as any } }), invalid('echo.params'));
  assert.throws(() => createEngine(urls.postgres, { logger, echo: { colour: true } as any }), invalid('echo.colour'));
  assert.throws(() => createEngine(urls.postgres, { logger, echoPool: { params: true } as any }), invalid('echoPool'));
});

test('without echo a logger at debug gets no statement lines, and query listeners are not called', async () => {
  const { logger, lines } = memoryPino();
  const db = open(urls.postgres, { logger });
  await db.query('SELECT 3');
  assert.deepEqual(lines(), []);
  const seen: string[] = [];
  const off = db.on('query', (e) => seen.push(e.sql));
  await db.query('SELECT 4');
  off();
  await db.query('SELECT 5');
  assert.deepEqual(seen, ['SELECT 4']);
});

test("PoolMonitor logs connect, checkout and checkin with the pool's status beside each, until stopped", async () => {
  const { logger, lines } = memoryPino('info');
  const db = open(withPassword(urls.postgres), { size: 2, name: 'monitored' });
  const monitor = new PoolMonitor(db, logger);
  const held = await db.connect();
  const checkout = lines().find((l) => l.event === 'checkout');
  assert.equal(checkout?.level, 30);
  assert.deepEqual(checkout?.status, { size: 1, checked_out: 1, checked_in: 0, overflow: 0, pending: 0, max: 2 });
  held.release();
  // The pool reports checkin as the connection comes back, before its reset ends: it may still count as checked out.
  const checkin = lines().find((l) => l.event === 'checkin');
  assert.equal(checkin?.status.size, 1);
  assert.equal(checkin?.status.checked_out + checkin?.status.checked_in, 1);
  assert.equal(typeof checkin?.heldMs, 'number');
  assert.deepEqual(lines().map((l) => l.event), ['connect', 'checkout', 'checkin']);
  monitor.stop();
  await db.query('SELECT 1');
  assert.equal(lines().length, 3, 'stop() detaches');
});

test('no password in any line when connects fail, from echoPool or from the pool itself', async () => {
  const { logger, raw, lines } = memoryPino();
  const dead = urls.postgres.replace('//postgres@', `//postgres:${SECRET}@`).replace(/@[^/@]*\//, '@127.0.0.1:1/');
  const db = open(dead, { logger, echo: true, echoPool: true, acquireTimeoutMs: 300 });
  await assert.rejects(db.query('SELECT 1'), (e: any) => e.code === 'HAVUZ_CREATE_FAILED');
  assert.ok(lines().some((l) => l.event === 'connection-error' && l.phase === 'create'), raw());
  assert.doesNotMatch(raw(), new RegExp(SECRET));
});
