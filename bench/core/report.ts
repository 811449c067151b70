import { correlation, formatRate, mean, formatRatio, nsPerOp, renderTable, spread } from '../lib/stats.js';
import { libraries, peers, type Library } from './adapters.js';
import type { Samples } from './runner.js';
import { queueScenarios } from './scenarios.js';

/** Median ops/s per scenario and library: the figures both outputs are made of. */
export type Medians = Record<string, Partial<Record<Library, number>>>;
/** Run spread (max / min - 1 of the runs' ops/s) per scenario and library. */
export type Spreads = Record<string, Partial<Record<Library, number>>>;

export interface ReportMeta {
  runs: number;
  /** Runs per scenario and library, where a pair got fewer than `runs` (its wall-time budget). */
  counts: Record<string, Partial<Record<Library, number>>>;
  seconds: number;
  load: string;
  /** Run spread per scenario and library (only pairs with two runs or more). */
  spreads: Spreads;
  /** Per scenario, how much the libraries' runs moved together (runsTogether). */
  together: Record<string, number>;
}

/** The targets from the issue: havuz at least 2x the fastest peer, and flat within 30% over queue sizes. */
export const SPEEDUP_TARGET = 2;
export const FLATNESS_TARGET = 0.3;

/**
 * Per scenario, the mean correlation, over every two libraries, of their rates run by run (of the
 * logarithms, so a fast and a slow library weigh alike). Within one run the libraries are measured
 * a few seconds apart, so a machine whose speed moves over seconds shows as a positive figure: the
 * part of the runs' spread that is the machine's, not the pools'. Pairs cut short by their time
 * budget (fewer runs than the rest) are left out.
 */
export function runsTogether(samples: Samples): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, rates] of Object.entries(samples)) {
    const lists = Object.values(rates).filter((list) => list.length >= 3);
    const full = Math.max(0, ...lists.map((list) => list.length));
    const logs = lists.filter((list) => list.length === full).map((list) => list.map(Math.log));
    const pairs: number[] = [];
    for (let i = 0; i < logs.length; i++) for (let j = i + 1; j < logs.length; j++) pairs.push(correlation(logs[i]!, logs[j]!));
    const defined = pairs.filter((r) => !Number.isNaN(r));
    if (defined.length > 0) result[name] = mean(defined);
  }
  return result;
}

/** `--json`: exactly this object: median ops/s rounded to whole numbers, run spreads and correlations to three decimals. */
export function toJson(medians: Medians, spreads: Spreads = {}, together: Record<string, number> = {}): string {
  const round = <V>(table: Record<string, V>, digits: number): Record<string, V> =>
    Object.fromEntries(
      Object.entries(table).map(([key, v]) => [key, typeof v === 'number' ? Number(v.toFixed(digits)) : round(v as Record<string, number>, digits)]),
    ) as Record<string, V>;
  return JSON.stringify({ scenarios: round(medians, 0), spread: round(spreads, 3), together: round(together, 3) });
}

/** The peer with the highest (or, `lowest`, the lowest) figure in a scenario. */
export function bestPeer(values: Partial<Record<Library, number>>, lowest = false): { name: Library; value: number } | undefined {
  let best: { name: Library; value: number } | undefined;
  for (const name of peers) {
    const value = values[name];
    if (value !== undefined && (best === undefined || (lowest ? value < best.value : value > best.value))) best = { name, value };
  }
  return best;
}

/** The fastest peer in a scenario, by median ops/s. */
export function fastestPeer(rates: Partial<Record<Library, number>>): { name: Library; rate: number } | undefined {
  const best = bestPeer(rates);
  return best && { name: best.name, rate: best.value };
}

/** Figures per scenario and library: median ops/s, or instructions per acquire. */
type Figures = Record<string, Partial<Record<Library, number>>>;

/**
 * One row per scenario: each library's figure as `show` prints it, a peer's with its ratio to
 * havuz beside it, then the verdict: how many times better havuz is than the best peer (the
 * fastest, or with `lowerIsBetter` the cheapest), against the 2x target.
 */
export function scenarioRows(figures: Figures, present: readonly Library[], show: (value: number, lib: Library, scenario: string) => string, lowerIsBetter = false): string[][] {
  return Object.entries(figures).map(([name, values]) => {
    const havuz = values.havuz;
    const cells = present.map((lib) => {
      const value = values[lib];
      if (value === undefined) return '-';
      const shown = show(value, lib, name);
      return lib === 'havuz' || havuz === undefined ? shown : `${shown} (${formatRatio(value / havuz)})`;
    });
    const best = bestPeer(values, lowerIsBetter);
    if (havuz === undefined || best === undefined) return [name, ...cells, '-'];
    const speedup = lowerIsBetter ? best.value / havuz : havuz / best.value;
    return [name, ...cells, `${formatRatio(speedup)} vs ${best.name} ${speedup >= SPEEDUP_TARGET ? 'MET' : 'NOT MET'}`];
  });
}

/** The cost per served acquire (`cost` of each figure) across queue sizes, with its spread; the target is havuz flat within 30%. */
export function flatnessTable(figures: Figures, present: readonly Library[], title: string, cost: (value: number) => number, show: (cost: number) => string): string {
  const sizes = queueScenarios.filter((name) => figures[name] !== undefined);
  if (sizes.length < 2) return '';
  const rows = present.flatMap((lib) => {
    const values = sizes.map((name) => figures[name]?.[lib]);
    if (values.some((v) => v === undefined)) return [];
    const costs = (values as number[]).map(cost);
    const s = spread(costs);
    const verdict = lib === 'havuz' ? ` ${s <= FLATNESS_TARGET ? 'MET' : 'NOT MET'} (target <= ${FLATNESS_TARGET * 100}%)` : '';
    return [[lib, ...costs.map(show), `${(s * 100).toFixed(0)}%${verdict}`]];
  });
  return renderTable([[title, ...sizes, 'spread (max/min - 1)'], ...rows]);
}

export function renderReport(medians: Medians, meta: ReportMeta): string {
  const present = libraries.filter((lib) => Object.values(medians).some((rates) => rates[lib] !== undefined));
  const header = ['scenario (median ops/s)', ...present.map((lib) => (lib === 'havuz' ? lib : `${lib} (÷ havuz)`)), 'havuz ÷ fastest peer'];
  const rows = scenarioRows(medians, present, (rate, lib, name) => {
    const n = meta.counts[name]?.[lib];
    return formatRate(rate) + (n !== undefined && n < meta.runs ? ` n=${n}` : '');
  });
  return [
    `havuz core benchmark: median of ${meta.runs} runs, ${meta.seconds.toFixed(0)} s, load average ${meta.load}`,
    `(n=k: that pair had only k runs within its time budget; target havuz >= ${SPEEDUP_TARGET}x the fastest peer)`,
    '',
    renderTable([header, ...rows]),
    '',
    renderSpreads(meta.spreads, present),
    '',
    renderTogether(meta.together),
    '',
    flatnessTable(medians, present, 'ns per served acquire', nsPerOp, String),
  ].join('\n');
}

/** How far apart one library's runs were: the noise behind each median. */
function renderSpreads(spreads: Spreads, present: readonly Library[]): string {
  const rows = Object.entries(spreads).map(([name, values]) => [
    name,
    ...present.map((lib) => (values[lib] === undefined ? '-' : `${(values[lib] * 100).toFixed(0)}%`)),
  ]);
  return renderTable([['run spread (max/min - 1)', ...present], ...rows]);
}

/** The machine's share of the runs' spread (runsTogether): 0 when each library's runs vary on their own. */
function renderTogether(together: Record<string, number>): string {
  const rows = Object.entries(together).map(([name, r]) => [name, r.toFixed(2)]);
  if (rows.length === 0) return '';
  return [
    renderTable([['runs moving together (correlation)', 'r'], ...rows]),
    "(mean correlation between libraries of their rates run by run: how much of the spread is the machine's speed moving)",
  ].join('\n');
}
