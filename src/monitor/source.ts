import type { ConnectionPool } from '../core/pool.js';
import type { Engine } from '../engine/engine.js';

/**
 * What the monitor needs of a pool: its name, status, events and resolved options. Every havuz pool class is one,
 * and so is anything shaped like them (the manager's Redis and MongoDB pools), without a cast.
 */
export type MonitoredPool = Pick<ConnectionPool<any>, 'name' | 'status' | 'on' | 'options'> & {
  /** An end-to-end check the health probe runs (the manager's Redis and MongoDB: a PING); engines are probed with `SELECT 1` instead. */
  probe?(): Promise<unknown>;
};

/** What the monitor needs of an engine: its pool, statements (`on('query')`) and a checkout for the health probe. */
export type MonitoredEngine = Pick<Engine<any>, 'pool' | 'url' | 'dialect' | 'on' | 'connect'>;

/** A pool on its own, or an engine (which adds statement timings and an end-to-end health probe). */
export type MonitorTarget = MonitoredEngine | MonitoredPool;

export interface Source {
  pool: MonitoredPool;
  engine: MonitoredEngine | undefined;
}

export function sourceOf(target: MonitorTarget): Source {
  const maybeEngine = target as Partial<MonitoredEngine>;
  if (typeof maybeEngine.connect === 'function' && maybeEngine.pool !== undefined && typeof maybeEngine.url === 'string') {
    return { pool: maybeEngine.pool, engine: target as MonitoredEngine };
  }
  return { pool: target as MonitoredPool, engine: undefined };
}
