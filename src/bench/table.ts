import type { BenchRun } from './result.js';
import { formatMs, formatRate, type RunStats } from './scenarios.js';

export type Align = 'left' | 'right';

/** A plain-text table with a header rule; numbers right-aligned so their digits line up. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => ((align?.[i] ?? (i === 0 ? 'left' : 'right')) === 'left' ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The terminal summary of a bench run: one titled table per scenario that ran. */
export function renderBenchTables(run: BenchRun): string {
  const out: string[] = [`Database: ${run.database.url}${run.database.embedded ? ' (throwaway embedded PostgreSQL)' : ''}`];
  if (run.database.version) out.push(`Server:   ${run.database.version}`);

  const pvn = run.poolVsNone;
  if (pvn) {
    out.push('', `Pool vs no pool (sequential, ${pvn.sql})`);
    out.push(
      renderTable(
        ['', 'queries', 'q/s', 'mean', 'p50', 'p99'],
        [row('pool (size 1)', pvn.pooled), row('no pool (connect per query)', pvn.unpooled)],
      ),
    );
    out.push(`Speedup: ${pvn.speedup.toFixed(1)}x with a pool`);
  }

  const load = run.load;
  if (load) {
    out.push('', `Load test (${load.workers} workers x ${Math.round(load.queries / load.workers)} queries, pool size ${load.poolSize}, ${load.sql})`);
    out.push(
      renderTable(
        ['q/s', 'mean', 'p50', 'p95', 'p99', 'max', 'busy conns', 'max waiting'],
        [[formatRate(load.qps), formatMs(load.latency.mean), formatMs(load.latency.p50), formatMs(load.latency.p95), formatMs(load.latency.p99), formatMs(load.latency.max), load.meanInUse.toFixed(1), String(load.maxPending)]],
        ['right'],
      ),
    );
  }

  const sweep = run.sweep;
  if (sweep) {
    out.push('', `Pool-size sweep (${sweep.workers} workers, ${sweep.sql})`);
    const knee = sweep.knee;
    out.push(
      renderTable(
        ['pool size', 'q/s', 'of max', 'p50', 'p95', 'p99', ''],
        sweep.steps.map((s) => [
          String(s.poolSize),
          formatRate(s.qps),
          knee ? `${Math.round((s.qps / knee.maxQps) * 100)}%` : '',
          formatMs(s.latency.p50),
          formatMs(s.latency.p95),
          formatMs(s.latency.p99),
          knee?.poolSize === s.poolSize ? '<- knee' : '',
        ]),
        ['right', 'right', 'right', 'right', 'right', 'right', 'left'],
      ),
    );
    if (knee) {
      out.push(
        `Knee: pool size ${knee.poolSize}, the smallest size reaching ${Math.round(knee.threshold * 100)}% of the best throughput ` +
          `(${formatRate(knee.maxQps)} q/s at size ${knee.maxAtPoolSize}).` +
          (knee.atLargest ? ' Still rising at the largest size tried: the true knee may be higher.' : ''),
      );
    }
  }
  return out.join('\n');
}

function row(name: string, s: RunStats): string[] {
  return [name, String(s.queries), formatRate(s.qps), formatMs(s.latency.mean), formatMs(s.latency.p50), formatMs(s.latency.p99)];
}
