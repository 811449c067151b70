import assert from 'node:assert/strict';
import { Pool } from '../../src/core/pool.js';
import type { PoolOptions } from '../../src/core/options.js';
import { FakeClock, flush, seededRandom } from './fake-clock.js';
import { deferred, FakeFactory } from './fake-factory.js';

export { flush };

/** A queue pool on a fake clock and a fake factory, with seeded jitter. */
export function setup(options: PoolOptions = {}, factory = new FakeFactory()) {
  const clock = new FakeClock();
  const pool = new Pool(factory, { clock, random: seededRandom(42), ...options });
  return { pool, clock, factory };
}

/** A pool (pre-ping on) with one idle connection, last used `idleMs` ago; `id` is that connection's. */
export async function withIdleConnection(options: PoolOptions = {}, factory = new FakeFactory(), idleMs = 1_000) {
  const kit = setup({ size: 1, prePing: true, prePingBypassMs: 0, ...options }, factory);
  const lease = await kit.pool.acquire();
  const id = lease.connectionId;
  lease.release();
  await kit.clock.advance(idleMs);
  factory.calls.length = 0;
  return { ...kit, id };
}

/** A factory whose pings wait until the test answers through `ping`. */
export function heldPing() {
  const ping = deferred<boolean>();
  return { ping, factory: new FakeFactory({ onValidate: () => ping.promise }) };
}

export interface Tracked<V> {
  readonly state: 'pending' | 'fulfilled' | 'rejected';
  readonly value: V | undefined;
  readonly error: any;
}

/** Watches a promise so a test can ask, after a flush, whether it has settled yet. */
export function track<V>(promise: Promise<V>): Tracked<V> {
  const t = { state: 'pending', value: undefined, error: undefined } as { -readonly [K in keyof Tracked<V>]: Tracked<V>[K] };
  promise.then(
    (value) => Object.assign(t, { state: 'fulfilled', value }),
    (error: unknown) => Object.assign(t, { state: 'rejected', error }),
  );
  return t;
}

/** Asserts that `promise` rejects with a HavuzError of this code; returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<any> {
  let caught: any;
  await assert.rejects(promise, (error: any) => {
    caught = error;
    assert.equal(error?.code, code, `expected ${code}, got ${error?.code}: ${error?.message}`);
    return true;
  });
  return caught;
}

/** Asserts that `fn` throws a HavuzError of this code. */
export function throwsWith(fn: () => unknown, code: string): any {
  let caught: any;
  assert.throws(fn, (error: any) => {
    caught = error;
    assert.equal(error?.code, code, `expected ${code}, got ${error?.code}: ${error?.message}`);
    return true;
  });
  return caught;
}

/** size === idle + inUse and the connection count matches the factory's. */
export function assertStatusAddsUp(pool: { status(): import('../../src/core/stats.js').PoolStatus }, factory?: FakeFactory): void {
  const s = pool.status();
  assert.equal(s.size, s.idle + s.inUse, `size ${s.size} != idle ${s.idle} + inUse ${s.inUse}`);
  assert.ok(s.size <= s.max, `size ${s.size} > max ${s.max}`);
  if (factory !== undefined) assert.equal(factory.open, s.size, `factory has ${factory.open} open, pool says ${s.size}`);
}
