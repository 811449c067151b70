import { InvalidOptionError } from '../core/errors.js';
import type { Dialect } from '../drivers/schemes.js';
import type { PresetName } from './presets.js';

/** What the advisor knows. Everything but `cores` and `instances` is optional; more input, better advice. */
export interface AdvisorInput {
  dialect: Dialect;
  /** Physical cores of the database server. */
  cores: number;
  /** Where `cores` came from, for the reasoning ("this machine", "--db-cores"). */
  coresSource?: string;
  /** Effective spindles: 0 when the working set is in memory, about 1 for an SSD, N for N disks. */
  spindles?: number;
  /** App instances (processes, pods) that each hold a pool to this database. */
  instances: number;
  /** The server's max_connections, and the slots in it that ordinary users cannot take. */
  maxConnections?: number;
  reserved?: { count: number; detail: string };
  /** Connections other clients hold right now (informational). */
  otherConnections?: number;
  /** One instance's load: throughput and the mean time a query holds its connection. */
  demand?: { qps: number; meanHoldMs: number; source: string };
  /** The knee of a measured pool-size sweep, and the largest size that sweep tried. */
  knee?: { poolSize: number; threshold: number; source: string; largestTried?: number };
  /** Query latency at the 99th percentile, for the acquire timeout. */
  p99Ms?: number;
  /** The server closes idle connections after this long (MySQL wait_timeout, PostgreSQL idle_session_timeout). */
  serverIdleTimeoutMs?: number;
  /** Extra share on top of the measured demand; 0.25 by default. */
  headroom?: number;
}

export interface Recommendation {
  size: number;
  maxOverflow: number;
  acquireTimeoutMs: number;
  idleTimeoutMs?: number;
  prePing: boolean;
  /** The closest named preset, as a starting point to spread and override. */
  preset: PresetName;
  /** How each figure was reached, one step per line, in order. */
  reasoning: string[];
  warnings: string[];
}

/** The share of the app's connection budget kept free for psql, migrations, monitoring and replicas. */
export const ADMIN_MARGIN = 0.1;
export const DEFAULT_HEADROOM = 0.25;

export function recommend(input: AdvisorInput): Recommendation {
  check(input);
  if (input.dialect === 'sqlite') return recommendSqlite(input);
  const lines: string[] = [];
  const warnings: string[] = [];
  const spindles = input.spindles ?? 1;
  const instances = input.instances;
  const headroom = input.headroom ?? DEFAULT_HEADROOM;

  const formula = input.cores * 2 + spindles;
  lines.push(
    `Formula: physical cores x 2 + effective spindles = ${input.cores} x 2 + ${spindles} = ${formula} connections doing work at once is where ` +
      `a database is busiest without contention, across all ${instances} app instance${instances === 1 ? '' : 's'} (cores from ${input.coresSource ?? 'input'}).`,
  );
  const share = Math.max(1, Math.ceil(formula / instances));
  if (instances > 1) lines.push(`Formula share per instance: ${formula} / ${instances} instances = ${share}.`);

  let cap = Infinity;
  if (input.maxConnections !== undefined) {
    const reserved = input.reserved?.count ?? 0;
    const available = Math.max(0, input.maxConnections - reserved);
    const margin = Math.max(2, Math.ceil(available * ADMIN_MARGIN));
    const usable = Math.max(0, available - margin);
    lines.push(
      `Server limit: max_connections ${input.maxConnections}` +
        (reserved > 0 ? ` - ${reserved} reserved (${input.reserved!.detail})` : input.reserved?.detail ? ` (nothing reserved: ${input.reserved.detail})` : '') +
        ` - ${margin} kept free for psql, migrations and monitoring (${Math.round(ADMIN_MARGIN * 100)}%) = ${usable} for the app.`,
    );
    cap = Math.floor(usable / instances);
    lines.push(`Per instance: ${usable} / ${instances} = ${cap}; size + maxOverflow stay within this, so a peak on every instance at once still fits.`);
    if (cap < 1) {
      warnings.push(`${instances} instances cannot each hold a connection within max_connections ${input.maxConnections}: put a pooler (PgBouncer, ProxySQL) in front or raise max_connections.`);
      cap = 1;
    }
    if (input.otherConnections !== undefined && input.otherConnections > margin) {
      warnings.push(`${input.otherConnections} connections are open on the server right now, more than the ${margin} kept free: other services share this database, lower --instances' budget accordingly.`);
    }
  }

  let size: number;
  if (input.demand) {
    const { qps, meanHoldMs } = input.demand;
    const busy = (qps * meanHoldMs) / 1000;
    size = Math.max(1, Math.ceil(busy * (1 + headroom)));
    lines.push(
      `Little's law (${input.demand.source}): ${fmt(qps)} q/s x ${fmt(meanHoldMs)} ms mean hold = ${fmt(busy)} connections busy on average; ` +
        `+ ${Math.round(headroom * 100)}% headroom = ${size}.`,
    );
    if (input.knee) lines.push(`Measured knee (${input.knee.source}): pool size ${input.knee.poolSize} reached ${Math.round(input.knee.threshold * 100)}% of the best throughput; kept for reference.`);
  } else if (input.knee) {
    size = input.knee.poolSize;
    lines.push(
      `Measured knee (${input.knee.source}): pool size ${size} is the smallest that reached ${Math.round(input.knee.threshold * 100)}% of the best throughput; ` +
        `larger pools add little. Size = ${size}.`,
    );
  } else {
    size = share;
    lines.push(`No load measured: size = the formula share, ${size}. Run \`havuz advise --measure\` or pass --qps and --hold-ms for a measured figure.`);
  }
  if (input.knee && input.knee.poolSize === input.knee.largestTried) {
    lines.push(`Throughput was still rising at the largest size tried (${input.knee.largestTried}): the database is not saturated there, so the true knee may be higher.`);
  }
  if (size > share * 2 && (input.demand || input.knee)) {
    lines.push(
      `That is above the formula share (${share}): right when queries mostly wait (I/O, locks, sleeps, network), but on a CPU-bound database more connections only add contention.`,
    );
  }
  if (size > cap) {
    lines.push(`Capped by the per-instance limit: size ${size} -> ${cap}.`);
    warnings.push(`The measured demand needs ${size} connections per instance but only ${cap} fit: expect waiting at peak, or reduce instances, raise max_connections, or add a pooler.`);
    size = cap;
  }

  const room = cap === Infinity ? Infinity : cap - size;
  const maxOverflow = Math.max(0, Math.min(room, Math.ceil(size / 2)));
  lines.push(
    `Overflow: half the size again for bursts${room !== Infinity ? `, within the ${cap} per-instance limit` : ''} = ${maxOverflow} ` +
      `(overflow connections close when returned, so they cost nothing between bursts).`,
  );

  let acquireTimeoutMs: number;
  if (input.p99Ms !== undefined && Number.isFinite(input.p99Ms)) {
    acquireTimeoutMs = clamp(roundUp(input.p99Ms * 20, 100), 1_000, 10_000);
    lines.push(
      `Acquire timeout: 20 x p99 latency (${fmt(input.p99Ms)} ms), between 1 s and 10 s = ${acquireTimeoutMs} ms; ` +
        `waiting longer means the pool is saturated, and failing fast beats queueing behind it.`,
    );
  } else {
    acquireTimeoutMs = 5_000;
    lines.push(`Acquire timeout: no latency measured, 5000 ms: shorter than a typical HTTP timeout, so the pool fails first and says why.`);
  }

  let idleTimeoutMs: number | undefined;
  let prePing = false;
  if (input.serverIdleTimeoutMs !== undefined && input.serverIdleTimeoutMs > 0) {
    idleTimeoutMs = Math.min(10 * 60_000, Math.floor(input.serverIdleTimeoutMs / 2));
    prePing = true;
    lines.push(
      `The server closes idle connections after ${fmt(input.serverIdleTimeoutMs / 1000)} s: idleTimeoutMs = half that (at most 10 min) = ${idleTimeoutMs}, and prePing on.`,
    );
  }

  const preset = closestPreset(size, maxOverflow, acquireTimeoutMs);
  lines.push(`Closest preset: ${preset} (spread it and override: { ...presets.${preset}, size: ${size}, maxOverflow: ${maxOverflow} }).`);
  return { size, maxOverflow, acquireTimeoutMs, idleTimeoutMs, prePing, preset, reasoning: lines, warnings };
}

function recommendSqlite(input: AdvisorInput): Recommendation {
  const reasoning = [
    'SQLite: one writer at a time per database file, and better-sqlite3 runs each query synchronously on the Node thread, ' +
      'so a second connection in the same process cannot run at the same time. Size = 1.',
    'No server connection limit applies; each of the ' + `${input.instances} instance${input.instances === 1 ? '' : 's'} opens its own connection.`,
    'Acquire timeout: 5000 ms (a write waits for the file lock; set busy_timeout below it).',
    'Closest preset: lowTraffic (with size 1, maxOverflow 0).',
  ];
  return { size: 1, maxOverflow: 0, acquireTimeoutMs: 5_000, prePing: false, preset: 'lowTraffic', reasoning, warnings: [] };
}

/** Nearest by shape: burst when overflow outweighs the steady size, else by size. */
export function closestPreset(size: number, maxOverflow: number, acquireTimeoutMs: number): PresetName {
  if (maxOverflow > size * 1.5 || (acquireTimeoutMs <= 1_000 && maxOverflow >= size && size <= 8)) return 'burstTraffic';
  if (size <= 4) return 'lowTraffic';
  if (size <= 14) return 'mediumTraffic';
  return 'highTraffic';
}

function check(input: AdvisorInput): void {
  const whole = (name: string, v: number | undefined, min: number): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new InvalidOptionError(name, v, `a whole number >= ${min}`);
  };
  whole('cores', input.cores, 1);
  whole('instances', input.instances, 1);
  whole('spindles', input.spindles, 0);
  whole('maxConnections', input.maxConnections, 1);
  if (input.demand && !(input.demand.qps >= 0)) throw new InvalidOptionError('demand.qps', input.demand.qps, 'a number >= 0');
  if (input.demand && !(input.demand.meanHoldMs >= 0)) throw new InvalidOptionError('demand.meanHoldMs', input.demand.meanHoldMs, 'a number >= 0');
  if (input.headroom !== undefined && !(input.headroom >= 0)) throw new InvalidOptionError('headroom', input.headroom, 'a number >= 0');
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n >= 10 ? n.toFixed(1) : String(Number(n.toFixed(2)));
}

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
