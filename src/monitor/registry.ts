import { InvalidOptionError } from '../core/errors.js';
import { PoolCollector, type PoolMetrics } from './collector.js';
import { poolFamilies, type Family } from './families.js';
import { renderFamilies } from './prometheus.js';
import { sourceOf, type MonitorTarget } from './source.js';
import { topologyFamilies } from './topology.js';

/** Follows a registry's pools as they come and go (OpenTelemetry does, so a pool added later is exported too). */
export interface RegistryWatcher {
  add(collector: PoolCollector): void;
  remove(collector: PoolCollector): void;
}

/**
 * The pools and engines an app monitors, by pool name: one collector each, and everything the
 * exporters need (Prometheus text, prom-client, OpenTelemetry, health) read from here. Several
 * engines and bare pools mix freely; a manager of many databases keeps one of these.
 */
export class MetricsRegistry {
  readonly #collectors = new Map<string, PoolCollector>();
  readonly #watchers = new Set<RegistryWatcher>();
  readonly prefix: string;

  constructor(targets: Iterable<MonitorTarget> = [], options: { prefix?: string } = {}) {
    const prefix = options.prefix ?? 'havuz_';
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) throw new InvalidOptionError('prefix', prefix, 'a Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*)');
    this.prefix = prefix;
    for (const target of targets) this.add(target);
  }

  /**
   * Starts collecting a pool or engine. Adding the same one again returns its collector; another
   * pool under a name already taken is an error, since its series would mix with the first's.
   */
  add(target: MonitorTarget): PoolCollector {
    const { pool } = sourceOf(target);
    const existing = this.#collectors.get(pool.name);
    if (existing !== undefined) {
      if (existing.pool === pool) return existing;
      throw new InvalidOptionError('name', pool.name, 'a pool name not already in this registry (give each pool its own name option)');
    }
    const collector = new PoolCollector(target);
    this.#collectors.set(pool.name, collector);
    for (const w of this.#watchers) w.add(collector);
    return collector;
  }

  /** Stops collecting a pool or engine (by itself or its pool's name); false when it was not here. */
  remove(target: MonitorTarget | string): boolean {
    const name = typeof target === 'string' ? target : sourceOf(target).pool.name;
    const collector = this.#collectors.get(name);
    if (collector === undefined) return false;
    this.#collectors.delete(name);
    collector.stop();
    for (const w of this.#watchers) w.remove(collector);
    return true;
  }

  get(name: string): PoolCollector | undefined {
    return this.#collectors.get(name);
  }

  collectors(): PoolCollector[] {
    return [...this.#collectors.values()];
  }

  snapshot(): PoolMetrics[] {
    return this.collectors().map((c) => c.snapshot());
  }

  families(): Family[] {
    return [...poolFamilies(this.snapshot(), this.prefix), ...topologyFamilies(this.collectors(), this.prefix)];
  }

  /** Every pool in Prometheus's text format: serve it as it is, no prom-client needed. */
  prometheusText(): string {
    return renderFamilies(this.families());
  }

  /** Calls `watcher.add` for every pool now and each one added later; returns the unsubscribe. */
  watch(watcher: RegistryWatcher): () => void {
    this.#watchers.add(watcher);
    for (const c of this.#collectors.values()) watcher.add(c);
    return () => void this.#watchers.delete(watcher);
  }

  /** Detaches every collector (the pools stay open: they are the app's). */
  stop(): void {
    for (const name of [...this.#collectors.keys()]) this.remove(name);
  }
}

/** A registry from whatever a handler or exporter was given: a registry as it is, else one over the targets. */
export function registryOf(target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>): MetricsRegistry {
  if (target instanceof MetricsRegistry) return target;
  if (typeof (target as Iterable<MonitorTarget>)[Symbol.iterator] === 'function') return new MetricsRegistry(target as Iterable<MonitorTarget>);
  return new MetricsRegistry([target as MonitorTarget]);
}
