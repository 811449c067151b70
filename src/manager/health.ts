import { checkHealth, type HealthOptions, type HealthReport } from '../monitor/health.js';
import { worst, type HealthReason, type HealthStatus } from '../monitor/grade.js';
import type { MetricsRegistry } from '../monitor/registry.js';
import { kindOf, type ManagedDatabase } from './database.js';

export type ManagerHealthOptions = HealthOptions;

/** One database's health: the worst of its pools' (Redis has a shared and a dedicated pool). */
export interface DatabaseHealth {
  /** The database's name in the manager. */
  name: string;
  /** postgres, mysql, sqlite, redis or mongodb. */
  kind: string;
  /** Its URL, password redacted. */
  url: string;
  status: HealthStatus;
  /** Empty when healthy; prefixed with the pool's name where the database has several. */
  reasons: HealthReason[];
  pools: HealthReport[];
}

export interface ManagerHealth {
  /** The worst of the databases'. */
  status: HealthStatus;
  databases: DatabaseHealth[];
  /** One line for logs: `unhealthy: cache is unhealthy (the probe failed: connect ECONNREFUSED 127.0.0.1:6390)`. */
  summary: string;
}

/** Every pool of the manager checked at once (monitor's checkHealth), grouped by the database it serves. */
export async function managerHealth(
  registry: MetricsRegistry,
  databases: ReadonlyMap<string, ManagedDatabase>,
  owners: ReadonlyMap<string, string>,
  options: ManagerHealthOptions,
): Promise<ManagerHealth> {
  const reports = await Promise.all(
    [...owners.keys()].flatMap((pool) => {
      const collector = registry.get(pool);
      return collector === undefined ? [] : [checkHealth(collector, options)];
    }),
  );
  const out: DatabaseHealth[] = [];
  for (const [name, database] of databases) {
    const pools = reports.filter((r) => owners.get(r.name) === name);
    const reasons = pools.flatMap((p) => p.reasons.map((r) => (pools.length > 1 ? { ...r, message: `${p.name}: ${r.message}` } : r)));
    out.push({ name, kind: kindOf(database), url: database.url, status: worst(pools.map((p) => p.status)), reasons, pools });
  }
  const status = worst(out.map((d) => d.status));
  const faults = out.filter((d) => d.status !== 'healthy').map((d) => `${d.name} is ${d.status} (${d.reasons.map((r) => r.message).join('; ')})`);
  return { status, databases: out, summary: faults.length === 0 ? status : `${status}: ${faults.join(', ')}` };
}
