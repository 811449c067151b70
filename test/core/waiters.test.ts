import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Waiter, WaiterQueue } from '../../src/core/waiters.js';

const waiter = (n: number) => new Waiter<number>(() => undefined, () => undefined, n, n + 1_000);

function drain(q: WaiterQueue<number>): number[] {
  const out: number[] = [];
  for (let w = q.shift(); w !== undefined; w = q.shift()) out.push(w.enqueuedAt);
  return out;
}

test('push and shift are first in, first out; unshift puts a waiter back at the head', () => {
  const q = new WaiterQueue<number>();
  for (let i = 1; i <= 4; i++) q.push(waiter(i));
  assert.equal(q.length, 4);
  const first = q.shift()!;
  assert.equal(first.queued, false);
  q.unshift(first);
  assert.equal(q.peek(), first);
  assert.deepEqual(drain(q), [1, 2, 3, 4]);
  assert.equal(q.length, 0);
  assert.equal(q.shift(), undefined);
  assert.equal(q.peek(), undefined);
});

test('remove takes a waiter out from the head, middle or tail, once', () => {
  const q = new WaiterQueue<number>();
  const ws = [1, 2, 3, 4, 5].map(waiter);
  for (const w of ws) q.push(w);
  q.remove(ws[2]!);
  q.remove(ws[0]!);
  q.remove(ws[4]!);
  q.remove(ws[2]!); // already out: no effect
  assert.equal(q.length, 2);
  q.push(waiter(6));
  assert.deepEqual(drain(q), [2, 4, 6]);
});

test('a removed waiter can be queued again', () => {
  const q = new WaiterQueue<number>();
  const [a, b] = [waiter(1), waiter(2)];
  q.push(a);
  q.push(b);
  q.remove(a);
  q.push(a);
  assert.deepEqual(drain(q), [2, 1]);
});

test('removing from a long queue costs the same wherever the waiter is', () => {
  const q = new WaiterQueue<number>();
  const ws = Array.from({ length: 100_000 }, (_, i) => waiter(i));
  for (const w of ws) q.push(w);
  // Every other waiter, back to front: O(n) in all with a linked list, O(n^2) with splice.
  for (let i = ws.length - 1; i >= 0; i -= 2) q.remove(ws[i]!);
  assert.equal(q.length, 50_000);
  assert.equal(q.peek()!.enqueuedAt, 0);
});
