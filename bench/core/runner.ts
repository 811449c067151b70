import type { Library } from './adapters.js';
import type { Measurement } from './measure.js';
import type { Scenario } from './scenario.js';

/** Measures one library in one scenario. */
export type Measure = (scenario: Scenario, library: Library) => Promise<Measurement>;

export interface RunPlan {
  scenarios: readonly Scenario[];
  libraries: readonly Library[];
  runs: number;
  /**
   * Wall-time cap per (scenario, library) pair over all runs. A pair is measured again only while
   * its time so far plus one more average run fits; a pair that slow gets fewer runs (at least one).
   */
  pairBudgetMs: number;
  measure: Measure;
  progress: (line: string) => void;
}

/** Rates (ops/s) per scenario and library, one per run that measured the pair. */
export type Samples = Record<string, Partial<Record<Library, number[]>>>;

/**
 * Every measurement opens a fresh pool, and V8 first specialises optimised code to that pool's
 * objects, then throws the code away when the pool is collected. It settles on code that no
 * longer depends on one pool after a few pools; with a single short warm-up pass, havuz's first
 * one or two measured runs were still up to 2x slower than its later ones. Hence two full passes.
 */
const WARMUP_PASSES = 2;

/**
 * Warm-up passes (discarded), then `runs` passes over every scenario. Within a pass the
 * libraries take turns in an order rotated by one each run, so drift (thermal, other load on the
 * machine) falls on all of them alike instead of on whoever always goes last.
 */
export async function runAll(plan: RunPlan): Promise<Samples> {
  const { scenarios, libraries, runs, measure, progress } = plan;
  for (let pass = 1; pass <= WARMUP_PASSES; pass++) {
    progress(`warm-up ${pass}/${WARMUP_PASSES}`);
    for (const scenario of scenarios.filter((s) => s.warmup)) {
      for (const library of libraries) await measure(scenario, library);
    }
  }
  const samples: Samples = {};
  const spent = new Map<string, number>();
  for (let run = 0; run < runs; run++) {
    const order = rotate(libraries, run);
    for (const scenario of scenarios) {
      const rates = (samples[scenario.name] ??= {});
      const cells: string[] = [];
      for (const library of order) {
        const done = (rates[library] ??= []);
        const key = `${scenario.name}/${library}`;
        const ms = spent.get(key) ?? 0;
        if (done.length > 0 && ms + ms / done.length > plan.pairBudgetMs) continue;
        const m = await measure(scenario, library);
        done.push(m.rate);
        spent.set(key, ms + m.wallMs);
        cells.push(`${library} ${Math.round(m.rate)}`);
      }
      progress(`run ${run + 1}/${runs} ${scenario.name}: ${cells.join(', ')}`);
    }
  }
  return samples;
}

function rotate<T>(list: readonly T[], by: number): T[] {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}
