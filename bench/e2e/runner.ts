import type { ClientConfig } from './libraries.js';
import type { Measurement, MeasureRequest } from './measure.js';
import { librariesOf, type Library, type Scenario } from './scenarios.js';

export interface RunPlan {
  scenarios: readonly Scenario[];
  /** The libraries chosen; each scenario runs those of them that speak to its database. */
  libraries: readonly Library[];
  runs: number;
  warmupMs: number;
  timedMs: number;
  urls: Record<Scenario['database'], string>;
  client: Omit<ClientConfig, 'url'>;
  measure: (library: Library, request: Omit<MeasureRequest, 'id'>) => Promise<Measurement>;
  progress: (line: string) => void;
}

/** Everything measured for one library in one scenario: one entry per run. */
export interface Cell {
  qps: number[];
  cpuUsPerQuery: number[];
  latencies: Float64Array[];
  connections: (number | undefined)[];
}

export type Samples = Record<string, Partial<Record<Library, Cell>>>;

/**
 * `runs` passes over every scenario. Within a pass, each scenario is measured for each library in
 * turn, in an order rotated by one per run, so drift over the run (other work on this shared
 * machine) falls on every library alike and no library always follows the same one.
 */
export async function runAll(plan: RunPlan): Promise<Samples> {
  const samples: Samples = {};
  const total = plan.runs * plan.scenarios.reduce((n, s) => n + forScenario(plan, s).length, 0);
  let done = 0;
  for (let run = 0; run < plan.runs; run++) {
    for (const scenario of plan.scenarios) {
      const cells: string[] = [];
      for (const library of rotate(forScenario(plan, scenario), run)) {
        const m = await plan.measure(library, {
          ...plan.client,
          url: plan.urls[scenario.database],
          database: scenario.database,
          sql: scenario.sql,
          concurrency: scenario.concurrency,
          warmupMs: plan.warmupMs,
          timedMs: plan.timedMs,
        });
        const cell = ((samples[scenario.name] ??= {})[library] ??= { qps: [], cpuUsPerQuery: [], latencies: [], connections: [] });
        const qps = (m.queries * 1000) / m.timedMs;
        cell.qps.push(qps);
        cell.cpuUsPerQuery.push(m.cpuUsPerQuery);
        cell.latencies.push(m.latencies);
        cell.connections.push(m.connections);
        const warm = m.warmupMs > 1.5 * plan.warmupMs ? ` (warm-up ${(m.warmupMs / 1000).toFixed(2)} s)` : '';
        cells.push(`${library} ${Math.round(qps)}${warm}`);
        done++;
      }
      plan.progress(`[${done}/${total}] run ${run + 1}/${plan.runs} ${scenario.name}: ${cells.join(', ')} qps`);
    }
  }
  return samples;
}

function forScenario(plan: RunPlan, scenario: Scenario): Library[] {
  return librariesOf[scenario.database].filter((library) => plan.libraries.includes(library));
}

function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}
