/**
 * The pool-core benchmark: havuz side by side with tarn, generic-pool and pg-pool, and a floor.
 *
 *   npm run bench:core                      readable table with ratios (stdout)
 *   npm run -s bench:core -- --json         exactly one JSON object on stdout (-s: without npm's banner)
 *   options: --runs N (default 21), --scenario a,b, --library a,b, --budget SECONDS (per pair),
 *            --clock cpu|wall (default cpu)
 *
 * Progress and diagnostics go to stderr; with --json the table too. See bench/README.md for the method.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { clocks, type ClockName } from './lib/clock.js';
import { median, spread } from './lib/stats.js';
import { libraries, type Library } from './core/adapters.js';
import { renderReport, runsTogether, toJson, type Medians, type ReportMeta, type Spreads } from './core/report.js';
import { LibraryProcess } from './core/library-process.js';
import { runAll, type Samples } from './core/runner.js';
import { scenarios } from './core/scenarios.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '21' },
    scenario: { type: 'string' },
    library: { type: 'string' },
    budget: { type: 'string', default: '75' },
    clock: { type: 'string', default: 'cpu' },
  },
});

function pick<T>(all: readonly T[], key: (item: T) => string, wanted: string | undefined, what: string): T[] {
  if (wanted === undefined) return [...all];
  const names = wanted.split(',');
  const unknown = names.filter((n) => !all.some((item) => key(item) === n));
  if (unknown.length > 0) throw new Error(`unknown ${what}: ${unknown.join(', ')} (known: ${all.map(key).join(', ')})`);
  return all.filter((item) => names.includes(key(item)));
}

const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number >= 1, not ${values.runs}`);
const budgetSeconds = Number(values.budget);
if (!(budgetSeconds > 0)) throw new Error(`--budget must be a number of seconds > 0, not ${values.budget}`);

if (!(values.clock in clocks)) throw new Error(`--clock must be wall or cpu, not ${values.clock}`);

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const log = (line: string): void => void process.stderr.write(`${line}\n`);
log(`bench:core on node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore}`);

const chosen = pick(libraries, (l) => l, values.library, 'library');
const chosenScenarios = pick(scenarios, (s) => s.name, values.scenario, 'scenario');
const processes = new Map(chosen.map((library) => [library, new LibraryProcess(library, values.clock as ClockName)]));
let samples: Samples;
try {
  await Promise.all([...processes.values()].map((p) => p.ready()));
  samples = await runAll({
    scenarios: chosenScenarios,
    libraries: chosen,
    runs,
    pairBudgetMs: budgetSeconds * 1000,
    measure: (scenario, library) => processes.get(library)!.measure(scenario.name),
    progress: log,
  });
} finally {
  await Promise.all([...processes.values()].map((p) => p.stop()));
}
// performance.now() counts from process start: the figure includes starting the child processes.
const seconds = performance.now() / 1000;

const medians: Medians = {};
const spreads: Spreads = {};
const counts: ReportMeta['counts'] = {};
for (const [name, rates] of Object.entries(samples)) {
  medians[name] = {};
  spreads[name] = {};
  counts[name] = {};
  for (const [lib, list] of Object.entries(rates) as [Library, number[]][]) {
    medians[name][lib] = median(list);
    if (list.length > 1) spreads[name][lib] = spread(list);
    counts[name][lib] = list.length;
  }
}
const together = runsTogether(samples);
const meta: ReportMeta = { runs, counts, seconds, load: `${loadBefore} -> ${load()}`, spreads, together };
log(`done in ${seconds.toFixed(1)} s, load average ${meta.load}`);
const table = renderReport(medians, meta);
// With --json the table still goes to stderr, so one run gives both the figures and the ratios.
if (values.json) log(table);
process.stdout.write(`${values.json ? toJson(medians, spreads, together) : table}\n`);
