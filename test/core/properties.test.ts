import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Lease } from '../../src/core/lease.js';
import type { PoolOptions } from '../../src/core/options.js';
import { FakeClock, flush, seededRandom } from '../support/fake-clock.js';
import { FakeFactory, type FakeConnection } from '../support/fake-factory.js';
import { Pool } from '../../src/core/pool.js';

// Random command sequences against one pool, with the invariants checked after every step.
// Seeded: a failure prints its counterexample and reproduces on every run.

type Command =
  | { t: 'acquire'; n: number; timeoutMs: number | undefined; signal: boolean }
  | { t: 'release' | 'invalidate' | 'abort' | 'openHeld' | 'failHeld' | 'break'; i: number }
  | { t: 'failCreate' | 'hold' | 'pingFail' | 'resetFail' }
  | { t: 'slowPing' | 'slowReset'; ms: number }
  | { t: 'advance'; ms: number }
  | { t: 'invalidateAll'; soft: boolean }
  | { t: 'close'; timeoutMs: number };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 15, arbitrary: fc.record({ t: fc.constant('acquire' as const), n: fc.integer({ min: 1, max: 2 }), timeoutMs: fc.option(fc.integer({ min: 10, max: 3_000 }), { nil: undefined }), signal: fc.boolean() }) },
  { weight: 18, arbitrary: fc.record({ t: fc.constant('release' as const), i: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('invalidate' as const), i: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('abort' as const), i: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constantFrom('failCreate' as const, 'pingFail' as const, 'resetFail' as const) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('hold' as const) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constantFrom('slowPing' as const, 'slowReset' as const), ms: fc.integer({ min: 1, max: 300 }) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constantFrom('openHeld' as const, 'failHeld' as const), i: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('break' as const), i: fc.nat() }) },
  { weight: 12, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 1_500 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('invalidateAll' as const), soft: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('close' as const), timeoutMs: fc.integer({ min: 0, max: 500 }) }) },
);

const optionsArb = fc
  .record({
    size: fc.integer({ min: 1, max: 4 }),
    maxOverflow: fc.integer({ min: 0, max: 2 }),
    minIdle: fc.integer({ min: 0, max: 4 }),
    maxConnecting: fc.integer({ min: 1, max: 3 }),
    order: fc.constantFrom('lifo' as const, 'fifo' as const),
    prePing: fc.boolean(),
    resetOnReturn: fc.boolean(),
    maxUses: fc.integer({ min: 0, max: 3 }),
    idleTimeoutMs: fc.constantFrom(0, 500, 2_000),
    maxLifetimeMs: fc.constantFrom(0, 1_000, 5_000),
    failFast: fc.boolean(),
    maxWaiters: fc.constantFrom(Infinity, 2, 5),
    leakDetectionMs: fc.constantFrom(0, 700),
    createTimeoutMs: fc.constantFrom(300, 10_000),
  })
  .map((o) => ({ ...o, minIdle: Math.min(o.minIdle, o.size) }));

const fixed: PoolOptions = {
  acquireTimeoutMs: 2_000,
  createBackoffMs: 20,
  createBackoffMaxMs: 200,
  housekeepingMs: 100,
  validateTimeoutMs: 200,
  prePingBypassMs: 50,
  logger: { warn: () => undefined, error: () => undefined },
};

const allowedRejections = new Set(['HAVUZ_ACQUIRE_TIMEOUT', 'HAVUZ_ACQUIRE_ABORTED', 'HAVUZ_POOL_CLOSED', 'HAVUZ_QUEUE_FULL', 'HAVUZ_CREATE_FAILED']);

interface Acquire {
  readonly call: number;
  /** Pings started before this acquire; see the FIFO check. */
  readonly pingsBefore: number;
  readonly deadline: number;
  readonly controller: AbortController | undefined;
  settledAs: number | undefined;
  lease: Lease<FakeConnection> | undefined;
  error: any;
}

class Model {
  readonly clock = new FakeClock();
  readonly factory = new FakeFactory();
  readonly pool: Pool<FakeConnection>;
  readonly max: number;
  readonly acquires: Acquire[] = [];
  readonly held: Lease<FakeConnection>[] = [];
  /** Broken invariants seen inside promise callbacks, thrown by the next check(). */
  readonly #violations: unknown[] = [];
  #settled = 0;
  #pingFails = 0;
  #resetFails = 0;
  #nextPingMs = 0;
  #nextResetMs = 0;
  #pingsInFlight = 0;
  #pings = 0;
  /** When the last slow ping ended; a waiter under a ping may time out late, until the ping ends. */
  #lastPingEnd = -Infinity;
  readonly #pingFailed = new Set<FakeConnection>();
  #lastCreateFailure = -Infinity;
  /** Event order: connections opened before the last invalidateAll must not be handed out after it. */
  #seq = 0;
  #invalidatedAt = -1;
  readonly #openedAt = new Map<FakeConnection, { seq: number; ms: number }>();
  readonly #checkouts = new Map<FakeConnection, number>();
  closed = false;
  /** In the final phase every lease is handed straight back. */
  autoRelease = false;

  constructor(options: PoolOptions, seed: number) {
    const f = this.factory;
    f.onValidate = (connection) => {
      const ok = !(this.#pingFails > 0 && this.#pingFails-- > 0);
      if (!ok) this.#pingFailed.add(connection);
      this.#pings++;
      return this.#later(this.#nextPingMs, ok, (n) => {
        this.#pingsInFlight += n;
        this.#lastPingEnd = this.clock.now();
      });
    };
    f.onReset = () => {
      if (this.#resetFails > 0 && this.#resetFails-- > 0) throw new Error('reset failed');
      return this.#later(this.#nextResetMs, undefined, () => undefined);
    };
    this.pool = new Pool(f, { ...fixed, ...options, clock: this.clock, random: seededRandom(seed) });
    this.max = this.pool.options.max;
    this.pool.on('connect', (e) => {
      this.#openedAt.set(e.connection, { seq: this.#seq++, ms: this.clock.now() });
    });
    // A failed connect, reset or ping each make the next connect wait out the backoff.
    this.pool.on('connection-error', (e) => ['create', 'init', 'reset', 'validate'].includes(e.phase) && (this.#lastCreateFailure = this.clock.now()));
    this.pool.on('close', (e) => e.reason === 'validation-failed' && (this.#lastCreateFailure = this.clock.now()));
  }

  /** A ping or reset answered now, or after `ms` on the fake clock (set by the slowPing/slowReset commands). */
  #later<V>(ms: number, value: V, inFlight: (n: number) => void): Promise<V> {
    inFlight(1);
    const done = (resolve: (v: V) => void) => () => {
      inFlight(-1);
      resolve(value);
    };
    return new Promise((resolve) => (ms === 0 ? queueMicrotask(done(resolve)) : this.clock.setTimeout(done(resolve), ms)));
  }

  /**
   * After a failed connect, reset or ping the pool may hold back, and says so: a retry is
   * scheduled, no further off than createBackoffMaxMs plus 25% jitter.
   */
  #backingOff(): boolean {
    const { backoffMs } = this.pool.status();
    return this.#lastCreateFailure > -Infinity && backoffMs > 0 && backoffMs <= this.pool.options.createBackoffMaxMs * 1.25;
  }

  #expect(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#violations.push(error);
    }
  }

  acquire(timeoutMs: number | undefined, signal: boolean): void {
    const controller = signal ? new AbortController() : undefined;
    const deadline = this.clock.now() + (timeoutMs ?? this.pool.options.acquireTimeoutMs);
    const a: Acquire = { call: this.acquires.length, pingsBefore: this.#pings, deadline, controller, settledAs: undefined, lease: undefined, error: undefined };
    this.acquires.push(a);
    const options = timeoutMs === undefined && controller === undefined ? undefined : { timeoutMs, signal: controller?.signal };
    this.pool.acquire(options).then(
      (lease) => {
        a.settledAs = this.#settled++;
        a.lease = lease;
        this.#expect(() => this.#checkHandedOut(a, lease.connection));
        if (this.autoRelease) lease.release();
        else this.held.push(lease);
      },
      (error: any) => {
        a.settledAs = this.#settled++;
        a.error = error;
        this.#expect(() => {
          assert.ok(allowedRejections.has(error?.code), `unexpected rejection: ${error?.stack ?? error}`);
          if (error.code !== 'HAVUZ_ACQUIRE_TIMEOUT') return;
          const late = this.clock.now() - deadline;
          // A waiter whose connection is being pinged times out when the ping ends.
          const pinged = this.#pingsInFlight > 0 || this.#lastPingEnd >= deadline;
          assert.ok(late >= 0 && (late === 0 || pinged), `acquire #${a.call} timed out ${late} ms after its deadline`);
        });
      },
    );
  }

  #checkHandedOut(a: Acquire, connection: FakeConnection): void {
    const o = this.pool.options;
    assert.ok(!this.held.some((h) => h.connection === connection), `connection ${connection.id} leased twice at once`);
    assert.equal(connection.destroyed, false, 'handed out a closed connection');
    assert.ok(!this.#pingFailed.has(connection), `connection ${connection.id} handed out after failing its ping`);
    const opened = this.#openedAt.get(connection)!;
    assert.ok(opened.seq > this.#invalidatedAt, `connection ${connection.id} handed out after invalidateAll`);
    if (o.maxLifetimeMs > 0) assert.ok(this.clock.now() - opened.ms < o.maxLifetimeMs, `connection ${connection.id} handed out past its lifetime`);
    const uses = (this.#checkouts.get(connection) ?? 0) + 1;
    this.#checkouts.set(connection, uses);
    if (o.maxUses > 0) assert.ok(uses <= o.maxUses, `connection ${connection.id} checked out ${uses} times, maxUses ${o.maxUses}`);
    // FIFO: nothing is served while an earlier acquire still waits. An acquire whose connection
    // is being pinged already has one, and the next may take another meanwhile (and, if the ping
    // fails, be served first), so the check spares acquires that may have been pinged.
    for (const earlier of this.acquires) {
      if (earlier.call >= a.call) break;
      if (earlier.settledAs === undefined && this.#pings === earlier.pingsBefore) {
        assert.fail(`acquire #${a.call} was served while #${earlier.call} still waits`);
      }
    }
  }

  take(i: number): Lease<FakeConnection> | undefined {
    if (this.held.length === 0) return undefined;
    return this.held.splice(i % this.held.length, 1)[0];
  }

  async run(c: Command): Promise<void> {
    const f = this.factory;
    switch (c.t) {
      case 'acquire':
        for (let i = 0; i < c.n; i++) this.acquire(c.timeoutMs, c.signal);
        return;
      case 'release': return this.take(c.i)?.release();
      case 'invalidate': return this.take(c.i)?.invalidate();
      case 'abort': {
        const pending = this.acquires.filter((a) => a.controller !== undefined && a.settledAs === undefined);
        return pending[c.i % Math.max(1, pending.length)]?.controller!.abort();
      }
      case 'failCreate': f.failCreates++; return;
      case 'hold': f.hold = !f.hold; return;
      case 'pingFail': this.#pingFails++; return;
      case 'resetFail': this.#resetFails++; return;
      case 'slowPing': this.#nextPingMs = this.#nextPingMs === 0 ? c.ms : 0; return;
      case 'slowReset': this.#nextResetMs = this.#nextResetMs === 0 ? c.ms : 0; return;
      case 'openHeld':
      case 'failHeld': {
        const held = f.held.splice(c.i % Math.max(1, f.held.length), 1)[0];
        if (c.t === 'openHeld') held?.open();
        else held?.fail();
        return;
      }
      case 'break': return [...f.live][c.i % Math.max(1, f.live.size)]?.break();
      case 'advance': return this.clock.advance(c.ms);
      case 'invalidateAll':
        this.#invalidatedAt = this.#seq++;
        return void this.pool.invalidateAll({ soft: c.soft });
      case 'close':
        this.closed = true;
        return void this.pool.close({ timeoutMs: c.timeoutMs });
    }
  }

  check(): void {
    if (this.#violations.length > 0) throw this.#violations[0];
    const s = this.pool.status();
    assert.equal(s.size, s.idle + s.inUse, 'size === idle + inUse');
    assert.ok(s.size <= this.max, `size ${s.size} > max ${this.max}`);
    assert.ok(this.factory.open <= this.max, `${this.factory.open} connections open, max ${this.max}`);
    assert.equal(this.factory.open, s.size, 'the factory and the pool agree on what is open');
    assert.ok(s.connecting <= this.pool.options.maxConnecting, `${s.connecting} connecting`);
    assert.ok(s.pending === 0 || s.idle === 0, `${s.idle} idle while ${s.pending} wait`);
    if (!this.closed && s.pending > 0 && s.connecting === 0 && s.size < this.max) {
      assert.ok(this.#backingOff(), `${s.pending} wait with room for ${this.max - s.size} more and nothing connecting`);
    }
    assert.equal(this.factory.doubleDestroys, 0, 'a connection was destroyed twice');
    if (!this.closed) {
      for (const lease of this.held) assert.equal(lease.connection.destroyed, false, 'closed under its holder');
    }
    for (const a of this.acquires) {
      const due = a.settledAs === undefined && this.clock.now() >= a.deadline;
      assert.ok(!due || this.#pingsInFlight > 0, `acquire #${a.call} still waits past its deadline`);
    }
  }

  /** The database heals and everyone gives back: every waiter that has time left must be served. */
  async finish(): Promise<void> {
    const f = this.factory;
    f.failCreates = 0;
    f.hold = false;
    this.#pingFails = this.#resetFails = this.#nextPingMs = this.#nextResetMs = 0;
    for (const held of f.held.splice(0)) held.open();
    this.autoRelease = true;
    for (const lease of this.held.splice(0)) lease.release();
    const healedAt = this.clock.now();
    // Long enough for a slow ping or reset to time out (200 ms), the quiet spell that ends a streak
    // of failures in use (2 x 200 ms) and one more backoff (250 ms); shorter than acquireTimeoutMs,
    // so a waiter still waiting here was passed over, not timed out.
    for (let i = 0; i < 20; i++) await this.clock.advance(50);
    this.check();
    if (!this.closed) {
      for (const a of this.acquires) {
        if (a.settledAs === undefined) assert.fail(`acquire #${a.call} still waits ${this.clock.now() - healedAt} ms after the pool could serve it`);
      }
    }
    await this.clock.advance(5_000);
    for (const a of this.acquires) assert.notEqual(a.settledAs, undefined, `acquire #${a.call} never settled`);
    if (!this.closed) assert.equal(this.pool.status().inUse, 0, 'every lease was given back, yet a connection is still out');
    await this.pool.close({ timeoutMs: 0 });
    await flush();
    assert.equal(f.open, 0, 'connections left open after close');
    assert.equal(this.clock.refed, 0, 'a timer would keep the process alive');
    this.check();
  }
}

test('random command sequences keep every pool invariant', async () => {
  await fc.assert(
    fc.asyncProperty(optionsArb, fc.array(commandArb, { minLength: 1, maxLength: 60, size: 'max' }), fc.integer(), async (options, commands, seed) => {
      const model = new Model(options, seed);
      await flush();
      model.check();
      for (const command of commands) {
        await model.run(command);
        await flush();
        model.check();
      }
      await model.finish();
    }),
    { seed: 20_261_124, numRuns: 2_000, includeErrorInReport: true },
  );
});
