import { inspect } from 'node:util';
import { checkCloseOptions, type CloseOptions } from '../core/contract.js';
import { InvalidOptionError, InvalidUrlError } from '../core/errors.js';
import type { Logger } from '../core/options.js';
import { isPlainObject } from '../core/options.js';
import { describeStatus, type PoolStatus } from '../core/stats.js';
import { allSchemeList, kindOfUrl } from '../drivers/schemes.js';
import { createEngine } from '../engine/create.js';
import { Engine, type EngineOptions } from '../engine/engine.js';
import { redactUrl } from '../engine/redact.js';
import { MetricsRegistry } from '../monitor/registry.js';
import type { MonitorTarget } from '../monitor/source.js';
import { kindOf, type ManagedDatabase } from './database.js';
import { managerHealth, type ManagerHealth, type ManagerHealthOptions } from './health.js';
import { MongoDatabase, type MongoDatabaseOptions } from './mongo.js';
import { RedisDatabase, type RedisDatabaseOptions } from './redis.js';

/** A database for the manager: a URL, a URL with options, or one made already. */
export type DatabaseSpec =
  | string
  | { url: string; options?: EngineOptions | RedisDatabaseOptions | MongoDatabaseOptions }
  | ManagedDatabase;

type SqlScheme = 'postgres' | 'postgresql' | 'mysql' | 'mariadb' | 'sqlite';

/** The database a URL makes, read from its scheme when the URL is a literal type. */
export type DatabaseOfUrl<U extends string> = U extends `redis://${string}` | `rediss://${string}`
  ? RedisDatabase
  : U extends `mongodb://${string}` | `mongodb+srv://${string}`
    ? MongoDatabase
    : U extends `${SqlScheme}:${string}`
      ? Engine
      : ManagedDatabase;

/** The type `get(name)` returns for a spec. */
export type DatabaseOf<S> = S extends ManagedDatabase ? S : S extends string ? DatabaseOfUrl<S> : S extends { url: infer U extends string } ? DatabaseOfUrl<U> : never;

export interface ManagerOptions {
  /** Collect into this registry (shared with other pools of the app); default one of the manager's own. */
  metrics?: MetricsRegistry;
  /** Given to every database built from a URL whose options name no logger. */
  logger?: Logger;
}

/**
 * The databases of an application by name (the seed's PostgreSQL, MySQL, MongoDB and Redis at
 * once): each one's pool, one status, one graded health naming the database at fault, one
 * metrics registry over all their pools, and one close for all of them.
 *
 * `createManager({ users: 'postgresql://…', cache: 'redis://…', logs: 'mongodb://…' })`;
 * `get('users')` is typed from the URL's scheme (an Engine, a RedisDatabase, a MongoDatabase).
 */
export class DatabaseManager<const S extends Record<string, DatabaseSpec> = Record<string, DatabaseSpec>> {
  /** Every pool of every database; serve it (`prometheusText`, prom-client, OpenTelemetry) as any registry. */
  readonly metrics: MetricsRegistry;
  readonly #databases = new Map<string, ManagedDatabase>();
  /** Pool name → the database it belongs to (Redis has two pools). */
  readonly #owners = new Map<string, string>();
  readonly #ownsRegistry: boolean;
  #closing: Promise<void> | undefined;

  constructor(databases: S, options: ManagerOptions = {}) {
    if (!isPlainObject(databases)) throw new InvalidOptionError('databases', databases, "an object of named databases: { users: 'postgresql://…', cache: 'redis://…' }");
    const given = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) as ManagerOptions;
    for (const key of Object.keys(given)) if (key !== 'metrics' && key !== 'logger') throw new InvalidOptionError(key, given[key as keyof ManagerOptions], 'no such manager option; use metrics or logger');
    if (given.metrics !== undefined && !(given.metrics instanceof MetricsRegistry)) throw new InvalidOptionError('metrics', given.metrics, 'a MetricsRegistry');
    this.metrics = given.metrics ?? new MetricsRegistry();
    this.#ownsRegistry = given.metrics === undefined;
    const built: ManagedDatabase[] = [];
    try {
      for (const [name, spec] of Object.entries(databases)) {
        const database = build(name, spec, given.logger);
        built.push(database);
        this.#databases.set(name, database);
        for (const target of targetsOf(database)) {
          const poolName = this.metrics.add(target).name;
          this.#owners.set(poolName, name);
        }
      }
    } catch (error) {
      // A bad spec: close what was already opened, so no pool outlives the failed constructor.
      for (const database of built) if (!isGiven(databases, database)) void database.close({ timeoutMs: 0 }).catch(() => undefined);
      for (const pool of this.#owners.keys()) this.metrics.remove(pool);
      throw error;
    }
  }

  /** The database under `name`, typed from its spec. */
  get<K extends keyof S & string>(name: K): DatabaseOf<S[K]> {
    const database = this.#databases.get(name);
    if (database === undefined) throw new InvalidOptionError('name', name, `one of the manager's databases: ${this.names().join(', ')}`);
    return database as DatabaseOf<S[K]>;
  }

  /** The SQL engine under `name`; throws when it is another kind. */
  engine(name: keyof S & string): Engine<any> {
    return this.#ofKind(name, 'an SQL database', (d): d is Engine<any> => d instanceof Engine);
  }

  redis(name: keyof S & string): RedisDatabase<any> {
    return this.#ofKind(name, 'a Redis database', (d): d is RedisDatabase<any> => d instanceof RedisDatabase);
  }

  mongo(name: keyof S & string): MongoDatabase<any> {
    return this.#ofKind(name, 'a MongoDB database', (d): d is MongoDatabase<any> => d instanceof MongoDatabase);
  }

  names(): (keyof S & string)[] {
    return [...this.#databases.keys()];
  }

  /** Each database's status by name (Redis: its shared and dedicated pools together). */
  status(): Record<keyof S & string, PoolStatus> {
    const out = {} as Record<string, PoolStatus>;
    for (const [name, database] of this.#databases) out[name] = database.status();
    return out as Record<keyof S & string, PoolStatus>;
  }

  /**
   * Every database checked at once (an engine with `SELECT 1`, Redis and MongoDB with a PING),
   * graded healthy, degraded or unhealthy; the overall status is the worst, and `summary` names
   * each database that is not healthy and why.
   */
  async health(options: ManagerHealthOptions = {}): Promise<ManagerHealth> {
    return managerHealth(this.metrics, this.#databases, this.#owners, options);
  }

  /** Resolves once every database has its minIdle connections open (Redis and MongoDB: connected); rejects with the first connect error. */
  async ready(): Promise<void> {
    await Promise.all([...this.#databases.values()].map((database) => database.ready()));
  }

  /**
   * Closes every database in parallel, under one deadline: `close({ drain: true, timeoutMs })`
   * serves queued and in-flight work until `timeoutMs`, then closes everything. Idempotent.
   */
  close(options?: CloseOptions): Promise<void> {
    try {
      checkCloseOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#closing ??= (async () => {
      const results = await Promise.allSettled([...this.#databases.values()].map((database) => database.close(options)));
      if (this.#ownsRegistry) this.metrics.stop();
      else for (const pool of this.#owners.keys()) this.metrics.remove(pool);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #ofKind<D extends ManagedDatabase>(name: string, what: string, is: (d: ManagedDatabase) => d is D): D {
    const database = this.get(name as keyof S & string) as ManagedDatabase;
    if (!is(database)) throw new InvalidOptionError('name', name, `the name of ${what} (${name} is ${kindOf(database)})`);
    return database;
  }

  [inspect.custom](): string {
    const lines = [...this.#databases].map(([name, d]) => `  ${name}: ${kindOf(d)} <${d.url}> (${describeStatus(d.status())})`);
    return `DatabaseManager {\n${lines.join('\n')}\n}`;
  }

  toJSON(): object {
    return Object.fromEntries([...this.#databases].map(([name, d]) => [name, { kind: kindOf(d), url: d.url, status: d.status() }]));
  }
}

export function createManager<const S extends Record<string, DatabaseSpec>>(databases: S, options?: ManagerOptions): DatabaseManager<S> {
  return new DatabaseManager(databases, options);
}

function build(name: string, spec: DatabaseSpec, logger: Logger | undefined): ManagedDatabase {
  if (spec instanceof Engine || spec instanceof RedisDatabase || spec instanceof MongoDatabase) return spec;
  let url: unknown = spec;
  let options: Record<string, unknown> = {};
  if (isPlainObject(spec)) {
    ({ url } = spec);
    if (spec.options !== undefined && !isPlainObject(spec.options)) throw new InvalidOptionError(`${name}.options`, spec.options, 'a plain object of options');
    options = { ...(spec.options ?? {}) };
    const extra = Object.keys(spec).find((k) => k !== 'url' && k !== 'options');
    if (extra !== undefined) throw new InvalidOptionError(`${name}.${extra}`, spec[extra as never], 'no such key; a database is { url, options }');
  }
  if (typeof url !== 'string') throw new InvalidOptionError(name, spec, 'a URL, { url, options }, an Engine, a RedisDatabase or a MongoDatabase');
  if (logger !== undefined) options.logger ??= logger;
  const kind = kindOfUrl(url);
  switch (kind) {
    case 'redis':
      return new RedisDatabase(name, url, options as RedisDatabaseOptions);
    case 'mongodb':
      return new MongoDatabase(name, url, options as MongoDatabaseOptions);
    case undefined:
      throw new InvalidUrlError(redactUrl(url), `unsupported scheme for database "${name}"; use one of ${allSchemeList()}`);
    default:
      return createEngine(url, { name, ...options } as EngineOptions);
  }
}

function targetsOf(database: ManagedDatabase): MonitorTarget[] {
  return database instanceof Engine ? [database] : database.monitored();
}

function isGiven(specs: Record<string, DatabaseSpec>, database: ManagedDatabase): boolean {
  return Object.values(specs).includes(database);
}
