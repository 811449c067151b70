import type { PoolOptions } from '../core/options.js';

/** The option names a preset sets: core names only, so `createEngine(url, { ...presets.x })` works. */
export type PresetOptions = Readonly<
  Required<Pick<PoolOptions, 'size' | 'maxOverflow' | 'acquireTimeoutMs' | 'idleTimeoutMs' | 'maxLifetimeMs' | 'prePing' | 'minIdle'>>
>;

export type PresetName = 'lowTraffic' | 'mediumTraffic' | 'highTraffic' | 'burstTraffic';

const MINUTE = 60_000;

/**
 * Named starting points, per app instance. Run `havuz advise` for figures from your own database
 * and load; these only encode the shape of each traffic pattern.
 */
export const presets: Readonly<Record<PresetName, PresetOptions>> = Object.freeze({
  /** Internal tools, cron jobs, admin back-ends: few connections, closed when idle, pinged since they sit idle long. */
  lowTraffic: Object.freeze({
    size: 2,
    maxOverflow: 3,
    minIdle: 0,
    acquireTimeoutMs: 10_000,
    idleTimeoutMs: 1 * MINUTE,
    maxLifetimeMs: 30 * MINUTE,
    prePing: true,
  }),
  /** A typical web service: a steady core, some overflow, a few warm connections. */
  mediumTraffic: Object.freeze({
    size: 10,
    maxOverflow: 5,
    minIdle: 2,
    acquireTimeoutMs: 5_000,
    idleTimeoutMs: 5 * MINUTE,
    maxLifetimeMs: 30 * MINUTE,
    prePing: true,
  }),
  /**
   * Sustained high load: connections stay busy, so keep them all warm and skip the ping (a busy
   * connection was used moments ago); fail fast rather than queue behind a saturated database.
   */
  highTraffic: Object.freeze({
    size: 20,
    maxOverflow: 10,
    minIdle: 10,
    acquireTimeoutMs: 2_000,
    idleTimeoutMs: 10 * MINUTE,
    maxLifetimeMs: 30 * MINUTE,
    prePing: false,
  }),
  /**
   * Spiky traffic (queues, webhooks, batch fan-out): a small steady pool, a large overflow that is
   * closed again as soon as it is returned, and short timeouts so a spike is shed, not queued.
   */
  burstTraffic: Object.freeze({
    size: 5,
    maxOverflow: 20,
    minIdle: 2,
    acquireTimeoutMs: 1_000,
    idleTimeoutMs: 30_000,
    maxLifetimeMs: 15 * MINUTE,
    prePing: true,
  }),
});

export const presetNames = Object.keys(presets) as PresetName[];
