import type { PoolMetrics } from './collector.js';
import type { HistogramSnapshot } from './histogram.js';

/** One sample line: `<family name><suffix>{labels} value`. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
  /** Histograms only: `_bucket`, `_sum` or `_count`. */
  suffix?: '_bucket' | '_sum' | '_count';
}

/** A metric family: what both the text exposition and prom-client's registry are made from. */
export interface Family {
  name: string;
  type: 'gauge' | 'counter' | 'histogram';
  help: string;
  samples: Sample[];
}

const COUNTERS = {
  created: 'Connections opened.',
  destroyed: 'Connections closed.',
  acquired: 'Checkouts.',
  released: 'Returns.',
  timeouts: 'Acquires that timed out.',
  aborted: 'Acquires aborted by their signal.',
  rejected: 'Acquires rejected because maxWaiters were already waiting.',
  createErrors: 'Failed connects.',
  failedFast: 'Acquires rejected at once with the connect error, the database being unreachable (failFast).',
  validationFailures: 'Connections that failed their pre-ping.',
  leaks: 'Checkouts held past leakDetectionMs.',
} as const;

const GAUGES = [
  ['pending', 'Acquires waiting for a connection.'],
  ['connecting', 'Connects in flight.'],
  ['max', 'The most connections the pool will open (size + maxOverflow).'],
] as const;

const HISTOGRAMS = [
  ['pool_wait', 'waitMs', 'Time acquires waited for a connection.'],
  ['pool_use', 'useMs', 'Time connections were held per checkout.'],
  ['pool_connect', 'connectMs', 'Time to open a connection.'],
  ['query_duration', 'queryMs', 'Time statements took on their connection (engines only).'],
] as const;

/**
 * Every pool's metrics as families, one family per name whatever the number of pools (labels
 * tell them apart): several engines never register a name twice. Labels carry the pool's name
 * only, never a URL, so no password can reach a scrape.
 */
export function poolFamilies(snapshots: readonly PoolMetrics[], prefix = 'havuz_'): Family[] {
  const families: Family[] = [];
  const family = (name: string, type: Family['type'], help: string, fill: (push: (labels: Record<string, string>, value: number) => void) => void) => {
    const samples: Sample[] = [];
    fill((labels, value) => samples.push({ labels, value }));
    families.push({ name: prefix + name, type, help, samples });
  };
  family('pool_connections', 'gauge', 'Open connections by state.', (push) => {
    for (const m of snapshots) {
      push({ pool: m.status.name, state: 'idle' }, m.status.idle);
      push({ pool: m.status.name, state: 'in_use' }, m.status.inUse);
    }
  });
  for (const [key, help] of GAUGES) {
    family(`pool_${key}`, 'gauge', help, (push) => {
      for (const m of snapshots) push({ pool: m.status.name }, m.status[key]);
    });
  }
  for (const [key, help] of Object.entries(COUNTERS) as [keyof typeof COUNTERS, string][]) {
    family(`pool_${snake(key)}_total`, 'counter', help, (push) => {
      for (const m of snapshots) push({ pool: m.status.name }, m.status.counters[key]);
    });
  }
  family('pool_closed_total', 'counter', 'Connections closed, by reason.', (push) => {
    for (const m of snapshots) for (const [reason, n] of Object.entries(m.closed)) push({ pool: m.status.name, reason }, n);
  });
  family('pool_errors_total', 'counter', 'Background connection errors, by phase.', (push) => {
    for (const m of snapshots) for (const [phase, n] of Object.entries(m.errors)) push({ pool: m.status.name, phase }, n);
  });
  family('query_errors_total', 'counter', 'Statements that failed (engines only).', (push) => {
    for (const m of snapshots) push({ pool: m.status.name }, m.queryErrors);
  });
  for (const [name, key, help] of HISTOGRAMS) {
    families.push({ name: `${prefix}${name}_seconds`, type: 'histogram', help, samples: snapshots.flatMap((m) => histogramSamples(m.status.name, m[key])) });
  }
  return families;
}

function histogramSamples(pool: string, h: HistogramSnapshot): Sample[] {
  const samples: Sample[] = h.buckets.map((b) => ({ labels: { pool, le: String(b.le / 1000) }, value: b.count, suffix: '_bucket' }));
  samples.push(
    { labels: { pool, le: '+Inf' }, value: h.count, suffix: '_bucket' },
    { labels: { pool }, value: h.sumMs / 1000, suffix: '_sum' },
    { labels: { pool }, value: h.count, suffix: '_count' },
  );
  return samples;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
