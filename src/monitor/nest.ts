import { UnhealthyError } from '../core/errors.js';
import { checkAllHealth, type HealthOptions, type OverallHealth } from './health.js';
import { registryOf, type MetricsRegistry } from './registry.js';
import type { MonitorTarget } from './source.js';

/** @nestjs/terminus's HealthIndicatorResult: `{ [key]: { status: 'up' | 'down', ...details } }`. */
export type IndicatorResult = Record<string, { status: 'up' | 'down'; health: OverallHealth['status']; databases: OverallHealth['databases'] }>;

/**
 * The pools' health as a NestJS Terminus indicator, without depending on Nest: provide it and
 * call `isHealthy('database')` inside `health.check([...])`. Healthy and degraded answer `up` (a
 * degraded pool still serves; the details say why); unhealthy throws what Terminus recognises
 * as a failed check (`isHealthCheckError` with `causes`), so the endpoint answers 503.
 */
export class HavuzHealthIndicator {
  readonly #registry: MetricsRegistry;
  readonly #options: HealthOptions & { degradedIsDown?: boolean };

  constructor(target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>, options: HealthOptions & { degradedIsDown?: boolean } = {}) {
    this.#registry = registryOf(target);
    this.#options = options;
  }

  async isHealthy(key = 'database'): Promise<IndicatorResult> {
    const health = await checkAllHealth(this.#registry, this.#options);
    const down = health.status === 'unhealthy' || (health.status === 'degraded' && this.#options.degradedIsDown === true);
    const result: IndicatorResult = { [key]: { status: down ? 'down' : 'up', health: health.status, databases: health.databases } };
    if (!down) return result;
    const why = health.databases.flatMap((d) => d.reasons.map((r) => `${d.name}: ${r.message}`)).join('; ');
    throw new UnhealthyError(`${key} is ${health.status}: ${why}`, result);
  }
}
