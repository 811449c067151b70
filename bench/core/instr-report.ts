import { formatRatio, renderTable, spread } from '../lib/stats.js';
import { libraries, type Library } from './adapters.js';
import { bestPeer, FLATNESS_TARGET, SPEEDUP_TARGET } from './report.js';
import { queueScenarios } from './scenarios.js';

/** Instructions per served acquire, per scenario and library. */
export type InstrTable = Record<string, Partial<Record<Library, number>>>;

/** `--json`: `{"instructions": {"<scenario>": {"<library>": n}}}`, whole instructions per acquire. */
export function instrJson(table: InstrTable): string {
  const instructions: InstrTable = {};
  for (const [name, counts] of Object.entries(table)) {
    instructions[name] = Object.fromEntries(Object.entries(counts).map(([lib, n]) => [lib, Math.round(n)]));
  }
  return JSON.stringify({ instructions });
}

/**
 * Instructions per served acquire; for the peers and the floor, `(3.10x)` is that library's
 * count divided by havuz's; the last column is the cheapest peer's count divided by havuz's, so
 * above 1 havuz does less work, and the speed target (2x) reads the same way as in the timed table.
 */
export function renderInstrReport(table: InstrTable, header: string): string {
  const present = libraries.filter((lib) => Object.values(table).some((counts) => counts[lib] !== undefined));
  const head = ['scenario (instructions per acquire)', ...present.map((lib) => (lib === 'havuz' ? lib : `${lib} (÷ havuz)`)), 'cheapest peer ÷ havuz'];
  const rows = Object.entries(table).map(([name, counts]) => {
    const havuz = counts.havuz;
    const cells = present.map((lib) => {
      const n = counts[lib];
      if (n === undefined) return '-';
      const shown = Math.round(n).toLocaleString('en-US');
      return lib === 'havuz' || havuz === undefined ? shown : `${shown} (${formatRatio(n / havuz)})`;
    });
    const best = bestPeer(counts, true);
    const verdict =
      havuz === undefined || best === undefined
        ? '-'
        : `${formatRatio(best.value / havuz)} vs ${best.name} ${best.value / havuz >= SPEEDUP_TARGET ? 'MET' : 'NOT MET'}`;
    return [name, ...cells, verdict];
  });
  return [header, '', renderTable([head, ...rows]), '', renderInstrFlatness(table, present)].join('\n');
}

/** Instructions per served acquire across queue sizes, with the spread; the floor's growth is V8's own. */
function renderInstrFlatness(table: InstrTable, present: readonly Library[]): string {
  const sizes = queueScenarios.filter((name) => table[name] !== undefined);
  if (sizes.length < 2) return '';
  const head = ['instructions per served acquire', ...sizes, 'spread (max/min - 1)'];
  const rows = present.flatMap((lib) => {
    const counts = sizes.map((name) => table[name]?.[lib]);
    if (counts.some((n) => n === undefined)) return [];
    const s = spread(counts as number[]);
    const verdict = lib === 'havuz' ? ` ${s <= FLATNESS_TARGET ? 'MET' : 'NOT MET'} (target <= ${FLATNESS_TARGET * 100}%)` : '';
    return [[lib, ...(counts as number[]).map((n) => Math.round(n).toLocaleString('en-US')), `${(s * 100).toFixed(0)}%${verdict}`]];
  });
  return renderTable([head, ...rows]);
}
