/**
 * The web benchmark: the example Fastify app (examples/fastify-app.ts) on havuz (and with
 * `pipeline: true`, as havuz-pipeline) against the same
 * app on pg.Pool and on postgres.js, driven over HTTP by autocannon at 10, 100 and 1,000
 * connections, one run. Each app runs in its own process with a pool of the same size; only one
 * is under load at a time, in an order that rotates every run. Reported: requests per second and
 * p99 latency, each as havuz's ratio to the peer (rps above 1 and p99 below 1 favour havuz), with
 * the spread over runs.
 *
 *   npm run bench:web                         readable table (stdout)
 *   npm run bench:web -- --json               one JSON object on stdout
 *   options: --connections 10,100,1000  --seconds S (5)  --warmup S (2)  --runs N (3)
 *            --size N (10, each app's pool)  --rows N (1000)  --url URL  --library a,b
 *
 * Progress goes to stderr. Figures from a busy machine are not figures: see bench/README.md.
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { redactUrl } from '../src/engine/index.js';
import { BenchChild } from './lib/child.js';
import { median, renderTable, spread, formatRatio } from './lib/stats.js';
import { webLibraries, type WebLibrary } from './web/apps.js';
import type { ServerRequest, ServerStats } from './web/server.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    connections: { type: 'string', default: '10,100,1000' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    runs: { type: 'string', default: '3' },
    size: { type: 'string', default: '10' },
    rows: { type: 'string', default: '1000' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    library: { type: 'string', default: webLibraries.join(',') },
  },
});

function positive(name: string, text: string | undefined, integer = true): number {
  const n = Number(text);
  if (!(n > 0 && Number.isFinite(n)) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a ${integer ? 'whole ' : ''}number > 0, not ${text}`);
  return n;
}
const levels = values.connections.split(',').map((c) => positive('connections', c));
const seconds = positive('seconds', values.seconds, false);
const warmup = positive('warmup', values.warmup, false);
const runs = positive('runs', values.runs);
const size = positive('size', values.size);
const rows = positive('rows', values.rows);
const chosen = values.library.split(',') as WebLibrary[];
for (const library of chosen) if (!webLibraries.includes(library)) throw new Error(`--library: ${library} is not one of ${webLibraries.join(', ')}`);
const url = values.url;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Measured {
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** Inside the app: Fastify's request-to-response p99, and the event loop's delay p99. */
  server?: ServerStats;
}

/** One autocannon run against one app; ids drawn from a seeded sequence, so every app gets the same requests. */
async function drive(port: number, connections: number, durationS: number): Promise<Measured> {
  let seed = 1;
  const nextId = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % rows) + 1;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: durationS,
    requests: [{ method: 'GET', setupRequest: (request: any) => ({ ...request, path: `/users/${nextId()}` }) }],
  });
  return { rps: result.requests.average, p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

const table = `bench_web_users_${process.pid}`;
const setup = new pg.Client({ connectionString: url });
await setup.connect();
await setup.query(`CREATE TABLE ${table} (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE NOT NULL)`);
await setup.query(`INSERT INTO ${table} (name, email) SELECT 'user ' || i, 'user' || i || '@example.com' FROM generate_series(1, $1) AS i`, [rows]);
log(`bench:web on node ${process.version}, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${redactUrl(url)}, pool size ${size} per app, ${rows} users`);

const script = fileURLToPath(new URL('./web/server.ts', import.meta.url));
const servers = new Map(chosen.map((library) => [library, new BenchChild<ServerRequest, number | ServerStats>(library, script, [library, url, table, String(size)])]));
const samples: Record<number, Record<string, Measured[]>> = {};
try {
  await Promise.all([...servers.values()].map((s) => s.ready()));
  const ports = new Map<WebLibrary, number>();
  for (const [library, server] of servers) ports.set(library, (await server.request({ op: 'port' })) as number);
  for (const connections of levels) {
    samples[connections] = Object.fromEntries(chosen.map((l) => [l, []]));
    for (const library of chosen) await drive(ports.get(library)!, connections, warmup); // JIT, pool and sockets warm
    for (let run = 0; run < runs; run++) {
      const order = chosen.map((_, i) => chosen[(i + run) % chosen.length]!);
      for (const library of order) {
        const server = servers.get(library)!;
        await server.request({ op: 'reset' });
        const m = await drive(ports.get(library)!, connections, seconds);
        m.server = (await server.request({ op: 'stats' })) as ServerStats;
        samples[connections]![library]!.push(m);
        const inside = `; in the app: handler p50 ${m.server.handlerP50Ms} ms, p99 ${m.server.handlerP99Ms} ms, event-loop delay p99 ${m.server.loopDelayP99Ms} ms`;
        log(`  c=${connections} run ${run + 1}/${runs} ${library}: ${Math.round(m.rps)} rps, p99 ${m.p99Ms} ms${inside}${m.non2xx + m.errors > 0 ? `, ${m.non2xx} non-2xx, ${m.errors} errors` : ''}`);
      }
    }
  }
} finally {
  for (const server of servers.values()) {
    await server.request({ op: 'close' }).catch(() => undefined);
    await server.stop();
  }
  await setup.query(`DROP TABLE IF EXISTS ${table}`);
  await setup.end();
}

const isHavuz = (library: WebLibrary): boolean => library === 'havuz' || library === 'havuz-pipeline';
const summary = levels.map((connections) => {
  const byLibrary = Object.fromEntries(
    chosen.map((library) => {
      const s = samples[connections]![library]!;
      return [
        library,
        {
          rps: median(s.map((m) => m.rps)),
          rpsSpread: spread(s.map((m) => m.rps)),
          p99Ms: median(s.map((m) => m.p99Ms)),
          handlerP99Ms: median(s.map((m) => m.server?.handlerP99Ms ?? NaN)),
          loopDelayP99Ms: median(s.map((m) => m.server?.loopDelayP99Ms ?? NaN)),
          failed: s.reduce((n, m) => n + m.non2xx + m.errors, 0),
        },
      ];
    }),
  );
  const over = (mine: WebLibrary) => {
    const own = byLibrary[mine];
    return Object.fromEntries(
      chosen.filter((l) => !isHavuz(l) && own !== undefined).map((peer) => [peer, { rps: own!.rps / byLibrary[peer]!.rps, p99: own!.p99Ms / byLibrary[peer]!.p99Ms }]),
    );
  };
  return { connections, libraries: byLibrary, havuzOver: over('havuz'), pipelineOver: over('havuz-pipeline') };
});

if (values.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, cpus: cpus().length, size, rows, seconds, runs, results: summary })}\n`);
} else {
  const header = ['connections', ...chosen.flatMap((l) => [`${l} rps`, `${l} p99 ms`])];
  const peers = chosen.filter((l) => !isHavuz(l));
  const mine = (['havuz', 'havuz-pipeline'] as const).filter((l) => chosen.includes(l));
  for (const m of mine) for (const peer of peers) header.push(`${m} rps vs ${peer}`, `${m} p99 vs ${peer}`);
  const table = summary.map((s) => [
    String(s.connections),
    ...chosen.flatMap((l) => [`${Math.round(s.libraries[l]!.rps)} ±${(s.libraries[l]!.rpsSpread * 100).toFixed(0)}%`, String(s.libraries[l]!.p99Ms)]),
    ...mine.flatMap((m) => {
      const over = m === 'havuz' ? s.havuzOver : s.pipelineOver;
      return peers.flatMap((peer) => (over[peer] === undefined ? ['', ''] : [formatRatio(over[peer].rps), formatRatio(over[peer].p99)]));
    }),
  ]);
  process.stdout.write(`${renderTable([header, ...table])}\n\nrps ratio above 1x and p99 ratio below 1x favour havuz; ± is the spread over ${runs} runs.\n`);
  const failed = summary.flatMap((s) => chosen.filter((l) => s.libraries[l]!.failed > 0).map((l) => `${l} at ${s.connections}: ${s.libraries[l]!.failed}`));
  if (failed.length > 0) process.stdout.write(`failed requests: ${failed.join('; ')}\n`);
}
