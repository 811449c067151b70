// The statement deadline without a database, on the fake clock: the paths a real server rarely
// takes (a cancel that cannot be sent, a statement that ignores it, a cancel still in flight when
// the statement ends).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withDeadline } from '../../src/core/timeouts.js';
import { StatementTimeoutError } from '../../src/core/errors.js';
import { deferred } from '../support/fake-factory.js';
import { FakeClock } from '../support/fake-clock.js';

test('a statement that finishes in time is returned and nothing is cancelled', async () => {
  let cancels = 0;
  const clock = new FakeClock();
  const result = await withDeadline(Promise.resolve(7), { timeoutMs: 1_000, graceMs: 1_000, cancel: async () => void cancels++, destroy: () => assert.fail('destroyed') }, clock);
  assert.equal(result, 7);
  assert.equal(cancels, 0);
  assert.equal(clock.pending, 0, 'both timers cleared');
});

test('after the deadline the statement is cancelled and its own error comes back', async () => {
  const statement = deferred<number>();
  const cancelError = new Error('canceling statement due to user request');
  const clock = new FakeClock();
  const outcome = withDeadline(statement.promise, {
    timeoutMs: 10,
    graceMs: 5_000,
    cancel: async () => statement.reject(cancelError),
    destroy: () => assert.fail('destroyed'),
  }, clock);
  const rejected = assert.rejects(outcome, (error) => error === cancelError);
  await clock.advance(10);
  await rejected;
  assert.equal(clock.pending, 0);
});

test('a statement that ignores the cancel is cut off: connection destroyed, StatementTimeoutError', async () => {
  const statement = deferred<number>();
  let destroyed = false;
  const clock = new FakeClock();
  const outcome = withDeadline(statement.promise, { timeoutMs: 10, graceMs: 20, cancel: async () => {}, destroy: () => (destroyed = true) }, clock);
  const rejected = assert.rejects(outcome, (error) => error instanceof StatementTimeoutError && error.connectionLost && error.timeoutMs === 10);
  await clock.advance(29);
  assert.equal(destroyed, false, 'still within the grace period');
  await clock.advance(1);
  await rejected;
  assert.equal(destroyed, true);
  statement.reject(new Error('socket destroyed')); // the driver's late error is swallowed
});

test('a cancel that cannot be sent drops the connection at once', async () => {
  const statement = deferred<number>();
  let destroyed = false;
  const clock = new FakeClock();
  const outcome = withDeadline(statement.promise, {
    timeoutMs: 10,
    graceMs: 60_000,
    cancel: () => Promise.reject(new Error('ECONNREFUSED')),
    destroy: () => (destroyed = true),
  }, clock);
  const rejected = assert.rejects(outcome, StatementTimeoutError);
  await clock.advance(10);
  await rejected;
  assert.equal(destroyed, true);
  assert.equal(clock.pending, 0, 'the drop timer is cleared too');
});

test('without a cancel (server-side timeout) the connection is dropped after the grace period', async () => {
  const statement = deferred<number>();
  let destroyed = false;
  const clock = new FakeClock();
  const outcome = withDeadline(statement.promise, { timeoutMs: 10, graceMs: 10, destroy: () => (destroyed = true) }, clock);
  const rejected = assert.rejects(outcome, StatementTimeoutError);
  await clock.advance(20);
  await rejected;
  assert.equal(destroyed, true);
});

test('the result waits for a cancel in flight, so it cannot hit the next statement', async () => {
  const statement = deferred<number>();
  const cancel = deferred<void>();
  const cancelStarted = deferred<void>();
  const order: string[] = [];
  const clock = new FakeClock();
  const outcome = withDeadline(statement.promise, {
    timeoutMs: 5,
    graceMs: 60_000,
    cancel: () => {
      cancelStarted.resolve();
      return cancel.promise;
    },
    destroy: () => assert.fail('destroyed'),
  }, clock).then((value) => {
    order.push('result');
    return value;
  });
  await clock.advance(5);
  await cancelStarted.promise;
  statement.resolve(1); // finished just as the cancel went out
  await Promise.resolve();
  order.push('cancel delivered');
  cancel.resolve();
  assert.equal(await outcome, 1);
  assert.deepEqual(order, ['cancel delivered', 'result']);
});
