import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOptionError } from '../../src/core/errors.js';
import { defaults, POOL_OPTION_NAMES, resolvePoolOptions, type PoolOptions } from '../../src/core/options.js';
import { Pool } from '../../src/core/pool.js';
import { FakeFactory } from '../support/fake-factory.js';

function refuses(options: unknown, option: string, value: RegExp): void {
  assert.throws(
    () => new Pool(new FakeFactory(), options as PoolOptions),
    (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError, String(error));
      assert.equal(error.code, 'HAVUZ_INVALID_OPTION');
      assert.equal(error.option, option);
      assert.match(error.message, new RegExp(`Invalid option ${option}: ${value.source}`));
      return true;
    },
  );
}

test('an unknown option is an error naming it, its value and the known ones, or the one it is close to', () => {
  refuses({ maxConnections: 10 }, 'maxConnections', /10 \(expected no such option; did you mean maxConnecting\?\)/);
  refuses({ idleTimeout: 5 }, 'idleTimeout', /5 \(expected no such option; did you mean idleTimeoutMs\?\)/);
  refuses({ acquire_timeout_ms: 5 }, 'acquire_timeout_ms', /5 \(expected no such option; did you mean acquireTimeoutMs\?\)/);
  refuses({ frobnicate: 1 }, 'frobnicate', /1 \(expected one of the known options: name, size,/);
});

test('negative, fractional, NaN and infinite numbers are refused where they make no sense', () => {
  refuses({ size: -1 }, 'size', /-1 \(expected a whole number >= 1\)/);
  refuses({ size: 0 }, 'size', /0/);
  refuses({ size: 2.5 }, 'size', /2\.5/);
  refuses({ maxOverflow: -1 }, 'maxOverflow', /-1/);
  refuses({ acquireTimeoutMs: NaN }, 'acquireTimeoutMs', /NaN/);
  refuses({ createTimeoutMs: Infinity }, 'createTimeoutMs', /Infinity \(expected a number of milliseconds > 0 and below 2\^31/);
  refuses({ validateTimeoutMs: Infinity }, 'validateTimeoutMs', /Infinity/);
  refuses({ idleTimeoutMs: -5 }, 'idleTimeoutMs', /-5/);
  refuses({ maxLifetimeJitter: 1 }, 'maxLifetimeJitter', /1 \(expected a fraction/);
  refuses({ maxLifetimeJitter: NaN }, 'maxLifetimeJitter', /NaN/);
  refuses({ maxConnecting: 0 }, 'maxConnecting', /0/);
  refuses({ maxWaiters: -1 }, 'maxWaiters', /-1/);
});

test('wrong types are refused with the value described', () => {
  refuses({ size: '10' }, 'size', /"10"/);
  refuses({ prePing: 1 }, 'prePing', /1 \(expected true or false\)/);
  refuses({ order: 'random' }, 'order', /"random"/);
  refuses({ name: '' }, 'name', /""/);
  refuses({ random: 0.5 }, 'random', /0\.5 \(expected a function\)/);
  refuses({ logger: console.log }, 'logger', /a function \(expected a logger with debug\/info\/warn\/error/);
  refuses({ clock: { now: () => 0, setTimeout } }, 'clock', /an object/);
  refuses({ failFast: 'yes' }, 'failFast', /"yes"/);
  refuses(null, 'options', /null/);
});

test('options that contradict each other are refused', () => {
  refuses({ size: 2, maxOverflow: 1, minIdle: 4 }, 'minIdle', /4 \(expected at most size \+ maxOverflow \(3\)\)/);
  refuses({ createBackoffMs: 500, createBackoffMaxMs: 100 }, 'createBackoffMaxMs', /100/);
});

test('a factory without create or destroy, or with a non-function hook, is refused', () => {
  assert.throws(() => new Pool(null as never), { option: 'factory' });
  assert.throws(() => new Pool({ destroy() {} } as never), { option: 'factory.create' });
  assert.throws(() => new Pool({ create: async () => 1 } as never), { option: 'factory.destroy' });
  assert.throws(() => new Pool({ create: async () => 1, destroy() {}, validate: true } as never), { option: 'factory.validate' });
});

test('defaults fill in what is not given; undefined means the default', () => {
  const o = resolvePoolOptions({ size: 4, maxOverflow: 2, idleTimeoutMs: undefined });
  assert.equal(o.max, 6);
  assert.equal(o.idleTimeoutMs, defaults.idleTimeoutMs);
  assert.equal(o.acquireTimeoutMs, defaults.acquireTimeoutMs);
  assert.ok(Number.isFinite(o.acquireTimeoutMs), 'never hang forever by default');
  assert.equal(resolvePoolOptions({ maxOverflow: Infinity }).max, Infinity);
});

test('housekeeping runs often enough for the shortest timed option, within 250 ms to 30 s', () => {
  assert.equal(resolvePoolOptions({ idleTimeoutMs: 4_000, maxLifetimeMs: 0 }).housekeepingMs, 1_000);
  assert.equal(resolvePoolOptions({ idleTimeoutMs: 100, maxLifetimeMs: 0 }).housekeepingMs, 250);
  assert.equal(resolvePoolOptions({ idleTimeoutMs: 0, maxLifetimeMs: 0 }).housekeepingMs, 30_000);
  assert.equal(resolvePoolOptions({ housekeepingMs: 7 }).housekeepingMs, 7);
});

test('options must be a plain object; a string, number, array or function is refused, not exploded into keys', () => {
  for (const options of [5, true, 'size', [], [1], () => undefined, new Map()]) {
    assert.throws(() => new Pool(new FakeFactory(), options as never), { code: 'HAVUZ_INVALID_OPTION', option: 'options' }, String(options));
  }
  assert.ok(new Pool(new FakeFactory(), Object.assign(Object.create(null), { size: 2 })), 'a null-prototype object is fine');
});

test('keys named like Object.prototype members are unknown options, refused with a readable message', () => {
  for (const key of ['hasOwnProperty', 'valueOf', 'constructor', 'toString', '__proto__', 'isPrototypeOf']) {
    const options = JSON.parse(`{"${key}": 5}`);
    assert.throws(() => new Pool(new FakeFactory(), options), (error: any) => {
      assert.equal(error.code, 'HAVUZ_INVALID_OPTION');
      assert.equal(error.option, key);
      assert.match(error.message, new RegExp(`^Invalid option ${key}: 5 \\(expected `));
      return true;
    });
  }
});

test('inherited keys are never read: an object with a prototype of its own is refused', () => {
  assert.throws(() => new Pool(new FakeFactory(), Object.create({ size: 0 })), { code: 'HAVUZ_INVALID_OPTION', option: 'options' });
});

test('resolved options have one fixed key order, whatever the order they were given in (one hidden class per pool, not one per GC)', () => {
  const a = resolvePoolOptions({ size: 3, acquireTimeoutMs: 50, order: 'fifo', name: 'a' });
  const b = resolvePoolOptions({ name: 'b', order: 'lifo', acquireTimeoutMs: 60, size: 4, logger: undefined });
  const c = resolvePoolOptions(undefined, { size: 1, maxOverflow: 0 });
  assert.deepEqual(Object.keys(b), Object.keys(a));
  assert.deepEqual(Object.keys(c), Object.keys(a));
  assert.deepEqual(new Set(Object.keys(a)), new Set([...POOL_OPTION_NAMES, 'max']));
  assert.equal(a.order, 'fifo');
  assert.equal(b.logger, undefined);
  assert.equal(c.max, 1);
});
