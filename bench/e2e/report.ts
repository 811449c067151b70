import { percentile } from '../../src/bench/latency.js';
import { formatRate, formatRatio, median, renderTable, spread } from '../lib/stats.js';
import type { Cell, Samples } from './runner.js';
import { libraries, type Library, type Scenario } from './scenarios.js';

/** The figures of one library in one scenario, over all its runs. */
export interface Figures {
  /** Median of the runs' throughputs. */
  qps: number;
  /** Percentiles over the latencies of every run together (more samples for the tail than any one run). */
  p50Ms: number;
  p99Ms: number;
  /** Relative spread of the runs' throughputs: (max / min) - 1. */
  qpsSpread: number;
  /** Median client CPU per query, µs: what the library costs on this side of the socket. */
  cpuUsPerQuery: number;
  samples: number;
  runs: number;
  /** Fewest connections open at the start of a timed window, over the runs (undefined: not known). */
  connections: number | undefined;
}

export type Results = Record<string, Partial<Record<Library, Figures>>>;

/** The targets from the issue. */
export const NO_POOL_SPEEDUP_TARGET = 20;

export function summarise(samples: Samples): Results {
  const results: Results = {};
  for (const [name, cells] of Object.entries(samples)) {
    results[name] = {};
    for (const [library, cell] of Object.entries(cells) as [Library, Cell][]) results[name][library] = figuresOf(cell);
  }
  return results;
}

function figuresOf(cell: Cell): Figures {
  const all = new Float64Array(cell.latencies.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const l of cell.latencies) {
    all.set(l, at);
    at += l.length;
  }
  all.sort();
  return {
    qps: median(cell.qps),
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    qpsSpread: spread(cell.qps),
    cpuUsPerQuery: median(cell.cpuUsPerQuery),
    samples: all.length,
    runs: cell.qps.length,
    connections: cell.connections.some((c) => c === undefined) ? undefined : Math.min(...(cell.connections as number[])),
  };
}

/** `--json`: exactly `{"scenarios": {"<name>": {"<library>": {"qps", "p50_ms", "p99_ms"}}}}`. */
export function toJson(results: Results): string {
  const scenarios: Record<string, Record<string, { qps: number; p50_ms: number; p99_ms: number }>> = {};
  for (const [name, byLibrary] of Object.entries(results)) {
    scenarios[name] = {};
    for (const library of libraries) {
      const f = byLibrary[library];
      if (f !== undefined) scenarios[name][library] = { qps: Math.round(f.qps), p50_ms: round3(f.p50Ms), p99_ms: round3(f.p99Ms) };
    }
  }
  return JSON.stringify({ scenarios });
}

export interface ReportMeta {
  header: string[];
  scenarios: readonly Scenario[];
}

export function renderReport(results: Results, meta: ReportMeta): string {
  const pg = meta.scenarios.filter((s) => s.database === 'postgres' && results[s.name] !== undefined);
  const my = meta.scenarios.filter((s) => s.database === 'mysql' && results[s.name] !== undefined);
  const parts = [...meta.header, ''];
  if (pg.length > 0) {
    parts.push('PostgreSQL: figures', renderFigures(results, pg), '');
    parts.push('PostgreSQL: ratios (qps: higher is better for havuz; p99: lower is better for havuz)', renderPgRatios(results, pg), '');
  }
  if (my.length > 0) {
    parts.push('MariaDB: figures', renderFigures(results, my), '');
    parts.push('MariaDB: ratios', renderPairRatios(results, my, 'mysql2'), '');
  }
  parts.push('Targets', renderTargets(results, pg));
  return parts.join('\n');
}

function renderFigures(results: Results, scenarios: readonly Scenario[]): string {
  const header = ['scenario', 'library', 'qps', 'p50 ms', 'p99 ms', 'run spread', 'client CPU µs/query', 'conns', 'samples'];
  const rows = scenarios.flatMap((s) =>
    libraries.flatMap((library) => {
      const f = results[s.name]?.[library];
      if (f === undefined) return [];
      return [
        [s.name, library, formatRate(f.qps), formatMs(f.p50Ms), formatMs(f.p99Ms), `${(f.qpsSpread * 100).toFixed(0)}%`, f.cpuUsPerQuery.toFixed(0), f.connections === undefined ? '-' : String(f.connections), String(f.samples)],
      ];
    }),
  );
  return renderTable([header, ...rows]);
}

function renderPgRatios(results: Results, scenarios: readonly Scenario[]): string {
  const header = [
    'scenario',
    'havuz÷pg-pool qps',
    'havuz÷pg-pool p99',
    'havuz÷postgres-js qps',
    'havuz÷postgres-js p99',
    'havuz÷no-pool qps',
    'pg-pool÷no-pool qps',
    'havuz vs pg-pool',
  ];
  const rows = scenarios.map((s) => {
    const r = results[s.name]!;
    return [
      s.name,
      ratio(r.havuz?.qps, r['pg-pool']?.qps),
      ratio(r.havuz?.p99Ms, r['pg-pool']?.p99Ms),
      ratio(r.havuz?.qps, r['postgres-js']?.qps),
      ratio(r.havuz?.p99Ms, r['postgres-js']?.p99Ms),
      ratio(r.havuz?.qps, r['no-pool']?.qps),
      ratio(r['pg-pool']?.qps, r['no-pool']?.qps),
      verdict(r.havuz, r['pg-pool']),
    ];
  });
  return renderTable([header, ...rows]);
}

function renderPairRatios(results: Results, scenarios: readonly Scenario[], peer: Library): string {
  const header = ['scenario', `havuz÷${peer} qps`, `havuz÷${peer} p99`, `havuz vs ${peer}`];
  const rows = scenarios.map((s) => {
    const r = results[s.name]!;
    return [s.name, ratio(r.havuz?.qps, r[peer]?.qps), ratio(r.havuz?.p99Ms, r[peer]?.p99Ms), verdict(r.havuz, r[peer])];
  });
  return renderTable([header, ...rows]);
}

function renderTargets(results: Results, pg: readonly Scenario[]): string {
  const lines: string[] = [];
  const compared = pg.filter((s) => results[s.name]?.havuz !== undefined && results[s.name]?.['pg-pool'] !== undefined);
  if (compared.length > 0) {
    const missed = compared.filter((s) => !meets(results[s.name]!.havuz!, results[s.name]!['pg-pool']!));
    lines.push(
      `- havuz >= pg-pool throughput with p99 no worse, at every concurrency: ${missed.length === 0 ? 'MET' : 'NOT MET'}` +
        (missed.length === 0 ? ` (${compared.length} scenarios)` : ` in ${missed.length} of ${compared.length}: ${missed.map((s) => s.name).join(', ')}`),
    );
  }
  const single = pg.find((s) => s.statement === 'select-1' && s.concurrency === 1);
  const r = single === undefined ? undefined : results[single.name];
  if (r?.['no-pool'] !== undefined) {
    for (const library of ['havuz', 'pg-pool', 'postgres-js'] as const) {
      const f = r[library];
      if (f === undefined) continue;
      const x = f.qps / r['no-pool'].qps;
      lines.push(`- pooled SELECT 1 at concurrency 1 >= ${NO_POOL_SPEEDUP_TARGET}x no-pool: ${library} ${formatRatio(x)} ${x >= NO_POOL_SPEEDUP_TARGET ? 'MET' : 'NOT MET'}`);
    }
  }
  return lines.join('\n');
}

/** The issue's bar against a peer: at least its throughput, and a p99 no worse. */
function meets(havuz: Figures, peer: Figures): boolean {
  return havuz.qps >= peer.qps && havuz.p99Ms <= peer.p99Ms;
}

/**
 * MET or NOT MET, by the medians as they are. A shortfall smaller than the run-to-run spread of
 * either library's throughput is marked as such: on a shared 2-core machine it may be noise.
 */
function verdict(havuz: Figures | undefined, peer: Figures | undefined): string {
  if (havuz === undefined || peer === undefined) return '-';
  if (meets(havuz, peer)) return 'MET';
  const qpsShort = 1 - havuz.qps / peer.qps;
  const noise = Math.max(havuz.qpsSpread, peer.qpsSpread);
  const what = [qpsShort > 0 ? `qps -${(qpsShort * 100).toFixed(0)}%` : '', havuz.p99Ms > peer.p99Ms ? `p99 +${((havuz.p99Ms / peer.p99Ms - 1) * 100).toFixed(0)}%` : '']
    .filter(Boolean)
    .join(', ');
  return `NOT MET (${what}${qpsShort > 0 && qpsShort <= noise ? `; within the ${(noise * 100).toFixed(0)}% run spread` : ''})`;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? '-' : formatRatio(a / b);
}

/** Milliseconds to three significant figures: 0.213, 10.2, 152. */
function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
