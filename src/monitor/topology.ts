import { TopologyEngine } from '../engine/topology/topology-engine.js';
import { PoolCollector } from './collector.js';
import type { Family, Sample } from './families.js';

/**
 * One collector per host of a topology engine: each host's pool is labelled `name@host:port` in
 * every metric, so waits, holds and connects show per host (the engine's own collector adds them
 * up). Or add `engine.hosts[i].engine` to a MetricsRegistry. Stop them with `collector.stop()`.
 */
export function hostCollectors(engine: TopologyEngine): PoolCollector[] {
  return engine.hosts.map((host) => new PoolCollector(host.engine));
}

/**
 * The hosts of every topology engine among the collectors, as metric families: whether each host
 * is up, its role (one series per host, labelled with the role it has now) and a replica's lag.
 * Labels carry the engine's name and `host:port` only: never a URL or a password.
 */
export function topologyFamilies(collectors: readonly PoolCollector[], prefix = 'havuz_'): Family[] {
  const statuses = collectors.flatMap((c) => (c.engine instanceof TopologyEngine ? [c.engine.status()] : []));
  if (statuses.length === 0) return [];
  const family = (name: string, help: string, fill: (push: (labels: Record<string, string>, value: number) => void) => void): Family => {
    const samples: Sample[] = [];
    fill((labels, value) => samples.push({ labels, value }));
    return { name: prefix + name, type: 'gauge', help, samples };
  };
  return [
    family('host_up', 'Whether the host answered its last check (1) or is down (0).', (push) => {
      for (const s of statuses) for (const h of s.hosts) if (h.role !== 'unknown') push({ pool: s.name, host: h.host }, h.role === 'down' ? 0 : 1);
    }),
    family('host_role', 'The role each host has now (primary, replica, down, unknown): 1 for that role.', (push) => {
      for (const s of statuses) for (const h of s.hosts) push({ pool: s.name, host: h.host, role: h.role }, 1);
    }),
    family('host_replica_lag_seconds', "A replica's lag behind its primary, as last measured.", (push) => {
      for (const s of statuses) for (const h of s.hosts) if (h.role === 'replica' && h.lagMs !== undefined) push({ pool: s.name, host: h.host }, h.lagMs / 1000);
    }),
  ];
}
