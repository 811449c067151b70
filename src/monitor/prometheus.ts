import type { HistogramSnapshot } from './histogram.js';
import type { PoolCollector } from './collector.js';

/** The Prometheus text exposition format's content type. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const COUNTERS = {
  created: 'Connections opened.',
  destroyed: 'Connections closed.',
  acquired: 'Checkouts.',
  released: 'Returns.',
  timeouts: 'Acquires that timed out.',
  aborted: 'Acquires aborted by their signal.',
  rejected: 'Acquires rejected because maxWaiters were already waiting.',
  createErrors: 'Failed connects.',
  validationFailures: 'Connections that failed their pre-ping.',
  leaks: 'Checkouts held past leakDetectionMs.',
} as const;

/**
 * Every collected pool in Prometheus's text format. Labels carry the pool's name only: never a
 * URL, so no password can reach a scrape.
 */
export function prometheusText(collectors: Iterable<PoolCollector>): string {
  const out = new Lines();
  const snapshots = [...collectors].map((c) => c.snapshot());
  out.family('havuz_pool_connections', 'gauge', 'Open connections by state.', (emit) => {
    for (const m of snapshots) {
      emit({ pool: m.status.name, state: 'idle' }, m.status.idle);
      emit({ pool: m.status.name, state: 'in_use' }, m.status.inUse);
    }
  });
  const gauges = [
    ['pending', 'Acquires waiting for a connection.'],
    ['connecting', 'Connects in flight.'],
    ['max', 'The most connections the pool will open (size + maxOverflow).'],
  ] as const;
  for (const [key, help] of gauges) {
    out.family(`havuz_pool_${key}`, 'gauge', help, (emit) => {
      for (const m of snapshots) emit({ pool: m.status.name }, m.status[key]);
    });
  }
  for (const [key, help] of Object.entries(COUNTERS) as [keyof typeof COUNTERS, string][]) {
    out.family(`havuz_pool_${snake(key)}_total`, 'counter', help, (emit) => {
      for (const m of snapshots) emit({ pool: m.status.name }, m.status.counters[key]);
    });
  }
  out.family('havuz_pool_closed_total', 'counter', 'Connections closed, by reason.', (emit) => {
    for (const m of snapshots) for (const [reason, n] of Object.entries(m.closed)) emit({ pool: m.status.name, reason }, n);
  });
  out.family('havuz_pool_errors_total', 'counter', 'Background connection errors, by phase.', (emit) => {
    for (const m of snapshots) for (const [phase, n] of Object.entries(m.errors)) emit({ pool: m.status.name, phase }, n);
  });
  const histograms = [
    ['wait', 'waitMs', 'Time acquires waited for a connection.'],
    ['use', 'useMs', 'Time connections were held per checkout.'],
    ['connect', 'connectMs', 'Time to open a connection.'],
  ] as const;
  for (const [name, key, help] of histograms) {
    out.histogram(`havuz_pool_${name}_seconds`, help, snapshots.map((m) => [m.status.name, m[key]] as const));
  }
  return out.toString();
}

/** Prometheus text, family by family; shared with the topology's host metrics. */
export class Lines {
  readonly #lines: string[] = [];

  family(name: string, type: 'gauge' | 'counter', help: string, body: (emit: (labels: Record<string, string>, value: number) => void) => void): void {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    body((labels, value) => this.#lines.push(`${name}${labelText(labels)} ${value}`));
  }

  histogram(name: string, help: string, series: readonly (readonly [string, HistogramSnapshot])[]): void {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const [pool, h] of series) {
      for (const b of h.buckets) this.#lines.push(`${name}_bucket${labelText({ pool, le: String(b.le / 1000) })} ${b.count}`);
      this.#lines.push(`${name}_bucket${labelText({ pool, le: '+Inf' })} ${h.count}`);
      this.#lines.push(`${name}_sum${labelText({ pool })} ${h.sumMs / 1000}`, `${name}_count${labelText({ pool })} ${h.count}`);
    }
  }

  toString(): string {
    return this.#lines.join('\n') + '\n';
  }
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `{${parts.join(',')}}`;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
