/**
 * Failover side by side: a real PostgreSQL primary and streaming replica (scratch clusters on ports
 * 15600-15649, made and removed by this script), a mixed read/write load from each library at
 * once, then the primary stops, stays down for --outage-ms, and the replica is promoted
 * (`pg_ctl promote`). Per library: writes that failed (and whether they were in flight when the
 * primary stopped), requests that hung, reads served while the primary was down, the time from the
 * promotion to the first successful write, and writes the standby's own log shows reaching it
 * while it was read-only.
 *
 *   npm run bench:failover                         a table per run, then medians and spread
 *   npm run -s bench:failover -- --json            one JSON object on stdout
 *   options: --runs N (3), --outage-ms MS (1000), --after-ms MS (3000), --workers N (4 writers
 *            and 4 readers per library), --size N (4), --library havuz,pg-pool,postgres-js
 *
 * The libraries, each with its own application_name and table:
 *   havuz        createEngine('postgres://primary,replica/db'): writes and transactions to the
 *                primary, `{ readOnly: true }` reads to a healthy replica.
 *   pg-pool      pg.Pool pointed at the old primary's address for writes, and a second pg.Pool at
 *                the replica's address for reads: the usual read/write split without failover.
 *   postgres-js  postgres('postgres://primary,replica/db') with target_session_attrs=read-write
 *                for writes, and a second instance with prefer-standby for reads.
 *
 * Progress goes to stderr. The machine must be quiet for figures worth quoting.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { createEngine } from '../src/engine/index.js';
import { Load } from '../test/faults/support/load.js';
import { ScratchPostgres } from '../test/faults/support/scratch-postgres.js';
import { freePorts, PORT_SLICES } from '../test/topology/support/ports.js';

const LIBRARIES = ['havuz', 'pg-pool', 'postgres-js'] as const;
type Library = (typeof LIBRARIES)[number];

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    'outage-ms': { type: 'string', default: '1000' },
    'after-ms': { type: 'string', default: '3000' },
    workers: { type: 'string', default: '4' },
    size: { type: 'string', default: '4' },
    library: { type: 'string', default: LIBRARIES.join(',') },
  },
});

function whole(name: string, min: number): number {
  const n = Number(values[name as keyof typeof values]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}`);
  return n;
}
const runs = whole('runs', 1);
const outageMs = whole('outage-ms', 0);
const afterMs = whole('after-ms', 500);
const workers = whole('workers', 1);
const size = whole('size', 1);
const libraries = values.library!.split(',').map((l) => {
  if (!(LIBRARIES as readonly string[]).includes(l)) throw new Error(`--library: ${l} is not one of ${LIBRARIES.join(', ')}`);
  return l as Library;
});
/** Past this a request counts as hung: longer than any library's own timeout here. */
const BOUND_MS = 15_000;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Client {
  write(i: number): Promise<unknown>;
  read(i: number): Promise<unknown>;
  close(): Promise<void>;
}

interface Result {
  library: Library;
  writesOk: number;
  writesFailed: number;
  /** Failed writes that started before the primary had finished stopping: in flight, or sent while it shut down. */
  writesFailedInFlight: number;
  hung: number;
  readsWhileDown: number;
  readsFailed: number;
  /** From the promotion (the server's own log) to the end of the first write that succeeded after it. */
  firstWriteAfterPromotionMs: number | null;
  /** Data-modifying statements the standby's log shows from this library before its promotion. */
  writesToReadOnlyNode: number;
  errorKinds: Record<string, number>;
}

function client(library: Library, primary: ScratchPostgres, replica: ScratchPostgres, table: string): Client {
  const app = `fo_${library.replace('-', '_')}`;
  const both = `postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${replica.port}/postgres`;
  const insert = `INSERT INTO ${table} (seq) VALUES ($1)`;
  const select = 'SELECT inet_server_port() AS port, $1::int AS i';
  switch (library) {
    case 'havuz': {
      const db = createEngine(`${both}?application_name=${app}`, { size, acquireTimeoutMs: 10_000 });
      return {
        write: (i) => db.query(insert, [i]),
        read: (i) => db.query(select, [i], { readOnly: true }),
        close: () => db.close({ timeoutMs: 1_000 }),
      };
    }
    case 'pg-pool': {
      const pool = (server: ScratchPostgres): pg.Pool => {
        const p = new pg.Pool({ connectionString: `${server.url()}?application_name=${app}`, max: size, connectionTimeoutMillis: 10_000 });
        p.on('error', () => {}); // an idle client dying would otherwise crash the process
        return p;
      };
      const writer = pool(primary);
      const reader = pool(replica);
      return {
        write: (i) => writer.query(insert, [i]),
        read: (i) => reader.query(select, [i]),
        close: async () => void (await Promise.all([writer.end(), reader.end()])),
      };
    }
    case 'postgres-js': {
      const options = (attrs: string) => ({ max: size, connect_timeout: 10, connection: { application_name: app }, target_session_attrs: attrs, onnotice: () => {} }) as never;
      const writer = postgres(both, options('read-write'));
      const reader = postgres(both, options('prefer-standby'));
      return {
        write: (i) => writer.unsafe(insert, [i]),
        read: (i) => reader.unsafe(select, [i]),
        close: async () => void (await Promise.all([writer.end({ timeout: 1 }), reader.end({ timeout: 1 })])),
      };
    }
  }
}

async function run(index: number): Promise<Result[]> {
  const [p, r] = await freePorts(PORT_SLICES.failoverBench, 2);
  const settings = { log_statement: 'mod', log_line_prefix: '%m [%a] ', max_connections: '100' };
  const primary = await ScratchPostgres.create({ port: p!, settings });
  let replica: ScratchPostgres | undefined;
  const clients: Client[] = [];
  try {
    replica = await primary.replica({ port: r! });
    const admin = new pg.Client({ connectionString: primary.url() });
    await admin.connect();
    for (const library of libraries) await admin.query(`CREATE TABLE fo_${library.replace('-', '_')} (id serial PRIMARY KEY, seq int)`);
    await admin.end();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the tables reach the standby

    const loads = libraries.map((library) => {
      const c = client(library, primary, replica!, `fo_${library.replace('-', '_')}`);
      clients.push(c);
      return {
        library,
        writes: new Load(`${library} writes`, (i) => c.write(i), { workers, boundMs: BOUND_MS }).start(),
        reads: new Load(`${library} reads`, (i) => c.read(i), { workers, boundMs: BOUND_MS }).start(),
      };
    });
    for (const l of loads) {
      if (!(await l.writes.untilOk(50, 20_000)) || !(await l.reads.untilOk(50, 20_000))) throw new Error(`${l.library} did not warm up`);
    }
    log(`run ${index + 1}: load running, stopping the primary`);
    await primary.stop('fast');
    const stoppedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    const promoteAt = performance.now();
    await replica.promote();
    // pg_ctl returns once the control file says so; the log line can come a moment later.
    for (let i = 0; i < 100 && replica.readyAt() === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const promotedAt = replica.readyAt() ?? promoteAt;
    log(`run ${index + 1}: promoted ${Math.round(promotedAt - stoppedAt)} ms after the stop; observing ${afterMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, promotedAt + afterMs - performance.now())));
    // Stop sending; what is still in flight has BOUND_MS to settle, then counts as hung.
    await Promise.all(loads.flatMap((l) => [l.writes.stop(), l.reads.stop()]));

    const standbyLog = replica.log();
    const beforePromotion = standbyLog.slice(0, Math.max(0, standbyLog.indexOf('selected new timeline ID')));
    return loads.map(({ library, writes, reads }) => {
      const failed = writes.outcomes.filter((o) => !o.ok);
      const firstWrite = writes.outcomes.filter((o) => o.ok && o.endedAt > promotedAt).map((o) => o.endedAt);
      const app = `[fo_${library.replace('-', '_')}]`;
      return {
        library,
        writesOk: writes.ok,
        writesFailed: failed.length,
        writesFailedInFlight: failed.filter((o) => o.startedAt < stoppedAt).length,
        hung: writes.hangs + reads.hangs,
        readsWhileDown: reads.outcomes.filter((o) => o.ok && o.startedAt >= stoppedAt && o.endedAt <= promotedAt).length,
        readsFailed: reads.outcomes.filter((o) => !o.ok).length,
        firstWriteAfterPromotionMs: firstWrite.length === 0 ? null : Math.round(Math.min(...firstWrite) - promotedAt),
        writesToReadOnlyNode: beforePromotion.split('\n').filter((l) => l.includes(app) && /(statement|execute [^:]*): INSERT/.test(l)).length,
        errorKinds: { ...writes.errorKinds(), ...prefixed('read ', reads.errorKinds()) },
      };
    });
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all([primary.destroy(), replica?.destroy()]);
  }
}

function prefixed(prefix: string, kinds: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(kinds).map(([k, v]) => [`${prefix}${k}`, v]));
}

function table(results: Result[]): string {
  const rows = [
    ['library', 'writes ok', 'writes failed', '(started before the stop ended)', 'hung', 'reads while down', 'reads failed', 'first write after promotion', 'writes to read-only node'],
    ...results.map((r) => [
      r.library,
      String(r.writesOk),
      String(r.writesFailed),
      String(r.writesFailedInFlight),
      String(r.hung),
      String(r.readsWhileDown),
      String(r.readsFailed),
      r.firstWriteAfterPromotionMs === null ? 'never' : `${r.firstWriteAfterPromotionMs} ms`,
      String(r.writesToReadOnlyNode),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

const all: Result[][] = [];
for (let i = 0; i < runs; i++) {
  const results = await run(i);
  all.push(results);
  const out = `run ${i + 1} of ${runs} (outage ${outageMs} ms, ${workers} writers + ${workers} readers per library, pool size ${size})\n${table(results)}\n`;
  if (values.json) log(out);
  else process.stdout.write(`${out}\n`);
}

const summary = Object.fromEntries(
  libraries.map((library) => {
    const mine = all.map((rs) => rs.find((r) => r.library === library)!);
    const recovered = mine.map((r) => r.firstWriteAfterPromotionMs).filter((v): v is number => v !== null);
    const spread = (pick: (r: Result) => number) => ({ median: median(mine.map(pick)), min: Math.min(...mine.map(pick)), max: Math.max(...mine.map(pick)) });
    return [
      library,
      {
        writesFailed: spread((r) => r.writesFailed),
        hung: spread((r) => r.hung),
        readsWhileDown: spread((r) => r.readsWhileDown),
        readsFailed: spread((r) => r.readsFailed),
        writesToReadOnlyNode: spread((r) => r.writesToReadOnlyNode),
        firstWriteAfterPromotionMs:
          recovered.length === 0 ? null : { median: median(recovered), min: Math.min(...recovered), max: Math.max(...recovered), recoveredRuns: recovered.length, runs },
      },
    ];
  }),
);
if (values.json) {
  process.stdout.write(`${JSON.stringify({ runs, outageMs, afterMs, workers, size, summary, results: all })}\n`);
} else {
  process.stdout.write(`summary over ${runs} runs (median, min-max):\n`);
  for (const [library, s] of Object.entries(summary)) {
    const first = s.firstWriteAfterPromotionMs;
    process.stdout.write(
      `  ${library.padEnd(12)} writes failed ${s.writesFailed.median} (${s.writesFailed.min}-${s.writesFailed.max}), hung ${s.hung.median}, ` +
        `reads while down ${s.readsWhileDown.median}, reads failed ${s.readsFailed.median}, writes to read-only node ${s.writesToReadOnlyNode.median}, ` +
        `first write after promotion ${first === null ? 'never' : `${first.median} ms (${first.min}-${first.max}, ${first.recoveredRuns}/${first.runs} runs)`}\n`,
    );
  }
}
