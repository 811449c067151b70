import { InvalidOptionError } from '../core/errors.js';
import type { AcquireOptions, CloseOptions } from '../core/contract.js';
import type { Lease } from '../core/lease.js';
import { ownOptions, POOL_OPTION_NAMES, type PoolOptions } from '../core/options.js';
import { Pool } from '../core/pool.js';
import { StaticPool } from '../core/pools/static.js';
import type { PoolStatus } from '../core/stats.js';
import { redisFactory, type RedisClient } from '../drivers/redis/factory.js';
import { redactUrl } from '../engine/redact.js';
import type { MonitoredPool } from '../monitor/source.js';
import { sumStatus } from '../core/stats.js';

export interface RedisDatabaseOptions extends PoolOptions {
  /** Options for every ioredis connection (tls, username, db, ...); havuz still turns off reconnecting and the offline queue. */
  redis?: Record<string, unknown>;
}

/** The options that mean something for the one shared connection (sizing, pre-ping and reset do not). */
const SHARED_KEYS = [
  'acquireTimeoutMs', 'createTimeoutMs', 'validateTimeoutMs', 'createBackoffMs', 'createBackoffMaxMs', 'failFast', 'failFastAfterMs',
  'leakDetectionMs', 'housekeepingMs', 'logger', 'clock', 'random',
] as const;

/**
 * Redis as ioredis is meant to be used, and pooled where it must be: ordinary commands share one
 * multiplexed connection (`run`), while commands that hold a connection (BLPOP, WATCH/MULTI,
 * SUBSCRIBE) get a dedicated one from a pool (`withConnection`, `acquire`), pinged (PING) before
 * reuse. Both are havuz pools, so their status, events, metrics and health are the SQL pools'.
 * The shared pool is named like the database; the dedicated one `<name>:dedicated`.
 */
export class RedisDatabase<R extends RedisClient = RedisClient> {
  readonly kind = 'redis' as const;
  readonly name: string;
  /** The URL with its password redacted. */
  readonly url: string;
  /** The one multiplexed connection every ordinary command shares. */
  readonly shared: StaticPool<R>;
  /** Connections of their own, for blocking, transactional and subscribe commands. */
  readonly dedicated: Pool<R>;

  constructor(name: string, url: string, options: RedisDatabaseOptions = {}) {
    if (typeof url !== 'string' || !/^rediss?:\/\//i.test(url)) throw new InvalidOptionError('url', url === undefined ? url : redactUrl(String(url)), 'a redis:// or rediss:// URL');
    const given = Object.fromEntries(ownOptions('options', options, [...POOL_OPTION_NAMES, 'redis']));
    const { redis, ...poolOptions } = given as RedisDatabaseOptions;
    if (redis !== undefined && (typeof redis !== 'object' || redis === null)) throw new InvalidOptionError('redis', redis, 'an object of ioredis options');
    this.name = name;
    this.url = redactUrl(url);
    const factory = redisFactory<R>(redis === undefined ? url : { ...redis, ...connectionOf(url) });
    const shared: PoolOptions = { name };
    for (const key of SHARED_KEYS) if (poolOptions[key] !== undefined) (shared as Record<string, unknown>)[key] = poolOptions[key];
    this.shared = new StaticPool(factory, shared);
    this.dedicated = new Pool(factory, { size: 4, prePing: true, ...poolOptions, name: `${name}:dedicated` });
  }

  /** An ordinary command (GET, SET, INCR, pipelines) on the shared connection: `cache.run((redis) => redis.get(key))`. */
  run<V>(fn: (redis: R) => Promise<V> | V, options?: AcquireOptions): Promise<V> {
    return this.shared.use((redis) => fn(redis), options);
  }

  /** A connection of its own for the call (BLPOP, WATCH/MULTI/EXEC, SUBSCRIBE), returned to the pool after. */
  withConnection<V>(fn: (redis: R) => Promise<V> | V, options?: AcquireOptions): Promise<V> {
    return this.dedicated.use((redis) => fn(redis), options);
  }

  /** A dedicated connection to release yourself (`await using lease = await cache.acquire()`). */
  acquire(options?: AcquireOptions): Promise<Lease<R>> {
    return this.dedicated.acquire(options);
  }

  /** Both pools as one: what is open, in use and waiting, and the counters since the start. */
  status(): PoolStatus {
    return sumStatus(this.name, [this.shared.status(), this.dedicated.status()]);
  }

  /** Resolves once the shared connection is open (and the dedicated pool's minIdle); rejects with the connect error. */
  async ready(): Promise<void> {
    await Promise.all([this.shared.use(() => undefined), this.dedicated.ready()]);
  }

  /** The pools the monitor follows; the shared one is probed with a PING. */
  monitored(): MonitoredPool[] {
    const shared = this.shared;
    const view: MonitoredPool = {
      name: shared.name,
      options: shared.options,
      status: () => shared.status(),
      on: (event, listener) => shared.on(event, listener),
      probe: () => this.run((redis) => redis.ping()),
    };
    return [view, this.dedicated];
  }

  close(options?: CloseOptions): Promise<void> {
    return Promise.all([this.shared.close(options), this.dedicated.close(options)]).then(() => undefined);
  }
}

/** ioredis takes either a URL or options; with options given too, the URL's parts go in as options. */
function connectionOf(url: string): Record<string, unknown> {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
