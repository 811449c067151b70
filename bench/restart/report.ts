import { outageConnectBudget, RESTART_TARGETS as TARGETS, type Outage, type RestartFigures } from '../../test/faults/support/restart-scenario.js';
import { formatRatio, median, renderTable } from '../lib/stats.js';
import type { Library } from './libraries.js';

/** Every run's figures, by outage and library, in run order. */
export type Samples = Partial<Record<Outage, Partial<Record<Library, RestartFigures[]>>>>;

const WHAT: Record<Outage, string> = {
  fast: 'pg_ctl restart -m fast',
  immediate: 'pg_ctl restart -m immediate',
  'stop-2s': 'pg_ctl stop -m fast, 2 s down, pg_ctl start',
};

type Figure = 'failed' | 'hangs' | 'maxLatencyMs' | 'recoveryMs' | 'connectsPerSecond';
const COLUMNS: readonly [Figure, string][] = [
  ['failed', 'failed'],
  ['hangs', 'hung'],
  ['maxLatencyMs', 'max wait ms'],
  ['recoveryMs', 'recovery ms'],
  ['connectsPerSecond', 'connects/s down'],
];

function values(runs: readonly RestartFigures[], figure: Figure): number[] {
  return runs.map((r) => r[figure]).filter((v): v is number => v !== undefined);
}

/** "12 [9-40]": the median of the runs, and their range when they differ. */
function cell(runs: readonly RestartFigures[], figure: Figure): string {
  const v = values(runs, figure);
  if (v.length === 0) return '-';
  const digits = figure === 'connectsPerSecond' ? 1 : 0;
  const fmt = (n: number): string => n.toFixed(digits);
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return fmt(median(v)) + (fmt(lo) === fmt(hi) ? '' : ` [${fmt(lo)}-${fmt(hi)}]`);
}

/** A peer's median over havuz's: above 1 means the peer has more of it (more failures, longer waits). */
function ratio(peer: readonly RestartFigures[], havuz: readonly RestartFigures[] | undefined, figure: Figure): string {
  if (havuz === undefined || figure === 'hangs') return '';
  const p = values(peer, figure);
  const h = values(havuz, figure);
  if (p.length === 0 || h.length === 0) return '';
  const [a, b] = [median(p), median(h)];
  if (b === 0) return a === 0 ? ' (=)' : ' (havuz 0)';
  return ` (${formatRatio(a / b)})`;
}

/** Failure kinds over all runs, most common first: "HAVUZ_CONNECTION_LOST 21, ECONNREFUSED 3". */
function kinds(runs: readonly RestartFigures[]): string {
  const total: Record<string, number> = {};
  for (const run of runs) for (const [kind, n] of Object.entries(run.failures)) total[kind] = (total[kind] ?? 0) + n;
  const list = Object.entries(total).sort((a, b) => b[1] - a[1]);
  return list.length === 0 ? 'none' : list.map(([kind, n]) => `${kind} ${n}`).join(', ');
}

export function renderReport(samples: Samples, libraries: readonly Library[], header: readonly string[]): string {
  const out: string[] = [...header, ''];
  for (const [outage, byLibrary] of Object.entries(samples) as [Outage, Partial<Record<Library, RestartFigures[]>>][]) {
    const all = Object.values(byLibrary).flat();
    const down = median(all.map((r) => r.outageMs));
    out.push(`${WHAT[outage]}: down ${down.toFixed(0)} ms (median, shutdown request to ready, from the server's log)`);
    const havuz = byLibrary.havuz;
    const rows: string[][] = [['library', ...COLUMNS.map(([, label]) => label), 'failures by kind (all runs)']];
    for (const library of libraries) {
      const runs = byLibrary[library];
      if (runs === undefined) continue;
      const peer = library === 'havuz' ? undefined : havuz;
      rows.push([library, ...COLUMNS.map(([figure]) => cell(runs, figure) + ratio(runs, peer, figure)), kinds(runs)]);
    }
    out.push(renderTable(rows), '');
    if (havuz !== undefined) out.push(...verdicts(havuz).map((line) => `  ${line}`), '');
  }
  out.push(
    'median [lowest-highest] of the runs; (Nx): the peer\'s median over havuz\'s.',
    'failed: requests that rejected; hung: not settled within the bound; max wait: the longest request, its wait for a',
    'connection included; recovery: server ready (its log) to the end of the first success after it; connects/s down:',
    'TCP connects started to the server during the outage, per second of it.',
  );
  return out.join('\n');
}

/** havuz's figures against the issue's targets, one line each. */
export function verdicts(runs: readonly RestartFigures[]): string[] {
  const lines: string[] = [];
  const check = (ok: boolean, text: string): void => void lines.push(`${ok ? 'ok  ' : 'MISS'} ${text}`);
  const extra = runs.flatMap((r) => Object.keys(r.failures).filter((k) => k !== 'HAVUZ_CONNECTION_LOST'));
  const over = runs.filter((r) => r.openAtShutdown === undefined || r.failed > r.openAtShutdown);
  check(extra.length === 0 && over.length === 0, `havuz fails only statements in flight: at most the open connections, all HAVUZ_CONNECTION_LOST${extra.length > 0 ? ` (also ${[...new Set(extra)].join(', ')})` : ''}`);
  check(runs.every((r) => r.hangs === 0), 'havuz: no hung request');
  const slow = values(runs, 'recoveryMs').filter((ms) => ms > TARGETS.recoveryMs);
  check(slow.length === 0 && runs.every((r) => r.recoveryMs !== undefined), `havuz serves again within ${TARGETS.recoveryMs} ms of the server being ready${slow.length > 0 ? ` (${slow.map((ms) => ms.toFixed(0)).join(', ')} ms)` : ''}`);
  const storms = runs.filter((r) => r.connects > outageConnectBudget(r.outageMs));
  check(storms.length === 0, `havuz connects at most ${TARGETS.connectsPerSecond} times per second of outage (+${TARGETS.connectBurst} at its start)${storms.length > 0 ? ` (${storms.map((r) => `${r.connects} in ${r.outageMs.toFixed(0)} ms`).join(', ')})` : ''}`);
  return lines;
}

export function toJson(samples: Samples): string {
  return JSON.stringify({ outages: samples });
}
