import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DatabaseError, HavuzError, InvalidOptionError } from '../../src/core/errors.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { badArguments, callProblem, describeOutcome, errorOf, OVERFLOW_MS, settle, trapUnhandledRejections, window } from './support/fuzz.js';
import { quiesce } from './support/load.js';
import { Admin, appName, PG_URL, reachable, skipUnless, withParams } from './support/postgres.js';

/**
 * Issue 9, items 4, 5 and 8, through the engine on the real PostgreSQL (and MariaDB for URL
 * parameters): bad arguments to query(), connect(), transaction() and close() are refused with a
 * coded error naming them, as a rejection, with nothing left checked out; huge but valid timeouts
 * really wait; maxWaiters 0 still opens connections; no backend outlives close().
 */

const trap = trapUnhandledRejections();

const MAX = OVERFLOW_MS - 1;
/** What a refusal of the statement or its parameters may call them. */
const SQL_NAMES = ['sql', 'query', 'text', 'statement'];
const PARAM_NAMES = ['params', 'values', 'parameters'];

const up = await reachable(PG_URL);

describe('fuzz: the engine\'s calls on PostgreSQL', { ...skipUnless(up, 'PostgreSQL'), timeout: 60_000 }, () => {
  let admin: Admin;
  const engines: [Engine, string][] = [];
  /** An engine with its own application_name, so its backends can be counted. */
  function engine(label: string, options: EngineOptions = {}): Engine {
    const app = appName(`fuzz_${label}`);
    const e = createEngine(withParams(PG_URL, { application_name: app }), { acquireTimeoutMs: 5_000, ...options });
    engines.push([e, app]);
    return e;
  }
  before(async () => {
    admin = await Admin.connect();
  });
  after(async () => {
    await Promise.all(engines.map(([e]) => e.close({ timeoutMs: 1_000 }).catch(() => {})));
    const left = await Promise.all(engines.map(async ([, app]) => [app, await admin.waitForBackends(app, 0)] as const));
    await admin.close();
    assert.deepEqual(left.filter(([, n]) => n > 0), [], 'backends outlived close()');
  });

  test('query() with a statement that is not a string: refused by name, as a rejection, nothing checked out', async () => {
    const e = engine('sql', { size: 1 });
    const problems: string[] = [];
    for (const [what, sql] of [['undefined', undefined], ['null', null], ['5', 5], ['{}', {}], ['[]', []], ['true', true], ['a function', () => 'SELECT 1']] as const) {
      const outcome = await settle(() => e.query(sql as never));
      const problem = callProblem(outcome, SQL_NAMES);
      if (problem !== undefined) problems.push(`query(${what}): ${problem}`);
      // A failed statement's connection is rolled back before it is free again: wait for that, boundedly.
      if ((await quiesce(() => e.status(), 2_000)).inUse > 0) problems.push(`query(${what}): left a connection checked out`);
    }
    const empty = await settle(() => e.query(''));
    if (!('value' in empty) && !(errorOf(empty) instanceof HavuzError)) problems.push(`query(''): ${describeOutcome(empty)}`);
    assert.deepEqual(problems, []);
    assert.equal((await e.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n, 1, 'the engine still works');
  });

  test('query() with parameters that are not an array: refused by name (a string is not spread into characters)', async () => {
    const e = engine('params', { size: 1 });
    const problems: string[] = [];
    for (const [what, params] of [['5', 5], ["'x'", 'x'], ["'abc'", 'abc'], ['{}', {}], ['{ 0: 1 }', { 0: 1 }], ['true', true]] as const) {
      const outcome = await settle(() => e.query('SELECT $1::text AS v', params as never));
      const problem = callProblem(outcome, PARAM_NAMES);
      if (problem !== undefined) problems.push(`query(sql, ${what}): ${problem}`);
    }
    for (const params of [undefined, null]) {
      const outcome = await settle(() => e.query('SELECT 1 AS n', params as never));
      if (!('value' in outcome)) {
        const problem = callProblem(outcome, PARAM_NAMES);
        if (problem !== undefined) problems.push(`query(sql, ${params}): ${problem}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('a parameter count the statement does not take is the statement\'s error, not a lost connection', async () => {
    // PostgreSQL answers 08P01 ("bind message supplies 1 parameters, but prepared statement requires
    // 0") as an ERROR, not FATAL: the connection stays usable and must not be dropped.
    const e = engine('bind', { size: 1 });
    const pid = (await e.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const outcome = await settle(() => e.query('SELECT 1', [1]));
    const error = errorOf(outcome);
    assert.ok(error instanceof DatabaseError, describeOutcome(outcome));
    assert.equal(error.code, 'HAVUZ_DATABASE_ERROR', `${error.code}: ${error.message}`);
    assert.equal(error.serverCode, '08P01');
    const after = (await e.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    assert.equal(after, pid, 'the connection was dropped');
  });

  test('connect(), transaction() and close() with bad arguments: refused by name, as rejections; the engine still works', async () => {
    let e = engine('calls', { size: 1 });
    const problems: string[] = [];
    const calls: [string, string, string[], (arg: unknown) => unknown][] = [
      ['connect(options)', 'acquire options', ['signal', 'timeoutMs'], (arg) => e.connect(arg as never)],
      ['transaction(fn, options)', 'acquire options', ['signal', 'timeoutMs'], (arg) => e.transaction(() => 1, arg as never)],
      ['close(options)', 'close options', ['timeoutMs', 'drain'], (arg) => e.close(arg as never)],
    ];
    for (const [name, argument, keys, call] of calls) {
      for (const [what, value, names] of badArguments(argument, keys)) {
        const outcome = await settle(() => call(value));
        // The engine may name the whole argument "options", as createEngine does.
        const problem = callProblem(outcome, names.includes(argument) ? [...names, 'options'] : names);
        if (problem !== undefined) problems.push(`${name} with ${what}: ${problem}`);
        if ('value' in outcome) (outcome.value as { release?: () => void } | undefined)?.release?.();
        // An accepted close() closed it; the next case needs an open engine.
        if (e.status().closed) e = engine('calls', { size: 1 });
      }
    }
    for (const [what, fn] of [['undefined', undefined], ['5', 5], ['a string', 'SELECT 1']] as const) {
      const outcome = await settle(() => e.transaction(fn as never));
      if (!(errorOf(outcome) instanceof InvalidOptionError) || 'threw' in outcome) problems.push(`transaction(${what}): ${describeOutcome(outcome)}`);
    }
    assert.deepEqual(problems, []);
    assert.equal((await quiesce(() => e.status(), 2_000)).inUse, 0);
    assert.equal((await e.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n, 1, 'the engine still works');
  });

  test('statementTimeoutMs and createTimeoutMs of 2^31 - 1: statements and connects are not cut short', async () => {
    const outcome = await settle(() => createEngine(PG_URL, { statementTimeoutMs: MAX }));
    if (!('value' in outcome)) {
      // Refusing 2^31 - 1 by name is allowed; then there is nothing to run.
      assert.ok(errorOf(outcome) instanceof InvalidOptionError, describeOutcome(outcome));
      return;
    }
    await (outcome.value as Engine).close();
    const e = engine('huge', { size: 1, statementTimeoutMs: MAX, createTimeoutMs: MAX, validateTimeoutMs: MAX });
    const { rows } = await e.query<{ n: number }>('SELECT pg_sleep(0.05), 1 AS n');
    assert.equal(rows[0]?.n, 1);
  });

  test('acquireTimeoutMs of 2^31 - 1 and Infinity: a waiter waits for the held connection', async () => {
    for (const acquireTimeoutMs of [MAX, Infinity]) {
      const e = engine('acquire', { size: 1, acquireTimeoutMs });
      const held = await e.connect();
      let settled = false;
      const waiting = e.query('SELECT 1');
      void waiting.then(() => (settled = true), () => (settled = true));
      await window();
      assert.equal(settled, false, `acquireTimeoutMs ${acquireTimeoutMs}: the waiter settled early`);
      held.release();
      await waiting;
    }
  });

  test('maxWaiters 0: connections are still opened up to the size, then an acquire fails at once', async () => {
    const e = engine('nowait', { size: 2, maxWaiters: 0 });
    const [a, b] = await Promise.all([e.connect(), e.connect()]);
    assert.equal(e.status().size, 2);
    const started = performance.now();
    const outcome = await settle(() => e.query('SELECT 1'));
    assert.equal((errorOf(outcome) as HavuzError | undefined)?.code, 'HAVUZ_QUEUE_FULL', describeOutcome(outcome));
    assert.ok(performance.now() - started < 500, 'did not fail at once');
    a!.release();
    b!.release();
    assert.equal((await e.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n, 1);
  });
});

describe('fuzz: URL parameters named like Object.prototype\'s members reach a real server', { timeout: 30_000 }, () => {
  for (const [dialect, base] of [['postgres', urls.postgres], ['mysql', urls.mysql]] as const) {
    test(`${dialect}: a working engine or a coded error at createEngine; never a raw error at the first query`, async (t) => {
      if (!(await requireDatabase(base, t))) return;
      const problems: string[] = [];
      for (const query of ['__proto__=x', 'hasOwnProperty=1', 'constructor=1', 'toString=x', 'valueOf=1', 'isPrototypeOf=1']) {
        let e: Engine | undefined;
        const made = await settle(() => (e = createEngine(`${base}${base.includes('?') ? '&' : '?'}${query}`, { size: 1, createTimeoutMs: 5_000 })));
        if (!('value' in made)) {
          if (!(errorOf(made) instanceof HavuzError)) problems.push(`?${query}: createEngine ${describeOutcome(made)}`);
          continue;
        }
        const ran = await settle(() => e!.query('SELECT 1 AS n'));
        if (!('value' in ran)) problems.push(`?${query}: the first query ${describeOutcome(ran)}`);
        await e!.close({ timeoutMs: 1_000 });
      }
      assert.deepEqual(problems, []);
    });
  }
});

trap.lastTest();
