// The proof of graceful shutdown, in a child process that gets a real SIGTERM, on the real
// PostgreSQL and MariaDB: under a write load, every transaction that reported commit is in the
// database, none is half-written, every request the app accepted got an answer, and the process
// exits within the deadline; the seed's scenario (40 requests in flight, SIGTERM) answers 40 of 40.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { requireDatabase, urls } from '../support/databases.js';

const fixture = fileURLToPath(new URL('./fixtures/shutdown-app.ts', import.meta.url));
const table = `mgr_shutdown_${process.pid}_${Date.now().toString(36)}`;
const DEADLINE_MS = 5_000;
let pg: Engine;
let my: Engine;

before(async () => {
  await requireDatabase(urls.postgres);
  await requireDatabase(urls.mysql);
  pg = createEngine(urls.postgres);
  my = createEngine(urls.mysql);
  for (const db of [pg, my]) await db.query(`CREATE TABLE ${table} (id INT NOT NULL, part INT NOT NULL, PRIMARY KEY (id, part))`);
});
after(async () => {
  for (const db of [pg, my]) await db?.query(`DROP TABLE IF EXISTS ${table}`);
  await pg?.close();
  await my?.close();
});

interface App {
  child: ChildProcess;
  port: number;
  accepted: Set<number>;
  committed: Set<number>;
  lines: string[];
  /** Resolves with the exit code or signal, and how long after `since` the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves once `n` requests were accepted. */
  acceptedAtLeast(n: number): Promise<void>;
  stderr(): string;
}

async function startApp(mode: 'exit' | 'natural'): Promise<App> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, urls.postgres, urls.mysql, table, String(DEADLINE_MS), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const accepted = new Set<number>();
  const committed = new Set<number>();
  const lines: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
  const port = await new Promise<number>((resolve, reject) => {
    child.on('exit', () => reject(new Error(`the app exited before listening: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const [what, value] = line.split(' ');
      if (what === 'listening') resolve(Number(value));
      if (what === 'accepted') accepted.add(Number(value));
      if (what === 'committed') committed.add(Number(value));
      for (const w of waiters.filter((w) => accepted.size >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  return {
    child,
    port,
    accepted,
    committed,
    lines,
    exited,
    acceptedAtLeast: (n) => (accepted.size >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    stderr: () => stderr,
  };
}

test('SIGTERM under a write load: committed = in the database, nothing half-written, every accepted request answered, exit 0 within the deadline', async () => {
  const app = await startApp('exit');
  const answered = new Map<number, number>(); // id → HTTP status
  const failed = new Map<number, string>(); // id → network error (never reached the app)
  let nextId = 1;
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const id = nextId++;
      try {
        const response = await fetch(`http://127.0.0.1:${app.port}/write?id=${id}`, { method: 'POST' });
        await response.arrayBuffer();
        answered.set(id, response.status);
      } catch (error) {
        failed.set(id, String((error as { cause?: { code?: string } }).cause?.code ?? error));
        return; // the server is gone: this client stops
      }
    }
  };
  const workers = Array.from({ length: 16 }, worker);
  await app.acceptedAtLeast(150);
  const signalled = performance.now();
  app.child.kill('SIGTERM');
  const exit = await app.exited;
  stopped = true;
  await Promise.all(workers);

  assert.equal(exit.code, 0, `exit code (stderr: ${app.stderr()})`);
  assert.ok(exit.at - signalled < DEADLINE_MS, `exited ${Math.round(exit.at - signalled)} ms after SIGTERM, within the ${DEADLINE_MS} ms deadline`);
  assert.equal(app.lines.at(-1), 'exit 0');

  const unanswered = [...app.accepted].filter((id) => !answered.has(id));
  assert.deepEqual(unanswered, [], 'every accepted request got an answer');
  const ok = [...answered].filter(([, status]) => status === 200).map(([id]) => id);
  assert.ok(ok.length >= 150, `${ok.length} writes answered 200`);

  const rows = new Map<number, number>();
  for (const db of [pg, my]) {
    for (const row of (await db.query<{ id: number; n: number | string }>(`SELECT id, COUNT(*) AS n FROM ${table} GROUP BY id`)).rows) rows.set(Number(row.id), Number(row.n));
  }
  const halfWritten = [...rows].filter(([, n]) => n !== 2);
  assert.deepEqual(halfWritten, [], 'no transaction half-written');
  const missing = [...app.committed].filter((id) => rows.get(id) !== 2);
  assert.deepEqual(missing, [], 'every transaction that reported commit is in the database');
  assert.deepEqual(ok.filter((id) => !app.committed.has(id)), [], 'every 200 was a commit');
  assert.deepEqual([...rows.keys()].filter((id) => !app.committed.has(id)), [], 'nothing in the database that did not report commit');
  assert.ok(failed.size > 0, 'new connections were refused after SIGTERM');
});

test("the seed's scenario: 40 requests in flight, SIGTERM: 40 of 40 answered, and the process ends by itself (no exit callback)", async () => {
  const app = await startApp('natural');
  const requests = Array.from({ length: 40 }, (_, i) =>
    fetch(`http://127.0.0.1:${app.port}/slow?id=${i}`).then(
      async (r) => ({ status: r.status, body: await r.text() }),
      (error: unknown) => ({ status: 0, body: String(error) }),
    ),
  );
  await app.acceptedAtLeast(40);
  const signalled = performance.now();
  app.child.kill('SIGTERM');
  const results = await Promise.all(requests);
  const exit = await app.exited;
  assert.deepEqual(results.filter((r) => r.status !== 200), [], '40 of 40 answered 200');
  assert.equal(exit.code, 0, app.stderr());
  assert.ok(exit.at - signalled < DEADLINE_MS, `exited ${Math.round(exit.at - signalled)} ms after SIGTERM`);
});

test('a second SIGTERM forces the exit at once: 128 + 15 through the exit callback, the signal itself without one', async () => {
  for (const mode of ['exit', 'natural'] as const) {
    const app = await startApp(mode);
    const hung = fetch(`http://127.0.0.1:${app.port}/hang?id=1`).catch(() => undefined);
    await app.acceptedAtLeast(1);
    app.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the first signal must be handled before the second
    const second = performance.now();
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    assert.ok(exit.at - second < 2_000, `${mode}: ended ${Math.round(exit.at - second)} ms after the second signal`);
    if (mode === 'exit') assert.equal(exit.code, 143, app.stderr());
    else assert.equal(exit.signal, 'SIGTERM', app.stderr());
    await hung;
  }
});
