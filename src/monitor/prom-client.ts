import { InvalidOptionError } from '../core/errors.js';
import type { Family } from './families.js';
import { registryOf, type MetricsRegistry } from './registry.js';
import type { MonitorTarget } from './source.js';

/** The part of prom-client's `Registry` used here, typed structurally: havuz does not depend on prom-client. */
export interface PromClientRegistry {
  registerMetric(metric: any): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

/**
 * Registers havuz's metrics into a prom-client `Registry` (the one Fastify and Express apps already
 * serve). Values are read on each scrape from the same collectors as `prometheusText`, never
 * copied into prom-client's own counters, so nothing is counted twice; one metric per family
 * covers every pool. Returns the unregister.
 */
export function registerPromClient(promRegistry: PromClientRegistry, target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>): () => void {
  if (typeof promRegistry?.registerMetric !== 'function' || typeof promRegistry.getSingleMetric !== 'function') {
    throw new InvalidOptionError('registry', promRegistry, "a prom-client Registry (new Registry() or prom-client's register)");
  }
  const registry = registryOf(target);
  const initial = registry.families();
  const names = initial.map((f) => f.name);
  const taken = names.find((name) => promRegistry.getSingleMetric(name) !== undefined);
  if (taken !== undefined) throw new InvalidOptionError('registry', promRegistry, `a Registry without ${taken} (havuz's metrics are registered once per registry; use one MetricsRegistry for every pool)`);

  // prom-client asks every metric for its values in one synchronous pass per scrape: read the
  // pools once for that pass, not once per family.
  let cached: Map<string, Family> | undefined;
  const familyNamed = (name: string): Family | undefined => {
    if (cached === undefined) {
      cached = new Map(registry.families().map((f) => [f.name, f]));
      queueMicrotask(() => (cached = undefined));
    }
    return cached.get(name);
  };

  for (const first of initial) {
    const name = first.name;
    const metric = {
      name,
      help: first.help,
      type: first.type,
      aggregator: 'sum',
      get: async () => {
        const f = familyNamed(name) ?? { ...first, samples: [] };
        return {
          // prom-client renames counters for OpenMetrics (strips _total, adds it per sample) on this object.
          name: metric.name,
          help: f.help,
          type: f.type,
          aggregator: 'sum',
          values: f.samples.map((s) => ({ labels: s.labels, value: s.value, metricName: s.suffix === undefined ? undefined : name + s.suffix })),
        };
      },
      reset: () => undefined,
    };
    promRegistry.registerMetric(metric);
  }
  return () => {
    for (const name of names) promRegistry.removeSingleMetric(name);
  };
}
