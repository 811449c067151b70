import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { HavuzError, InvalidOptionError } from '../../src/core/errors.js';
import type { Lease } from '../../src/core/lease.js';
import { Pool } from '../../src/core/pool.js';
import { FakeFactory, type FakeConnection } from '../support/fake-factory.js';
import {
  badArguments,
  callProblem,
  describeOutcome,
  errorOf,
  fromPairs,
  OVERFLOW_MS,
  PROTOTYPE_KEYS,
  SEED,
  settle,
  show,
  trapUnhandledRejections,
  window,
} from './support/fuzz.js';

/**
 * Issue 9, items 4, 5 and 8: what the pool's calls take. A bad argument to acquire(), use(),
 * close() or invalidateAll() rejects the promise with InvalidOptionError naming it (never a
 * synchronous throw from a promise-returning call) and leaves no trace; a huge but valid timeout
 * really waits (Node fires a timer of 2^31 ms or more after 1 ms); Infinity means no limit.
 * On the core pool with a fake factory; fuzz-calls-postgres.test.ts does the engine's calls on
 * the real PostgreSQL.
 */

const trap = trapUnhandledRejections();

const MAX = OVERFLOW_MS - 1;

/** A size-1 pool, and its one connection held. */
async function heldPool(options: Record<string, unknown> = {}): Promise<{ pool: Pool<FakeConnection>; factory: FakeFactory; lease: Lease<FakeConnection> }> {
  const factory = new FakeFactory();
  const pool = new Pool(factory, { size: 1, ...options });
  return { pool, factory, lease: await pool.acquire() };
}

describe('fuzz: bad arguments to the pool\'s calls', () => {
  const calls: [name: string, argument: string, keys: string[], call: (pool: Pool<FakeConnection>, arg: unknown) => unknown][] = [
    ['acquire(options)', 'acquire options', ['signal', 'timeoutMs'], (pool, arg) => pool.acquire(arg as never)],
    ['use(fn, options)', 'acquire options', ['signal', 'timeoutMs'], (pool, arg) => pool.use(() => 1, arg as never)],
    ['close(options)', 'close options', ['timeoutMs', 'drain'], (pool, arg) => pool.close(arg as never)],
    ['invalidateAll(options)', 'invalidateAll options', ['soft'], (pool, arg) => pool.invalidateAll(arg as never)],
  ];
  for (const [name, argument, keys, call] of calls) {
    test(`${name}: each refused by name, as a rejection; the pool is left as it was`, async () => {
      const problems: string[] = [];
      for (const [what, value, names] of badArguments(argument, keys)) {
        const factory = new FakeFactory();
        const pool = new Pool(factory, { size: 1 });
        const outcome = await settle(() => call(pool, value));
        const problem = callProblem(outcome, names);
        if (problem !== undefined) problems.push(`${name} with ${what}: ${problem}`);
        // A refused call changes nothing: the pool still serves, nothing is queued or open.
        const status = pool.status();
        if ('value' in outcome) (outcome.value as Lease<FakeConnection> | undefined)?.release?.();
        else if (status.closed || status.pending > 0 || status.inUse > 0) problems.push(`${name} with ${what}: left the pool ${JSON.stringify({ closed: status.closed, pending: status.pending, inUse: status.inUse })}`);
        else {
          const lease = await pool.acquire({ timeoutMs: 1_000 });
          lease.release();
        }
        await pool.close({ timeoutMs: 0 });
        if (factory.open !== 0) problems.push(`${name} with ${what}: ${factory.open} connection(s) leaked`);
      }
      assert.deepEqual(problems, []);
    });
  }

  test('null and undefined as options: no options, or refused by name; never a synchronous throw', async () => {
    const problems: string[] = [];
    for (const [name, argument, , call] of calls) {
      for (const value of [null, undefined]) {
        const pool = new Pool(new FakeFactory(), { size: 1 });
        const outcome = await settle(() => call(pool, value));
        if ('value' in outcome) (outcome.value as Lease<FakeConnection> | undefined)?.release?.();
        else {
          const problem = callProblem(outcome, [argument]);
          if (problem !== undefined) problems.push(`${name} with ${value}: ${problem}`);
        }
        await pool.close({ timeoutMs: 0 });
      }
    }
    assert.deepEqual(problems, []);
  });

  test('use() with something that is not a function: refused by name, as a rejection, with nothing checked out', async () => {
    const problems: string[] = [];
    for (const [what, fn] of [['undefined', undefined], ['5', 5], ['a string', 'SELECT 1'], ['an object', {}], ['a promise', Promise.resolve(1)]] as const) {
      const factory = new FakeFactory();
      const pool = new Pool(factory, { size: 1 });
      const outcome = await settle(() => pool.use(fn as never));
      if ('value' in outcome) problems.push(`use(${what}): accepted`);
      else if ('threw' in outcome) problems.push(`use(${what}): threw synchronously`);
      else if (!(errorOf(outcome) instanceof InvalidOptionError)) problems.push(`use(${what}): ${describeOutcome(outcome)}`);
      if (pool.status().inUse > 0) problems.push(`use(${what}): a connection stayed checked out`);
      await pool.close({ timeoutMs: 0 });
    }
    assert.deepEqual(problems, []);
  });

  test('release() of what is not one of its leases: a coded error at once', () => {
    const pool = new Pool(new FakeFactory(), { size: 1 });
    for (const value of [undefined, null, 5, {}, { connection: {} }, 'lease']) {
      assert.throws(() => pool.release(value as never), (e: unknown) => e instanceof HavuzError && e.message.length > 0, `release(${String(value)})`);
    }
    return pool.close();
  });

  test('seeded random arguments to acquire() and close(): refused by a name they carry, or they work; no leak', async () => {
    const keyArb = fc.oneof(fc.constantFrom('timeoutMs', 'signal', 'drain', 'soft', ...PROTOTYPE_KEYS), fc.string({ maxLength: 8 }));
    const valueArb = fc.oneof(
      fc.constantFrom(0, 1, 50, MAX, OVERFLOW_MS, 3e9, Infinity, -Infinity, NaN, -1, true, false, null, undefined, '10', new AbortController().signal),
      fc.anything({ maxDepth: 1 }),
    );
    const argArb = fc.oneof(
      { weight: 4, arbitrary: fc.array(fc.tuple(keyArb, valueArb), { maxLength: 3 }).map(fromPairs) },
      { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
    );
    await fc.assert(
      fc.asyncProperty(argArb, argArb, async (acquireArg, closeArg) => {
        const factory = new FakeFactory();
        const pool = new Pool(factory, { size: 1, acquireTimeoutMs: 100 });
        const named = (arg: unknown, argument: string): string[] =>
          typeof arg === 'object' && arg !== null ? [argument, ...Object.keys(arg)] : [argument];
        // With the one connection held, a valid acquire waits: bounded here by racing a short window.
        const held = await pool.acquire();
        const acquiring = settle(() => pool.acquire(acquireArg as never));
        const early = await Promise.race([acquiring, window(30).then(() => undefined)]);
        held.release();
        const outcome = early ?? (await acquiring);
        if ('value' in outcome) (outcome.value as Lease<FakeConnection>).release();
        else if (!(errorOf(outcome) instanceof HavuzError && (errorOf(outcome) as HavuzError).code === 'HAVUZ_ACQUIRE_TIMEOUT')) {
          const problem = callProblem(outcome, named(acquireArg, 'acquire options'));
          assert.equal(problem, undefined, `acquire(${describeArg(acquireArg)}): ${problem}`);
        }
        const closed = await settle(() => pool.close(closeArg as never));
        if (!('value' in closed)) {
          const problem = callProblem(closed, named(closeArg, 'close options'));
          assert.equal(problem, undefined, `close(${describeArg(closeArg)}): ${problem}`);
          await pool.close({ timeoutMs: 0 });
        }
        assert.equal(factory.open, 0, 'a connection leaked');
      }),
      { seed: SEED, numRuns: 300, verbose: 1 },
    );
  });
});

describe('huge timeouts really wait; Infinity is no limit', () => {
  for (const timeoutMs of [MAX, Infinity]) {
    test(`acquire({ timeoutMs: ${timeoutMs === MAX ? '2^31 - 1' : 'Infinity'} }) waits for the held connection`, async () => {
      const { pool, lease } = await heldPool();
      const waiting = pool.acquire({ timeoutMs });
      let settled: unknown;
      waiting.then(
        () => (settled = 'served'),
        (e: unknown) => (settled = e),
      );
      await window();
      assert.equal(settled, undefined, `settled early: ${String(settled)}`);
      assert.equal(pool.status().pending, 1);
      lease.release();
      (await waiting).release();
      await pool.close();
    });

    test(`close({ timeoutMs: ${timeoutMs === MAX ? '2^31 - 1' : 'Infinity'} }) waits for the checked-out connection, and does not destroy it`, async () => {
      const { pool, factory, lease } = await heldPool();
      let closed = false;
      const closing = pool.close({ timeoutMs }).then(() => (closed = true));
      await window();
      assert.equal(closed, false, 'close resolved while a connection was checked out');
      assert.equal(lease.connection.destroyed, false, 'the checked-out connection was destroyed');
      lease.release();
      await closing;
      assert.equal(factory.open, 0);
    });

    test(`close({ drain: true, timeoutMs: ${timeoutMs === MAX ? '2^31 - 1' : 'Infinity'} }) still serves the queued acquire`, async () => {
      const { pool, factory, lease } = await heldPool();
      const queued = pool.acquire();
      const closing = pool.close({ drain: true, timeoutMs });
      await window();
      lease.release();
      const next = await queued;
      next.release();
      await closing;
      assert.equal(factory.open, 0);
    });
  }

  for (const [option, value] of [
    ['acquireTimeoutMs', MAX],
    ['acquireTimeoutMs', Infinity],
  ] as const) {
    test(`{ ${option}: ${value === MAX ? '2^31 - 1' : 'Infinity'} }: a queued acquire waits`, async () => {
      const { pool, lease } = await heldPool({ [option]: value });
      let settled = false;
      const waiting = pool.acquire();
      void waiting.then(() => (settled = true), () => (settled = true));
      await window();
      assert.equal(settled, false, 'the queued acquire settled early');
      lease.release();
      (await waiting).release();
      await pool.close();
    });
  }

  for (const [option, value] of [
    ['idleTimeoutMs', MAX],
    ['idleTimeoutMs', Infinity],
    ['maxLifetimeMs', MAX],
    ['maxLifetimeMs', Infinity],
  ] as const) {
    test(`{ ${option}: ${value === MAX ? '2^31 - 1' : 'Infinity'} }: an idle connection stays open`, async () => {
      const factory = new FakeFactory();
      const pool = new Pool(factory, { size: 1, [option]: value, housekeepingMs: 5 });
      (await pool.acquire()).release();
      await window();
      assert.equal(factory.destroyed, 0, 'the idle connection was closed');
      assert.equal(pool.status().idle, 1);
      await pool.close();
    });
  }

  test('{ createTimeoutMs: 2^31 - 1 }: a slow connect is not cut short', async () => {
    const factory = new FakeFactory({ hold: true });
    const pool = new Pool(factory, { size: 1, createTimeoutMs: MAX });
    const acquiring = pool.acquire();
    while (factory.held.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await window();
    assert.equal(factory.held[0]!.signal.aborted, false, 'the connect was aborted');
    factory.held[0]!.open();
    (await acquiring).release();
    await pool.close();
  });

  test('{ validateTimeoutMs: 2^31 - 1 }: a slow ping is not cut short', async () => {
    const factory = new FakeFactory();
    const pool = new Pool(factory, { size: 1, prePing: true, prePingBypassMs: 0, validateTimeoutMs: MAX });
    const first = await pool.acquire();
    const id = first.connection.id;
    first.release();
    await window(); // no longer "opened a moment ago": the next checkout pings it
    factory.onValidate = () => window(40).then(() => true);
    const second = await pool.acquire();
    assert.equal(second.connection.id, id, 'the pinged connection was dropped');
    assert.ok(factory.count('validate') >= 1, 'never pinged');
    second.release();
    await pool.close();
  });

  test('{ failFastAfterMs: 2^31 - 1 }: after its only connection died and connects fail, a waiter waits its own timeout', async () => {
    const factory = new FakeFactory();
    const pool = new Pool(factory, { size: 1, failFastAfterMs: MAX, createBackoffMs: 10, createBackoffMaxMs: 10 });
    const lease = await pool.acquire();
    factory.failCreates = Infinity;
    lease.connection.break();
    lease.release();
    const started = performance.now();
    const outcome = await settle(() => pool.acquire({ timeoutMs: 150 }));
    const elapsed = performance.now() - started;
    assert.equal((errorOf(outcome) as HavuzError | undefined)?.code, 'HAVUZ_ACQUIRE_TIMEOUT', describeOutcome(outcome));
    assert.ok(elapsed >= 100, `failed after ${Math.round(elapsed)} ms`);
    await pool.close();
  });

  test('{ leakDetectionMs: 2^31 - 1 }: a short checkout is not reported', async () => {
    const factory = new FakeFactory();
    const pool = new Pool(factory, { size: 1, leakDetectionMs: MAX, housekeepingMs: 5 });
    const leaks: unknown[] = [];
    pool.on('leak', (e) => leaks.push(e));
    const lease = await pool.acquire();
    await window();
    assert.deepEqual(leaks, []);
    lease.release();
    await pool.close();
  });

  test('{ maxWaiters: 0 }: opens up to its size, then fails at once instead of queueing', async () => {
    const factory = new FakeFactory();
    const pool = new Pool(factory, { size: 2, maxWaiters: 0 });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    assert.equal(factory.created, 2, 'both acquires opened a connection');
    const started = performance.now();
    const outcome = await settle(() => pool.acquire());
    assert.equal((errorOf(outcome) as HavuzError | undefined)?.code, 'HAVUZ_QUEUE_FULL', describeOutcome(outcome));
    assert.ok(performance.now() - started < 50, 'did not fail at once');
    a!.release();
    (await pool.acquire()).release();
    b!.release();
    await pool.close();
    assert.equal(factory.open, 0);
  });
});

function describeArg(arg: unknown): string {
  if (typeof arg !== 'object' || arg === null) return show(arg);
  return `{ ${Object.keys(arg).map((k) => `${k}: ${show((arg as Record<string, unknown>)[k])}`).join(', ')} }`;
}

trap.lastTest();
