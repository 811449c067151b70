import type { Engine } from '../engine/engine.js';
import { TopologyEngine } from '../engine/topology/topology-engine.js';
import { PoolCollector } from './collector.js';
import { Lines } from './prometheus.js';

/**
 * One collector per host of a topology engine: each host's pool is labelled `name@host:port` in
 * every metric, so waits, holds and connects show per host. Stop them with `collector.stop()`.
 */
export function hostCollectors(engine: TopologyEngine): PoolCollector[] {
  return engine.hosts.map((host) => new PoolCollector(host.engine.pool));
}

/**
 * Each topology engine's hosts in Prometheus's text format: whether each is up, its role (one
 * series per host, labelled with the role it has now) and a replica's lag. Engines with one host
 * add nothing. Labels carry the engine's name and `host:port` only: never a URL or a password.
 */
export function topologyPrometheusText(engines: Iterable<Engine>): string {
  const statuses = [...engines].filter((e): e is TopologyEngine => e instanceof TopologyEngine).map((e) => e.status());
  if (statuses.length === 0) return '';
  const out = new Lines();
  out.family('havuz_host_up', 'gauge', 'Whether the host answered its last check (1) or is down (0).', (emit) => {
    for (const s of statuses) for (const h of s.hosts) if (h.role !== 'unknown') emit({ pool: s.name, host: h.host }, h.role === 'down' ? 0 : 1);
  });
  out.family('havuz_host_role', 'gauge', 'The role each host has now (primary, replica, down, unknown): 1 for that role.', (emit) => {
    for (const s of statuses) for (const h of s.hosts) emit({ pool: s.name, host: h.host, role: h.role }, 1);
  });
  out.family('havuz_host_replica_lag_seconds', 'gauge', "A replica's lag behind its primary, as last measured.", (emit) => {
    for (const s of statuses) for (const h of s.hosts) if (h.role === 'replica' && h.lagMs !== undefined) emit({ pool: s.name, host: h.host }, h.lagMs / 1000);
  });
  return out.toString();
}
