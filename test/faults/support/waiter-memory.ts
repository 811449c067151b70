// Run as a child: node --expose-gc --import tsx test/faults/support/waiter-memory.ts [waiters]
// Prints one JSON line: the heap cost of waiting acquires, measured between full GCs.
import { Pool } from '../../../src/core/pool.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const waiters = Number(process.argv[2] ?? 50_000);
const pool = new Pool<object>({ create: async () => ({}), destroy: () => {} }, { size: 1, maxWaiters: waiters, acquireTimeoutMs: 600_000 });
// The only connection stays checked out, so every acquire below waits.
const held = await pool.acquire();

// Slots allocated up front, so keeping the promises costs nothing extra during the measurement.
const pending: Array<Promise<unknown> | undefined> = new Array(waiters).fill(undefined);
const bare: Array<Promise<unknown> | undefined> = new Array(waiters).fill(undefined);
const settlers: Array<((value: unknown) => void) | undefined> = new Array(waiters).fill(undefined);

// What any pending promise costs a caller, pool or not: the floor under the figure below.
const beforeBare = heap();
for (let i = 0; i < waiters; i++) bare[i] = new Promise((resolve) => (settlers[i] = resolve));
const bareBytes = (heap() - beforeBare) / waiters;
bare.fill(undefined);
settlers.fill(undefined);

const base = heap();
for (let i = 0; i < waiters; i++) pending[i] = pool.acquire();
const atCap = heap();
if (pool.status().pending !== waiters) throw new Error(`expected ${waiters} waiters, have ${pool.status().pending}`);

// As many again past the cap: each is rejected at once and leaves nothing behind.
let rejected = 0;
for (let i = 0; i < waiters; i++) pool.acquire().catch(() => rejected++);
await new Promise((resolve) => setImmediate(resolve));
const pastCap = heap();

for (const p of pending) p!.catch(() => {});
held.release();
await pool.close({ timeoutMs: 0 });
pending.fill(undefined);
const after = heap();

process.stdout.write(
  JSON.stringify({
    waiters,
    bytesPerWaiter: (atCap - base) / waiters,
    barePromiseBytes: bareBytes,
    growthPastCapBytes: pastCap - atCap,
    rejected,
    retainedAfterCloseBytes: after - base,
  }) + '\n',
);
