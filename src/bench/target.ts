/**
 * The one place the bench touches a database: everything else in src/bench and src/cli talks to a
 * BenchTarget, a thin view of the engine (query, status, close).
 */
import type { PoolOptions } from '../core/options.js';
import type { PoolStatus } from '../core/stats.js';
import { createEngine, type PoolClass } from '../engine/index.js';
import type { MonitorTarget } from '../monitor/source.js';

export { redactUrl } from '../engine/index.js';

export { dialectOfUrl as dialectOf, type Dialect } from '../drivers/schemes.js';
import type { Dialect } from '../drivers/schemes.js';

export interface QueryRows {
  rows: Record<string, unknown>[];
}

export interface BenchTarget {
  readonly dialect: Dialect;
  /** The URL with its password redacted: the only form that may be printed. */
  readonly url: string;
  query(sql: string): Promise<QueryRows>;
  status(): PoolStatus;
  close(): Promise<void>;
  /** The engine behind it, for a live dashboard to watch (`havuz bench --live`). */
  readonly monitored?: MonitorTarget;
}

/** The pool options the bench sets (core names), plus the engine's `poolClass`. */
export interface TargetOptions
  extends Pick<PoolOptions, 'size' | 'maxOverflow' | 'minIdle' | 'acquireTimeoutMs' | 'createTimeoutMs' | 'prePing' | 'maxConnecting'> {
  poolClass?: Extract<PoolClass, 'queue' | 'null' | 'static'>;
}

/** Opens nothing yet: the first query connects, so connect errors surface from `query`. */
export function makeTarget(url: string, options: TargetOptions = {}): BenchTarget {
  const engine = createEngine(url, { name: 'havuz-bench', ...options });
  return {
    dialect: engine.dialect,
    url: engine.url,
    query: (sql) => engine.query(sql),
    status: () => engine.status(),
    close: () => engine.close(),
    monitored: engine,
  };
}
