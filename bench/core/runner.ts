import type { Library } from './adapters.js';
import type { Measurement } from './measure.js';
import type { Scenario } from './scenario.js';

/** Measures one library in one scenario; minMs overrides the scenario's own (the warm-up uses less). */
export type Measure = (scenario: Scenario, library: Library, minMs?: number) => Promise<Measurement>;

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
 * A warm-up pass (discarded), then `runs` passes over every scenario. Within a pass the
 * libraries take turns in an order rotated by one each run, so drift (thermal, other load on the
 * machine) falls on all of them alike instead of on whoever always goes last.
 */
export async function runAll(plan: RunPlan): Promise<Samples> {
  const { scenarios, libraries, runs, measure, progress } = plan;
  progress('warm-up');
  for (const scenario of scenarios.filter((s) => s.warmup)) {
    for (const library of libraries) await measure(scenario, library, scenario.minMs / 4);
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
