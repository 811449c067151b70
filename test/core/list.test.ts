import { test } from 'node:test';
import assert from 'node:assert/strict';
import { List } from '../../src/core/list.js';
import { Waiter } from '../../src/core/waiters.js';

const waiter = (n: number) => new Waiter<number>(() => undefined, () => undefined, n);

function drain(q: List<Waiter<number>>): number[] {
  const out: number[] = [];
  for (let w = q.shift(); w !== undefined; w = q.shift()) out.push(w.enqueuedAt);
  return out;
}

test('push and shift are first in, first out; unshift puts a node back at the head; the tail is the newest', () => {
  const q = new List<Waiter<number>>();
  for (let i = 1; i <= 4; i++) q.push(waiter(i));
  assert.equal(q.length, 4);
  const first = q.shift()!;
  assert.equal(first.listed, false);
  q.unshift(first);
  assert.equal(q.head, first);
  assert.equal(q.tail!.enqueuedAt, 4);
  assert.deepEqual(q.toArray().map((w) => w.enqueuedAt), [1, 2, 3, 4], 'a snapshot, head first');
  assert.deepEqual(drain(q), [1, 2, 3, 4]);
  assert.equal(q.length, 0);
  assert.equal(q.shift(), undefined);
  assert.equal(q.head, undefined);
});

test('remove takes a waiter out from the head, middle or tail, once', () => {
  const q = new List<Waiter<number>>();
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
  const q = new List<Waiter<number>>();
  const [a, b] = [waiter(1), waiter(2)];
  q.push(a);
  q.push(b);
  q.remove(a);
  q.push(a);
  assert.deepEqual(drain(q), [2, 1]);
});

test('removing from a long queue costs the same wherever the waiter is', () => {
  const q = new List<Waiter<number>>();
  const ws = Array.from({ length: 100_000 }, (_, i) => waiter(i));
  for (const w of ws) q.push(w);
  // Every other waiter, back to front: O(n) in all with a linked list, O(n^2) with splice.
  for (let i = ws.length - 1; i >= 0; i -= 2) q.remove(ws[i]!);
  assert.equal(q.length, 50_000);
  assert.equal(q.head!.enqueuedAt, 0);
});
