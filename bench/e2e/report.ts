import { percentile } from '../../src/bench/latency.js';
import { formatRate, formatRatio, median, renderTable, spread } from '../lib/stats.js';
import type { Cell, Samples } from './runner.js';
import { libraries, type Library, type Scenario } from './scenarios.js';

/** The figures of one library in one scenario, over all its runs. */
export interface Figures {
  /** Median of the runs' throughputs. */
  qps: number;
  /**
   * Median over the runs of each run's percentile. Not the percentile of all runs' latencies
   * together: one run slowed by other work on the machine would then set the tail for all three.
   */
  p50Ms: number;
  p99Ms: number;
  /** Relative spread of the runs' throughputs: (max / min) - 1. */
  qpsSpread: number;
  /** Each run's throughput and p99, in run order: a library's run i is paired with a peer's run i. */
  qpsRuns: number[];
  p99Runs: number[];
  /** Median client CPU per query, µs: what the library costs on this side of the socket. */
  cpuUsPerQuery: number;
  samples: number;
  runs: number;
  /** Median over the runs of the client's event-loop delay p99, ms. */
  loopDelayP99Ms: number;
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
  const p99Runs = cell.latencies.map((l) => percentile(l, 99));
  return {
    qps: median(cell.qps),
    p50Ms: median(cell.latencies.map((l) => percentile(l, 50))),
    p99Ms: median(p99Runs),
    qpsSpread: spread(cell.qps),
    qpsRuns: cell.qps,
    p99Runs,
    cpuUsPerQuery: median(cell.cpuUsPerQuery),
    samples: cell.latencies.reduce((n, l) => n + l.length, 0),
    runs: cell.qps.length,
    loopDelayP99Ms: median(cell.loopDelayP99Ms),
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
  const header = ['scenario', 'library', 'qps', 'p50 ms', 'p99 ms', 'run spread', 'client CPU µs/query', 'loop delay p99 ms', 'conns', 'samples'];
  const rows = scenarios.flatMap((s) =>
    libraries.flatMap((library) => {
      const f = results[s.name]?.[library];
      if (f === undefined) return [];
      return [
        [s.name, library, formatRate(f.qps), formatMs(f.p50Ms), formatMs(f.p99Ms), `${(f.qpsSpread * 100).toFixed(0)}%`, f.cpuUsPerQuery.toFixed(0), formatMs(f.loopDelayP99Ms), f.connections === undefined ? '-' : String(f.connections), String(f.samples)],
      ];
    }),
  );
  return renderTable([header, ...rows]);
}

/**
 * One ratio cell: a over b by the figures above, then in brackets the lowest and highest ratio of
 * runs measured side by side (run i of one library against run i of the other, which ran right
 * before or after it). Brackets that take in 1.00x mean the runs do not tell the two apart.
 */
function pairedRatio(a: Figures | undefined, b: Figures | undefined, what: 'qps' | 'p99'): string {
  if (a === undefined || b === undefined) return '-';
  const [x, y, xs, ys] = what === 'qps' ? [a.qps, b.qps, a.qpsRuns, b.qpsRuns] : [a.p99Ms, b.p99Ms, a.p99Runs, b.p99Runs];
  const runs = xs.map((v, i) => v / ys[i]!).filter(Number.isFinite);
  const range = runs.length < 2 ? '' : ` (${Math.min(...runs).toFixed(2)}-${Math.max(...runs).toFixed(2)})`;
  return `${formatRatio(x / y)}${range}`;
}

function renderPgRatios(results: Results, scenarios: readonly Scenario[]): string {
  const header = [
    'scenario',
    'havuz÷pg-pool qps',
    'havuz÷pg-pool p99',
    'havuz÷postgres-js qps',
    'havuz÷postgres-js p99',
    'pipeline÷pg-pool qps',
    'pipeline÷pg-pool p99',
    'pipeline÷postgres-js qps',
    'pipeline÷postgres-js p99',
    'havuz÷no-pool qps',
    'pg-pool÷no-pool qps',
    'havuz vs pg-pool',
  ];
  const rows = scenarios.map((s) => {
    const r = results[s.name]!;
    return [
      s.name,
      pairedRatio(r.havuz, r['pg-pool'], 'qps'),
      pairedRatio(r.havuz, r['pg-pool'], 'p99'),
      pairedRatio(r.havuz, r['postgres-js'], 'qps'),
      pairedRatio(r.havuz, r['postgres-js'], 'p99'),
      pairedRatio(r['havuz-pipeline'], r['pg-pool'], 'qps'),
      pairedRatio(r['havuz-pipeline'], r['pg-pool'], 'p99'),
      pairedRatio(r['havuz-pipeline'], r['postgres-js'], 'qps'),
      pairedRatio(r['havuz-pipeline'], r['postgres-js'], 'p99'),
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
    return [s.name, pairedRatio(r.havuz, r[peer], 'qps'), pairedRatio(r.havuz, r[peer], 'p99'), verdict(r.havuz, r[peer])];
  });
  return renderTable([header, ...rows]);
}

function renderTargets(results: Results, pg: readonly Scenario[]): string {
  const lines: string[] = [];
  const compared = pg.filter((s) => results[s.name]?.havuz !== undefined && results[s.name]?.['pg-pool'] !== undefined);
  if (compared.length > 0) {
    const missed = compared.filter((s) => !meets(results[s.name]!.havuz!, results[s.name]!['pg-pool']!));
    const noise = missed.filter((s) => indistinct(results[s.name]!.havuz!, results[s.name]!['pg-pool']!));
    lines.push(
      `- havuz >= pg-pool throughput with p99 no worse, at every concurrency: ${missed.length === 0 ? 'MET' : 'NOT MET'}` +
        (missed.length === 0 ? ` (${compared.length} scenarios)` : ` in ${missed.length} of ${compared.length}: ${missed.map((s) => s.name).join(', ')}`) +
        (noise.length > 0 ? `; of these, ${noise.length} within run-to-run noise (paired ratios on both sides of 1)` : ''),
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

/** The bar against a peer: at least its throughput, and a p99 no worse. */
function meets(havuz: Figures, peer: Figures): boolean {
  return havuz.qps >= peer.qps && havuz.p99Ms <= peer.p99Ms;
}

/** Every shortfall is one the side-by-side runs do not confirm: some run went each way. */
function indistinct(havuz: Figures, peer: Figures): boolean {
  const spans = (xs: number[], ys: number[]): boolean => {
    const r = xs.map((x, i) => x / ys[i]!);
    return Math.min(...r) <= 1 && Math.max(...r) >= 1;
  };
  const qpsOk = havuz.qps >= peer.qps || spans(havuz.qpsRuns, peer.qpsRuns);
  const p99Ok = havuz.p99Ms <= peer.p99Ms || spans(havuz.p99Runs, peer.p99Runs);
  return qpsOk && p99Ok;
}

/** MET or NOT MET by the figures as they are, with how much is missing and whether the runs confirm it. */
function verdict(havuz: Figures | undefined, peer: Figures | undefined): string {
  if (havuz === undefined || peer === undefined) return '-';
  if (meets(havuz, peer)) return 'MET';
  const what = [
    havuz.qps < peer.qps ? `qps -${((1 - havuz.qps / peer.qps) * 100).toFixed(0)}%` : '',
    havuz.p99Ms > peer.p99Ms ? `p99 +${((havuz.p99Ms / peer.p99Ms - 1) * 100).toFixed(0)}%` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `NOT MET (${what}${indistinct(havuz, peer) ? '; noise' : ''})`;
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
