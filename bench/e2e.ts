/**
 * The end-to-end benchmark: havuz against pg.Pool, postgres.js and connect-per-query on a real
 * PostgreSQL, and against mysql2's pool on a real MariaDB, measuring per-query latency and
 * throughput at 1, 10, 50 and 200 concurrent workers.
 *
 *   npm run bench:e2e                      readable tables with ratios (stdout)
 *   npm run bench:e2e -- --json            exactly one JSON object on stdout
 *   options: --runs N (3), --seconds S (0.5, timed window), --warmup S (0.2), --size N (20),
 *            --no-pool-cap N (= size), --library a,b, --pg-url URL, --mysql-url URL,
 *            --scenario a,b (names or prefixes: pg, mysql-sleep-10ms, pg-select-1-c200)
 *
 * Progress and diagnostics go to stderr. See bench/README.md for the method.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { redactUrl } from '../src/engine/index.js';
import { LibraryProcess } from './e2e/library-process.js';
import { mysqlFacts, postgresFacts, type ServerFacts } from './e2e/preflight.js';
import { renderReport, summarise, toJson } from './e2e/report.js';
import { runAll } from './e2e/runner.js';
import { versionsOf } from './lib/versions.js';
import { librariesOf, selectLibraries, selectScenarios, type Database, type Library } from './e2e/scenarios.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '0.5' },
    warmup: { type: 'string', default: '0.2' },
    size: { type: 'string', default: '20' },
    'no-pool-cap': { type: 'string' },
    scenario: { type: 'string' },
    library: { type: 'string' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    'mysql-url': { type: 'string', default: 'mysql://root@127.0.0.1:3306/test' },
  },
});

function wholeNumber(name: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, not ${text}`);
  return n;
}
function seconds(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!(n > 0 && Number.isFinite(n))) throw new Error(`--${name} must be a number of seconds > 0, not ${text}`);
  return n * 1000;
}
const runs = wholeNumber('runs', values.runs, 1);
const timedMs = seconds('seconds', values.seconds);
const warmupMs = seconds('warmup', values.warmup);
const size = wholeNumber('size', values.size, 1);
const noPoolCap = wholeNumber('no-pool-cap', values['no-pool-cap'] ?? values.size, 1);
const urls: Record<Database, string> = { postgres: values['pg-url'], mysql: values['mysql-url'] };
const chosenScenarios = selectScenarios(values.scenario);
const chosenLibraries = selectLibraries(values.library).filter((library) =>
  chosenScenarios.some((s) => librariesOf[s.database].includes(library)),
);

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
log(`bench:e2e on node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore}`);

// Each measurement has one library's connections open at a time: the pool's size, or no-pool's cap.
const databases = [...new Set(chosenScenarios.map((s) => s.database))];
const facts: Partial<Record<Database, ServerFacts>> = {};
for (const database of databases) {
  const f = await (database === 'postgres' ? postgresFacts : mysqlFacts)(urls[database]);
  facts[database] = f;
  const needed = Math.max(size, database === 'postgres' && chosenLibraries.includes('no-pool') ? noPoolCap : 0);
  const free = f.maxConnections - f.reserved - f.inUse;
  log(`${f.version}: max_connections ${f.maxConnections}, ${f.inUse} in use now, this bench opens at most ${needed} at once`);
  if (needed > free) log(`warning: only ${free} connections are free on ${database}; measurements may fail or wait`);
}

const versions = versionsOf(['pg', 'postgres', 'mysql2']);
const processes = new Map<Library, LibraryProcess>(chosenLibraries.map((library) => [library, new LibraryProcess(library)]));
let samples;
try {
  await Promise.all([...processes.values()].map((p) => p.ready()));
  samples = await runAll({
    scenarios: chosenScenarios,
    libraries: chosenLibraries,
    runs,
    warmupMs,
    timedMs,
    urls,
    client: { size, noPoolCap },
    measure: (library, request) => processes.get(library)!.measure(request),
    progress: log,
  });
} finally {
  await Promise.all([...processes.values()].map((p) => p.stop()));
}
const elapsed = performance.now() / 1000;
const loadAfter = load();
log(`done in ${elapsed.toFixed(1)} s, load average ${loadBefore} -> ${loadAfter}`);

const results = summarise(samples);
const header = [
  `havuz end-to-end benchmark: ${runs} runs of ${timedMs / 1000} s (after at least ${warmupMs / 1000} s warm-up) per library and scenario, ${elapsed.toFixed(0)} s in all`,
  `node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore} -> ${loadAfter}; ${versions}`,
  ...databases.map((d) => `${facts[d]!.version} at ${redactUrl(urls[d])}`),
  `pools: at most ${size} connections each; no-pool: a new pg.Client per query (connect, query, end), at most ${noPoolCap} at once`,
  "qps, p50, p99: median of the runs' figures; run spread: (max/min - 1) of the runs' qps",
  'ratios: a÷b of those figures, and in brackets the lowest and highest a÷b of runs measured side by side;',
  '"noise": a shortfall that the side-by-side runs do not confirm (some went each way)',
];
const report = renderReport(results, { header, scenarios: chosenScenarios });
// With --json the tables still go to stderr, so one run gives both.
if (values.json) {
  log(report);
  process.stdout.write(`${toJson(results)}\n`);
} else {
  process.stdout.write(`${report}\n`);
}
