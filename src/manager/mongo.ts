import { checkCloseOptions, type CloseOptions } from '../core/contract.js';
import { CreateFailedError, InvalidOptionError, PoolClosedError } from '../core/errors.js';
import { ownOptions, resolvePoolOptions, type PoolOptions } from '../core/options.js';
import type { PoolStatus } from '../core/stats.js';
import { loadPackage } from '../drivers/dialect.js';
import { exportOf } from '../drivers/interop.js';
import { connectMongo } from '../drivers/mongodb/connect.js';
import type { MongoClientLike } from '../drivers/mongodb/factory.js';
import { redactUrl } from '../engine/redact.js';
import type { MonitoredPool } from '../monitor/source.js';
import { CMAP_EVENTS, CmapPool, type CmapEvent } from './cmap.js';

/** The havuz pool options the MongoDB driver's own pool honours, by their driver names. */
const DRIVER_NAMES = {
  size: 'maxPoolSize',
  minIdle: 'minPoolSize',
  maxConnecting: 'maxConnecting',
  acquireTimeoutMs: 'waitQueueTimeoutMS',
  idleTimeoutMs: 'maxIdleTimeMS',
  createTimeoutMs: 'connectTimeoutMS',
} as const;

export interface MongoDatabaseOptions extends Pick<PoolOptions, keyof typeof DRIVER_NAMES | 'logger'> {
  /** Any other MongoClient option (tls, auth, appName, ...). The pool options are set through havuz's names above. */
  driver?: Record<string, unknown>;
}

type MongoClientClass = new (url: string, options: Record<string, unknown>) => MongoClientLike;

/**
 * MongoDB through the official driver, which pools by itself (one pool per server, monitored and
 * reconnected by the driver): havuz sets that pool's options from its own (size → maxPoolSize,
 * minIdle → minPoolSize, maxConnecting, acquireTimeoutMs → waitQueueTimeoutMS, idleTimeoutMs →
 * maxIdleTimeMS, createTimeoutMs → connectTimeoutMS and serverSelectionTimeoutMS), follows it
 * through its CMAP events (`pool`: the same status, events, metrics and health as a havuz pool),
 * and closes it with the rest.
 *
 * A server that cannot be reached fails the connect with the real cause (ECONNREFUSED, a DNS
 * error) as soon as every known server has failed its first check (connectMongo), instead of
 * after the server selection timeout.
 */
export class MongoDatabase<C extends MongoClientLike = MongoClientLike> {
  readonly kind = 'mongodb' as const;
  readonly name: string;
  /** The URL with its password redacted. */
  readonly url: string;
  /** The driver's pool as havuz sees it. */
  readonly pool: CmapPool;
  readonly #url: string;
  readonly #driverOptions: Record<string, unknown>;
  #client: Promise<C> | undefined;
  #closing: Promise<void> | undefined;

  constructor(name: string, url: string, options: MongoDatabaseOptions = {}) {
    if (typeof url !== 'string' || !/^mongodb(\+srv)?:\/\//i.test(url)) {
      throw new InvalidOptionError('url', url === undefined ? url : redactUrl(String(url)), 'a mongodb:// or mongodb+srv:// URL');
    }
    const given = Object.fromEntries(ownOptions('options', options, [...Object.keys(DRIVER_NAMES), 'logger', 'driver'])) as MongoDatabaseOptions;
    const { driver = {}, ...poolOptions } = given;
    if (typeof driver !== 'object' || driver === null) throw new InvalidOptionError('driver', driver, 'an object of MongoClient options');
    for (const [ours, theirs] of Object.entries(DRIVER_NAMES)) {
      if (theirs in driver) throw new InvalidOptionError(`driver.${theirs}`, driver[theirs], `not set here: havuz sets it from its own option ${ours}`);
    }
    // No lifetime: the driver has no such limit, and the status must not claim one.
    const resolved = resolvePoolOptions({ ...poolOptions, name, maxLifetimeMs: 0 });
    this.name = name;
    this.url = redactUrl(url);
    this.#url = url;
    this.pool = new CmapPool(name, resolved);
    const never = (ms: number) => (ms === Infinity ? 0 : ms);
    this.#driverOptions = {
      ...driver,
      maxPoolSize: resolved.size,
      minPoolSize: resolved.minIdle,
      maxConnecting: resolved.maxConnecting,
      waitQueueTimeoutMS: never(resolved.acquireTimeoutMs),
      maxIdleTimeMS: never(resolved.idleTimeoutMs),
      connectTimeoutMS: resolved.createTimeoutMs,
      serverSelectionTimeoutMS: resolved.createTimeoutMs,
    };
  }

  /** The MongoClient, connected (once; a failed connect is retried by the next call). */
  connect(): Promise<C> {
    if (this.#closing !== undefined) return Promise.reject(new PoolClosedError(this.name));
    if (this.#client === undefined) {
      const opening = this.#open();
      this.#client = opening;
      opening.catch(() => {
        if (this.#client === opening) this.#client = undefined;
      });
    }
    return this.#client;
  }

  /** A database of the connected client: `(await logs.db()).collection('events').insertOne(...)`. */
  async db(name?: string): Promise<ReturnType<C['db']>> {
    return (await this.connect()).db(name) as ReturnType<C['db']>;
  }

  status(): PoolStatus {
    return this.pool.status();
  }

  /** Resolves once connected and minIdle connections are open; rejects with the connect error. */
  async ready(): Promise<void> {
    await this.connect();
    const minIdle = this.pool.options.minIdle;
    const failed = this.pool.status().counters.createErrors;
    const opened = await this.pool.until(() => this.pool.status().size >= minIdle || this.pool.status().counters.createErrors > failed, this.pool.options.createTimeoutMs);
    if (!opened || this.pool.status().size < minIdle) throw new CreateFailedError(this.name, new Error(`fewer than minIdle (${minIdle}) connections opened`));
  }

  /** The pool the monitor follows, probed with a `ping` command. */
  monitored(): MonitoredPool[] {
    const pool = this.pool;
    return [
      {
        name: pool.name,
        options: pool.options,
        status: () => pool.status(),
        on: (event, listener) => pool.on(event, listener),
        probe: async () => (await this.connect()).db('admin').command({ ping: 1 }),
      },
    ];
  }

  /**
   * Closes the client once nothing is checked out or waiting (the driver's pool has no drain of
   * its own, so both forms wait for that up to `timeoutMs`), then whatever is left. New calls to
   * connect() and db() fail at once.
   */
  close(options?: CloseOptions): Promise<void> {
    let timeoutMs: number;
    try {
      ({ timeoutMs } = checkCloseOptions(options));
    } catch (error) {
      return Promise.reject(error);
    }
    this.#closing ??= (async () => {
      this.pool.closed = true;
      const client = await this.#client?.catch(() => undefined);
      if (client === undefined) return;
      await this.pool.until(() => this.pool.status().inUse === 0 && this.pool.status().pending === 0, timeoutMs);
      await client.close();
    })();
    return this.#closing;
  }

  async #open(): Promise<C> {
    const MongoClient = exportOf<MongoClientClass>(await loadPackage('mongodb', 'mongodb'), 'MongoClient');
    const client = new MongoClient(this.#url, this.#driverOptions) as C;
    for (const event of CMAP_EVENTS) client.on(event, (e) => this.pool.observe(event, e as CmapEvent));
    try {
      await connectMongo(client);
      return client;
    } catch (error) {
      const failure = new CreateFailedError(this.name, error);
      this.pool.connectFailed(failure);
      await client.close().catch(() => undefined);
      throw failure;
    }
  }
}
