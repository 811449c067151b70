/**
 * The child of `npm run bench:core:instr`, run under `valgrind --tool=callgrind
 * --dump-before=getrusage` (see instr.ts): one library, every requested scenario on a fresh pool.
 * argv: <library> <scenario,scenario> <warm-up ops> <measured ops>: whole rounds, at least one of
 * each, as many as reach those counts (queued-100000 serves 100,000 in its one round).
 *
 * Callgrind writes its counters to a new file each time getrusage() is entered, and the only
 * getrusage() call in here is `process.cpuUsage()` in `mark()`. So each interval between two
 * marks is one file, and the instruction count of a scenario's measured rounds is exactly the
 * interval that brackets them: node's start-up, tsx's compiling, the warm-up and the pool's
 * opening and closing fall into other intervals. The intervals, in order:
 *
 *   start-up | empty (mark, mark: the mark's own cost) | per scenario: warm-up | round | round ...
 *
 * The last line on stdout is JSON: per scenario, the acquires served in each measured round.
 */
import { collectGarbage } from '../lib/gc.js';
import { adapters, libraries, type BenchPool, type Library } from './adapters.js';
import { scenarios } from './scenarios.js';

const [library, names, warmArg, opsArg] = process.argv.slice(2) as [Library, string, string, string];
if (!libraries.includes(library) || names === undefined) throw new Error(`bad instr worker arguments: ${process.argv.slice(2).join(' ')}`);
const chosen = names.split(',').map((name) => {
  const scenario = scenarios.find((s) => s.name === name);
  if (scenario === undefined) throw new Error(`unknown scenario ${name}`);
  return scenario;
});
const warmOps = Number(warmArg);
const measuredOps = Number(opsArg);

/** The marker: callgrind dumps its counters on entry to getrusage(), which this calls. */
const mark = (): void => void process.cpuUsage();
/** No timing here: the rounds read a clock twice each, which costs nothing worth counting. */
const noClock = (): number => 0;

async function warm(pool: BenchPool, size: number): Promise<void> {
  const held = await Promise.all(Array.from({ length: size }, () => pool.acquire()));
  for (const handle of held) pool.release(handle);
}

const served: Record<string, number[]> = {};
mark();
mark(); // the empty interval: what one mark costs
for (const scenario of chosen) {
  const pool = adapters[library](scenario.config);
  await warm(pool, scenario.config.size);
  // A scenario out of the timed warm-up pass (queued-100000, 100,000 acquires a round) gets two
  // rounds: after one, its measured round still spent 8% of its instructions compiling.
  let warmed = 0;
  let warmRounds = 0;
  do {
    warmed += (await scenario.round(pool, noClock)).ops;
    warmRounds++;
  } while (scenario.warmup ? warmed < warmOps : warmRounds < 2);
  collectGarbage();
  // Each measured round is an interval of its own: the parent takes the median round, so a late
  // tier-up (compiled on this thread, with --single-threaded) cannot land in the figure.
  const rounds: number[] = [];
  let total = 0;
  do {
    mark();
    const { ops } = await scenario.round(pool, noClock);
    rounds.push(ops);
    total += ops;
  } while (total < measuredOps);
  mark();
  served[scenario.name] = rounds;
  await pool.close();
}
process.stdout.write(`${JSON.stringify(served)}\n`);
