/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time per function, so a profile
 * can be read in a terminal:
 *
 *   node --import tsx bench/lib/cpuprofile.ts PROFILE.cpuprofile [--top 30] [--filter src/core]
 *
 * `--filter` keeps functions whose file contains the text; shares stay relative to the whole profile.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderTable } from './stats.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, filter: { type: 'string', default: '' } },
});
const [file] = positionals;
if (file === undefined) throw new Error('usage: cpuprofile.ts PROFILE.cpuprofile [--top N] [--filter TEXT]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMicros = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const dt = profile.timeDeltas[i] ?? 0;
  if (node === undefined) return;
  total += dt;
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  // Line and column: tsx emits each module on one line, so the column is what tells functions apart.
  const where = url === '' ? '' : `${url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${lineNumber + 1}:${columnNumber + 1}`;
  const key = `${functionName || '(anonymous)'}  ${where}`.trim();
  selfMicros.set(key, (selfMicros.get(key) ?? 0) + dt);
});

const rows = [...selfMicros]
  .filter(([key]) => key.includes(values.filter))
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(values.top))
  .map(([key, us]) => [key, `${(us / 1000).toFixed(0)} ms`, `${((100 * us) / total).toFixed(1)}%`]);
process.stdout.write(`${renderTable([['function (self time)', 'ms', 'share'], ...rows])}\n`);
