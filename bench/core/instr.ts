import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../lib/stats.js';
import type { Library } from './adapters.js';

const WORKER = fileURLToPath(new URL('./instr-worker.ts', import.meta.url));

export interface InstrPlan {
  library: Library;
  scenarios: readonly string[];
  /** Served acquires of warm-up before each scenario's measured rounds (whole rounds, at least one). */
  warmOps: number;
  /** Served acquires measured per scenario (whole rounds, at least one). */
  ops: number;
  valgrind: string;
  /** Node flags of the child, before `--import tsx`. */
  nodeFlags: readonly string[];
}

/** Instructions per served acquire, per scenario. */
export type InstrResult = Record<string, number>;

/**
 * Node flags of the child. `--single-threaded`: V8 compiles and collects on the main thread, so
 * when code is optimised depends only on what ran, not on how valgrind scheduled V8's helper
 * threads; two runs then agree to a fraction of a percent. The JIT stays on: --jitless would
 * count V8's interpreter, which is not what a pool costs in production.
 */
export const NODE_FLAGS = ['--single-threaded', '--expose-gc'] as const;

/**
 * Pairs left out unless asked for (`--all`): tarn and pg-pool take their next waiter with
 * `Array.prototype.shift()`, which copies the whole array at 100,000 waiters (README, "Reading
 * the output"): about 6 s natively for one queued-100000 round, and more than 10 minutes under
 * callgrind. Their timed figures there are 100x and more below generic-pool's, the cheapest peer.
 */
export const SLOW_UNDER_CALLGRIND: Readonly<Record<string, readonly Library[]>> = { 'queued-100000': ['tarn', 'pg-pool'] };

/** One library under callgrind (see instr-worker.ts): instructions per served acquire, per scenario. */
export async function countInstructions(plan: InstrPlan): Promise<InstrResult> {
  const dir = await mkdtemp(join(tmpdir(), 'havuz-instr-'));
  try {
    const out = join(dir, 'callgrind.out');
    const args = [
      '--tool=callgrind',
      '--dump-before=getrusage',
      `--callgrind-out-file=${out}`,
      '-q',
      process.execPath,
      ...plan.nodeFlags,
      '--import',
      'tsx',
      WORKER,
      plan.library,
      plan.scenarios.join(','),
      String(plan.warmOps),
      String(plan.ops),
    ];
    const stdout = await run(plan.valgrind, args);
    const served = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number[]>;
    return perAcquire(plan.library, plan.scenarios, served, await dumpTotals(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Instructions per acquire from the dumps' totals: the intervals are start-up, empty, then per
 * scenario its warm-up and one per measured round (instr-worker.ts). A scenario's figure is its
 * median round, less the empty interval, per acquire served in that round. Dumps before these
 * (another getrusage() call at start-up) are skipped; fewer than expected is an error.
 */
export function perAcquire(library: string, scenarios: readonly string[], served: Record<string, number[]>, totals: readonly number[]): InstrResult {
  const rounds = scenarios.map((name) => {
    const list = served[name];
    if (list === undefined || list.length === 0) throw new Error(`${library}: no served counts for ${name}`);
    return list;
  });
  const expected = 2 + rounds.reduce((sum, list) => sum + 1 + list.length, 0);
  if (totals.length < expected) throw new Error(`${library}: callgrind wrote ${totals.length} dumps, expected ${expected}`);
  const intervals = totals.slice(totals.length - expected);
  const empty = intervals[1]!;
  const result: InstrResult = {};
  let at = 2;
  scenarios.forEach((name, i) => {
    at++; // its warm-up
    const perRound = rounds[i]!.map((ops, r) => (intervals[at + r]! - empty) / ops);
    at += rounds[i]!.length;
    result[name] = median(perRound);
  });
  return result;
}

/** The `totals:` of each numbered dump (callgrind.out.1, .2, ...), in order; the final dump at exit is left out. */
export async function dumpTotals(dir: string): Promise<number[]> {
  const numbered = (await readdir(dir))
    .map((name) => /^callgrind\.out\.(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  return Promise.all(numbered.map(async (m) => parseTotals(await readFile(join(dir, m[0]), 'utf8'))));
}

/** The instruction count of one callgrind dump: its `totals:` line (the first event, Ir). */
export function parseTotals(text: string): number {
  const line = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
  if (line === null) throw new Error('a callgrind dump without totals');
  return Number(line[1]);
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}
