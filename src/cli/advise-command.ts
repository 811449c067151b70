import { readFile } from 'node:fs/promises';
import { DEFAULT_KNEE_THRESHOLD } from '../bench/knee.js';
import { streamProgress } from '../bench/progress.js';
import { sweep } from '../bench/scenarios.js';
import { makeTarget } from '../bench/target.js';
import { recommend, type AdvisorInput, type Recommendation } from '../sizing/advisor.js';
import { physicalCores } from '../sizing/host.js';
import { presets, presetNames } from '../sizing/presets.js';
import { renderTable } from '../bench/table.js';
import { fraction, positiveNumber, wholeNumber } from './args.js';
import { defaultSql } from './bench-command.js';
import type { CleanupRegistry } from './cleanup.js';
import { openDatabase, type Database } from './database.js';
import { UsageError } from '../core/errors.js';
import type { Io } from './io.js';

export const adviseFlags = {
  url: { type: 'string' },
  instances: { type: 'string' },
  'db-cores': { type: 'string' },
  spindles: { type: 'string' },
  qps: { type: 'string' },
  'hold-ms': { type: 'string' },
  'p99-ms': { type: 'string' },
  headroom: { type: 'string' },
  bench: { type: 'string' },
  measure: { type: 'boolean' },
  sql: { type: 'string' },
  presets: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const adviseHelp = `Usage: havuz advise [options]

Recommends a pool size, overflow and acquire timeout per app instance, with the reasoning line
by line: the (cores x 2 + spindles) formula, the server's max_connections less its reserved
slots, the number of app instances, and measured load (Little's law).

  --url URL          read max_connections and reserved slots from this database
  --instances N      app instances sharing the database (default 1)
  --db-cores N       physical cores of the database server (default: this machine's)
  --spindles N       effective spindles: 0 all cached, 1 SSD (default), N disks
  --qps N            one instance's throughput at peak (from your pool metrics)
  --hold-ms MS       mean time a query holds its connection (from your pool metrics)
  --p99-ms MS        p99 query latency, for the acquire timeout
  --headroom F       extra share above the measured demand (default 0.25)
  --bench FILE       use a saved 'havuz bench --json' result (its sweep's knee and p99)
  --measure          run a short pool-size sweep now (on --url, or a throwaway PostgreSQL)
  --sql SQL          statement for --measure (default as in havuz bench)
  --presets          print the named presets and exit
  --json             print the recommendation as JSON

Exit codes: 0 done, 2 bad input (flags, URL, unreachable database), 130 interrupted.`;

export interface AdviseFlags {
  url?: string;
  instances?: string;
  'db-cores'?: string;
  spindles?: string;
  qps?: string;
  'hold-ms'?: string;
  'p99-ms'?: string;
  headroom?: string;
  bench?: string;
  measure?: boolean;
  sql?: string;
  presets?: boolean;
  json?: boolean;
}

export async function adviseCommand(flags: AdviseFlags, io: Io, registry: CleanupRegistry, signal: AbortSignal): Promise<number> {
  if (flags.presets) {
    io.stdout.write(flags.json ? `${JSON.stringify(presets, null, 2)}\n` : `${renderPresets()}\n`);
    return 0;
  }
  const input = inputFromFlags(flags);
  if (flags.bench !== undefined) Object.assign(input, await fromBenchFile(flags.bench, input));

  let db: Database | undefined;
  if (flags.url !== undefined || flags.measure) {
    db = await openDatabase({ url: flags.url, cleanup: registry.hook, checkSql: flags.sql ? [flags.sql] : [] });
  }
  try {
    if (db) {
      input.dialect = db.dialect;
      input.maxConnections = db.facts.maxConnections;
      input.reserved = db.facts.reserved;
      input.serverIdleTimeoutMs = db.facts.idleTimeoutMs;
      input.otherConnections = db.facts.openConnections;
      if (flags['db-cores'] === undefined && !isLocal(db)) input.coresSource = 'this machine, assumed to be the database server: pass --db-cores';
    }
    if (db && flags.measure) Object.assign(input, await measure(db, flags.sql, io, signal, input));
    if (input.demand && Number.isNaN(input.demand.meanHoldMs)) throw new UsageError('--qps needs --hold-ms, or a measured hold time from --measure or --bench');
    const recommendation = recommend(input);
    io.stdout.write(flags.json ? `${JSON.stringify({ recommendation: options(recommendation), ...recommendation, server: db?.facts ?? null }, null, 2)}\n` : `${renderAdvice(recommendation, db)}\n`);
    return 0;
  } finally {
    await db?.close();
  }
}

function inputFromFlags(flags: AdviseFlags): AdvisorInput {
  const qps = positiveNumber('qps', flags.qps);
  const holdMs = positiveNumber('hold-ms', flags['hold-ms']);
  if (holdMs !== undefined && qps === undefined) throw new UsageError("--hold-ms needs --qps (Little's law takes both)");
  if (qps !== undefined && holdMs === undefined && !flags.measure && flags.bench === undefined) {
    throw new UsageError('--qps needs --hold-ms, or a measured hold time from --measure or --bench');
  }
  const input: AdvisorInput = {
    dialect: 'postgres',
    cores: wholeNumber('db-cores', flags['db-cores'], physicalCores()),
    coresSource: flags['db-cores'] === undefined ? 'this machine' : '--db-cores',
    spindles: wholeNumber('spindles', flags.spindles, 1, 0),
    instances: wholeNumber('instances', flags.instances, 1),
    headroom: flags.headroom === undefined ? undefined : fraction('headroom', flags.headroom, 0.25),
    p99Ms: positiveNumber('p99-ms', flags['p99-ms']),
  };
  if (qps !== undefined && holdMs !== undefined) input.demand = { qps, meanHoldMs: holdMs, source: '--qps and --hold-ms' };
  else if (qps !== undefined) input.demand = { qps, meanHoldMs: NaN, source: '--qps' };
  return input;
}

async function fromBenchFile(path: string, input: AdvisorInput): Promise<Partial<AdvisorInput>> {
  let data: { sweep?: { poolSize: number; qps: number; p99_ms: number; meanHold_ms?: number }[]; knee?: { poolSize: number; threshold: number } | null };
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read --bench ${path}: ${(error as Error).message}`);
  }
  const knee = data.knee;
  const step = knee ? data.sweep?.find((s) => s.poolSize === knee.poolSize) : undefined;
  if (!knee || !step) throw new UsageError(`--bench ${path} has no sweep with a knee (save one with: havuz bench --json > file)`);
  const largestTried = Math.max(...(data.sweep ?? []).map((s) => s.poolSize));
  const out: Partial<AdvisorInput> = { knee: { poolSize: knee.poolSize, threshold: knee.threshold, source: path, largestTried } };
  if (input.p99Ms === undefined) out.p99Ms = step.p99_ms;
  return { ...out, ...completeDemand(input, step.meanHold_ms, `pool size ${step.poolSize} in ${path}`) };
}

/** A short sweep on the database: its knee sizes the pool, its p99 sets the timeout, its hold time completes --qps. */
async function measure(db: Database, sql: string | undefined, io: Io, signal: AbortSignal, input: AdvisorInput): Promise<Partial<AdvisorInput>> {
  const sizes = [1, 2, 4, 8, 16, 32, 64];
  const result = await sweep(
    (options) => makeTarget(db.url, { acquireTimeoutMs: 60_000, ...options }),
    { sql: sql ?? defaultSql(db.dialect), sizes, workers: 64, durationMs: 1000, kneeThreshold: DEFAULT_KNEE_THRESHOLD },
    { signal, progress: streamProgress(io.stderr, 'havuz advise') },
  );
  const knee = result.knee;
  const step = result.steps.find((s) => s.poolSize === knee?.poolSize);
  if (!knee || !step) return {};
  const out: Partial<AdvisorInput> = {
    knee: { poolSize: knee.poolSize, threshold: knee.threshold, source: `sweep of ${sizes.join(',')} on ${result.sql}`, largestTried: sizes.at(-1) },
  };
  if (input.p99Ms === undefined) out.p99Ms = step.latency.p99;
  return { ...out, ...completeDemand(input, step.meanHoldMs, `pool size ${step.poolSize}, measured now`) };
}

/** --qps alone: the hold time comes from a measured sweep. */
function completeDemand(input: AdvisorInput, holdMs: number | undefined, where: string): Partial<AdvisorInput> {
  if (!input.demand || !Number.isNaN(input.demand.meanHoldMs) || holdMs === undefined || !Number.isFinite(holdMs)) return {};
  return { demand: { qps: input.demand.qps, meanHoldMs: holdMs, source: `--qps, hold time at ${where}` } };
}

function isLocal(db: Database): boolean {
  return db.embedded || db.dialect === 'sqlite' || /@(127\.|localhost|\[::1\])/.test(db.shown);
}

function options(r: Recommendation): Record<string, unknown> {
  const o: Record<string, unknown> = { size: r.size, maxOverflow: r.maxOverflow, acquireTimeoutMs: r.acquireTimeoutMs };
  if (r.idleTimeoutMs !== undefined) o.idleTimeoutMs = r.idleTimeoutMs;
  if (r.prePing) o.prePing = true;
  return o;
}

export function renderAdvice(r: Recommendation, db: Database | undefined): string {
  const out: string[] = [];
  out.push(db ? `havuz advise: ${db.shown}${db.facts.version ? ` (${db.facts.version})` : ''}` : 'havuz advise: no --url, so the server\'s limits are unknown');
  out.push('', 'Reasoning');
  r.reasoning.forEach((line, i) => out.push(`  ${i + 1}. ${line}`));
  out.push('', 'Recommendation (per app instance)');
  for (const [key, value] of Object.entries(options(r))) out.push(`  ${key.padEnd(17)}${String(value)}`);
  const spread = Object.entries(options(r)).map(([k, v]) => `${k}: ${String(v)}`).join(', ');
  out.push('', `  createEngine(url, { ...presets.${r.preset}, ${spread} })`);
  if (r.warnings.length > 0) out.push('', 'Warnings', ...r.warnings.map((w) => `  ! ${w}`));
  return out.join('\n');
}

function renderPresets(): string {
  const keys = ['size', 'maxOverflow', 'minIdle', 'acquireTimeoutMs', 'idleTimeoutMs', 'maxLifetimeMs', 'prePing'] as const;
  return renderTable(['preset', ...keys], presetNames.map((name) => [name, ...keys.map((k) => String(presets[name][k]))]));
}
