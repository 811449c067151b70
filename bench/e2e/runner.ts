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
  measure: (library: Library, request: MeasureRequest) => Promise<Measurement>;
  progress: (line: string) => void;
}

/** Everything measured for one library in one scenario: one entry per run. */
export interface Cell {
  qps: number[];
  cpuUsPerQuery: number[];
  latencies: Float64Array[];
  connections: (number | undefined)[];
  loopDelayP99Ms: number[];
}

export type Samples = Record<string, Partial<Record<Library, Cell>>>;

/** After no-pool's connect storm, PostgreSQL is still reaping its backends: let it settle. */
const SETTLE_AFTER_NO_POOL_MS = 300;

/**
 * `runs` passes over every scenario. Within a pass, each scenario is measured for each library in
 * turn, in an order rotated by one per run, so drift over the run (other work on this shared
 * machine) falls on every library alike. no-pool goes last and is followed by a pause: its
 * hundreds of connects and disconnects a second leave PostgreSQL reaping backends, and a plain
 * rotation of four libraries over three runs put havuz right after it in two runs of three.
 */
export async function runAll(plan: RunPlan): Promise<Samples> {
  const samples: Samples = {};
  const total = plan.runs * plan.scenarios.reduce((n, s) => n + forScenario(plan, s).length, 0);
  let done = 0;
  for (let run = 0; run < plan.runs; run++) {
    for (const scenario of plan.scenarios) {
      const cells: string[] = [];
      const chosen = forScenario(plan, scenario);
      const pooled = chosen.filter((library) => library !== 'no-pool');
      for (const library of [...rotate(pooled, run), ...chosen.filter((library) => library === 'no-pool')]) {
        const m = await plan.measure(library, {
          ...plan.client,
          url: plan.urls[scenario.database],
          database: scenario.database,
          sql: scenario.sql,
          concurrency: scenario.concurrency,
          warmupMs: plan.warmupMs,
          timedMs: plan.timedMs,
        });
        const cell = ((samples[scenario.name] ??= {})[library] ??= { qps: [], cpuUsPerQuery: [], latencies: [], connections: [], loopDelayP99Ms: [] });
        const qps = (m.queries * 1000) / m.timedMs;
        cell.qps.push(qps);
        cell.cpuUsPerQuery.push(m.cpuUsPerQuery);
        cell.latencies.push(m.latencies);
        cell.connections.push(m.connections);
        cell.loopDelayP99Ms.push(m.loopDelayP99Ms);
        const warm = m.warmupMs > 1.5 * plan.warmupMs ? ` (warm-up ${(m.warmupMs / 1000).toFixed(2)} s)` : '';
        cells.push(`${library} ${Math.round(qps)}${warm}`);
        done++;
        if (library === 'no-pool') await new Promise((resolve) => setTimeout(resolve, SETTLE_AFTER_NO_POOL_MS));
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
