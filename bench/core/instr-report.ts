import { renderTable } from '../lib/stats.js';
import { libraries, type Library } from './adapters.js';
import { flatnessTable, scenarioRows } from './report.js';

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
  const rows = scenarioRows(table, present, (n) => Math.round(n).toLocaleString('en-US'), true);
  const flatness = flatnessTable(table, present, 'instructions per served acquire', (n) => n, (n) => Math.round(n).toLocaleString('en-US'));
  return [header, '', renderTable([head, ...rows]), '', flatness].join('\n');
}
