import { EventEmitter } from 'node:events';
import type { PgClient } from '../drivers/postgres/dialect.js';
import { pgConnectOptions } from '../drivers/postgres/config.js';
import { pgModuleSync } from '../drivers/postgres/pg-module.js';
import type { Engine } from '../engine/engine.js';
import { connectConfig } from '../engine/internal.js';
import { guardOptions } from './pg-config.js';

/*
 * What makes a PgPool look like a pg.Pool from outside, where code inspects it rather than calls
 * it: `pool.options` for a pool built from havuz's side and `instanceof pg.Pool`.
 */

export function optionsOfEngine(engine: Engine<PgClient>): Record<string, unknown> {
  const options = pgConnectOptions(engine[connectConfig]());
  const pool = engine.pool.options;
  Object.assign(options, {
    max: pool.max,
    min: pool.minIdle,
    idleTimeoutMillis: pool.idleTimeoutMs,
    connectionTimeoutMillis: pool.acquireTimeoutMs === Infinity ? 0 : pool.acquireTimeoutMs,
    maxUses: pool.maxUses || Infinity,
    maxLifetimeSeconds: pool.maxLifetimeMs / 1000,
    allowExitOnIdle: false,
  });
  guardOptions(options);
  return options;
}

let inherited = false;

/**
 * Makes `pool instanceof pg.Pool` hold, as code that takes a pg.Pool checks it (Prisma's
 * adapter-pg treats anything else as a config and builds its own pg.Pool): PgPool's prototype
 * chain runs through pg.Pool's to EventEmitter. PgPool overrides every method and field pg.Pool
 * documents; only pg-pool's private helpers stay reachable, unused. Done once, when the first
 * PgPool is built (pg is loaded by then), so importing havuz/compat needs no pg.
 */
export function inheritPgPool(PgPoolClass: abstract new (...args: never[]) => unknown): void {
  if (inherited) return;
  inherited = true;
  let Pool: unknown;
  try {
    Pool = pgModuleSync().Pool;
  } catch {
    return; // no pg: nothing to be an instance of, and a PgPool without a Client class fails at its first connect
  }
  if (typeof Pool === 'function' && Pool.prototype instanceof EventEmitter) {
    Object.setPrototypeOf(PgPoolClass.prototype, Pool.prototype);
  }
}

