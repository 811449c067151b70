/**
 * The pool-core benchmark counted in instructions instead of seconds: every library and scenario
 * of bench:core, each library in its own node under `valgrind --tool=callgrind`, reporting
 * instructions per served acquire. Noise-free on a shared machine: the other programs on it
 * change how long an acquire takes, not how many instructions it executes.
 *
 *   npm run bench:core:instr                 table on stdout, progress on stderr
 *   npm run -s bench:core:instr -- --json    exactly one JSON object on stdout
 *   options: --scenario a,b, --library a,b, --ops N (measured acquires per scenario, default 100000),
 *            --warm-ops N (default 200000), --jobs N (libraries at once, default 1), --valgrind PATH,
 *            --all (also the pairs that take more than 10 minutes under callgrind: SLOW_UNDER_CALLGRIND)
 *
 * See bench/README.md ("Instruction counts") for the method.
 */
import { parseArgs } from 'node:util';
import { libraries } from './core/adapters.js';
import { countInstructions, NODE_FLAGS, SLOW_UNDER_CALLGRIND } from './core/instr.js';
import { instrJson, renderInstrReport, type InstrTable } from './core/instr-report.js';
import { scenarios } from './core/scenarios.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    library: { type: 'string' },
    ops: { type: 'string', default: '100000' },
    'warm-ops': { type: 'string', default: '200000' },
    jobs: { type: 'string', default: '1' },
    all: { type: 'boolean', default: false },
    valgrind: { type: 'string', default: 'valgrind' },
  },
});

function pick(all: readonly string[], wanted: string | undefined, what: string): string[] {
  if (wanted === undefined) return [...all];
  const names = wanted.split(',');
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new Error(`unknown ${what}: ${unknown.join(', ')} (known: ${all.join(', ')})`);
  return all.filter((n) => names.includes(n));
}

function whole(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, not ${value}`);
  return n;
}

const ops = whole('ops', values.ops, 1);
const warmOps = whole('warm-ops', values['warm-ops'], 0);
const jobs = whole('jobs', values.jobs, 1);
const chosenLibraries = pick(libraries, values.library, 'library') as (typeof libraries)[number][];
const chosenScenarios = pick(
  scenarios.map((s) => s.name),
  values.scenario,
  'scenario',
);
const log = (line: string): void => void process.stderr.write(`${line}\n`);
log(`bench:core:instr on node ${process.version}: ${chosenLibraries.length} libraries under callgrind, ${jobs} at a time`);

const table: InstrTable = Object.fromEntries(chosenScenarios.map((name) => [name, {}]));
const queue = [...chosenLibraries];
const started = performance.now();
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let library = queue.shift(); library !== undefined; library = queue.shift()) {
      const mine = chosenScenarios.filter((name) => values.all || !SLOW_UNDER_CALLGRIND[name]?.includes(library));
      if (mine.length === 0) continue;
      const result = await countInstructions({ library, scenarios: mine, warmOps, ops, valgrind: values.valgrind, nodeFlags: NODE_FLAGS });
      for (const [name, count] of Object.entries(result)) table[name]![library] = count;
      log(`${library}: ${Object.entries(result).map(([name, n]) => `${name} ${Math.round(n)}`).join(', ')} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  }),
);
const header =
  `havuz core benchmark, instructions per served acquire under callgrind (node ${NODE_FLAGS.join(' ')}), ` +
  `${ops} measured after ${warmOps} warm-up acquires per scenario; target havuz >= 2x cheaper than the cheapest peer`;
const skipped = values.all
  ? []
  : Object.entries(SLOW_UNDER_CALLGRIND).flatMap(([name, libs]) => (chosenScenarios.includes(name) ? libs.filter((l) => chosenLibraries.includes(l)).map((l) => `${l} ${name}`) : []));
const note = skipped.length === 0 ? '' : `\n(not counted, over 10 minutes under callgrind each: ${skipped.join(', ')}; --all counts them)`;
const report = renderInstrReport(table, header + note);
if (values.json) log(report);
process.stdout.write(`${values.json ? instrJson(table) : report}\n`);
