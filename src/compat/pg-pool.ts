import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { InvalidOptionError } from '../core/errors.js';
import { isConnectPhase } from '../core/events.js';
import type { ConnectionPool } from '../core/pool.js';
import { describeStatus } from '../core/stats.js';
import type { PgClient } from '../drivers/postgres/dialect.js';
import { isSubmittable } from '../drivers/postgres/native.js';
import { pgModuleSync } from '../drivers/postgres/pg-module.js';
import { createEngine } from '../engine/create.js';
import { Engine, type EngineOptions } from '../engine/engine.js';
import type { InitContext } from '../engine/factory.js';
import { connectConfig } from '../engine/internal.js';
import { fail, settle, type NodeCallback } from './callbacks.js';
import { InFlight } from './in-flight.js';
import { PgClientViews, isClientDead, type PgCheckout, type PgPoolClient } from './pg-client.js';
import { fromPgPoolConfig, type PgClientClass, type PgPoolConfig, type PgPoolSettings } from './pg-config.js';
import { inheritPgPool, optionsOfEngine } from './pg-shape.js';
import { whenSubmittableDone, type Submittable } from './pg-submittable.js';
import { asPgPoolError, endedTwice, poolEnded } from './errors.js';
import { pgPoolLogLine } from './pg-log.js';

type ConnectCallback = (error: Error | undefined, client: PgPoolClient | undefined, done: (error?: Error | boolean) => void) => void;
type QueryCallback = (error: Error | undefined, result?: any) => void;
const noop = (): void => {};

/**
 * `pg.Pool` as node-postgres documents it, over a havuz engine: build it from exactly what
 * pg.Pool takes (`new PgPool({ connectionString, max: 20 })`, PG* variables applied by pg), use
 * it as pg.Pool is used (`connect()`, `query()` with promises, callbacks and Submittables such as
 * pg-cursor, `end()`, the counts and events), and every statement runs through the engine's
 * connection: statement timeouts with server-side cancel, maxQueries, pre-ping, recycling, reset
 * on return, leak detection and metrics apply under Kysely, Drizzle, Prisma or TypeORM too.
 * Errors are the driver's own (`havuzErrorOf(err)` reads havuz's coded one).
 *
 * `new PgPool(url, engineOptions)` and `new PgPool(engine)` build it from havuz's side instead.
 * The class name contains "Pool" on purpose: Drizzle detects a pool by it.
 */
export class PgPool extends EventEmitter {
  readonly engine: Engine<PgClient>;
  /** pg-pool's `pool.options`: the config with pg's defaults filled in; the password is not enumerable. */
  readonly options: Record<string, unknown>;
  readonly #pool: ConnectionPool<PgClient>;
  readonly #ownsEngine: boolean;
  readonly #views = new PgClientViews();
  readonly #inFlight = new InFlight();
  /** Open clients by pool entry id: for `remove`, `error` and pg-pool's `_clients`. */
  readonly #open = new Map<number, PgClient>();
  readonly #openedAt = new WeakMap<PgClient, number>();
  readonly #Client: PgClientClass | undefined;
  readonly #log: ((...messages: unknown[]) => void) | undefined;
  readonly #Promise: PromiseConstructorLike | undefined;
  #ending = false;
  #ended = false;

  constructor(config?: PgPoolConfig, Client?: PgClientClass);
  constructor(url: string, options?: EngineOptions);
  constructor(engine: Engine);
  constructor(source?: PgPoolConfig | string | Engine, second?: PgClientClass | EngineOptions) {
    super();
    inheritPgPool(PgPool);
    let settings: PgPoolSettings | undefined;
    if (source instanceof Engine) {
      this.engine = source as Engine<PgClient>;
      this.#ownsEngine = false;
    } else if (typeof source === 'string') {
      this.engine = createEngine<PgClient>(source, second as EngineOptions | undefined);
      this.#ownsEngine = true;
    } else {
      settings = fromPgPoolConfig(source, second as PgClientClass | undefined);
      // No URL: the client config goes to pg.Client as pg.Pool passes it, and pg applies its defaults
      // and PG* variables. pg is loaded now, as pg.Pool has it: the first connect does not wait on an import.
      const connectArgs: Record<string, unknown> = Object.defineProperties({}, Object.getOwnPropertyDescriptors(settings.engineOptions.connectArgs));
      connectArgs.Client ??= pgModuleSync().Client;
      this.engine = createEngine<PgClient>('postgresql://', { ...settings.engineOptions, connectArgs, init: this.#hooks(settings) });
      this.#ownsEngine = true;
    }
    if (this.engine.dialect !== 'postgres') throw new InvalidOptionError('engine', this.engine.url, 'a PostgreSQL engine');
    this.#pool = this.engine.pool;
    this.options = settings?.options ?? optionsOfEngine(this.engine);
    this.#Client = settings?.Client ?? (this.engine[connectConfig]().connectArgs?.Client as PgClientClass | undefined);
    this.#log = settings?.log;
    this.#Promise = settings?.Promise;
    // allowExitOnIdle is accepted and always in effect: the core never lets an idle client keep
    // the process alive (pg.Pool's default would keep it up to idleTimeoutMillis).
    this.#listen();
  }

  /** onConnect and verify run as the engine's init: on every new client, before its first checkout. */
  #hooks(settings: PgPoolSettings): EngineOptions['init'] {
    const { onConnect, verify } = settings;
    const own = settings.engineOptions.init;
    if (onConnect === undefined && verify === undefined) return own;
    return async (context: InitContext) => {
      await own?.(context);
      const client = this.#views.view(context.raw as PgClient);
      if (onConnect !== undefined) await onConnect(client);
      if (verify !== undefined) await new Promise<void>((resolve, reject) => verify(client, (error) => (error ? reject(error) : resolve())));
    };
  }

  #listen(): void {
    const pool = this.#pool;
    const clock = pool.options.clock;
    pool.on('connect', ({ id, connection }) => {
      this.#open.set(id, connection);
      this.#openedAt.set(connection, clock.now());
      this.#log?.('new client connected');
      this.emit('connect', this.#views.view(connection));
    });
    pool.on('close', ({ id, reason }) => {
      const client = this.#open.get(id);
      if (client === undefined) return;
      this.#open.delete(id);
      const line = pgPoolLogLine(reason);
      if (line !== undefined) this.#log?.(line);
      this.emit('remove', this.#views.view(client));
    });
    pool.on('connection-error', ({ id, phase, error }) => {
      if (isConnectPhase(phase)) this.#log?.('client failed to connect', error);
      if (phase !== 'idle' || id === undefined) return;
      const client = this.#open.get(id);
      // Only an idle client's error is the pool's to report: a checked-out client's belongs to its holder.
      if (client === undefined || this.#views.checkoutOf(client) !== undefined) return;
      // Never fatal: pg-pool's 'error' crashes a process that does not listen; here it is only reported.
      if (this.listenerCount('error') === 0) return;
      const view = this.#views.view(client);
      if (typeof error === 'object' && error !== null) (error as { client?: unknown }).client = view;
      this.emit('error', error, view);
    });
  }

  /** Clients open or being opened (pg-pool counts a connecting client too). */
  get totalCount(): number {
    const { size, connecting } = this.#pool.status();
    return size + connecting;
  }

  get idleCount(): number {
    return this.#pool.status().idle;
  }

  get waitingCount(): number {
    return this.#pool.status().pending;
  }

  /** Checked-out clients past their lifetime: they close when released. */
  get expiredCount(): number {
    const lifetimeMs = ((this.options.maxLifetimeSeconds as number | undefined) ?? 0) * 1000;
    if (lifetimeMs <= 0) return 0;
    const now = this.#pool.options.clock.now();
    let expired = 0;
    for (const client of this.#views.checkedOut) if (now - (this.#openedAt.get(client) ?? now) >= lifetimeMs) expired++;
    return expired;
  }

  get ending(): boolean {
    return this.#ending;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The client class, as pg-pool exposes it (Kysely builds a control client from it to cancel a query). */
  get Client(): PgClientClass {
    return this.#Client ?? (pgModuleSync().Client as PgClientClass);
  }

  /** pg-pool's internal list of open clients, which some code reads. */
  get _clients(): PgPoolClient[] {
    return [...this.#open.values()].map((client) => this.#views.view(client));
  }

  connect(): Promise<PgPoolClient>;
  connect(callback: ConnectCallback): void;
  connect(callback?: ConnectCallback): Promise<PgPoolClient> | void {
    if (this.#ending) return fail(poolEnded(), callback as NodeCallback | undefined, this.#Promise);
    const checkout = this.#checkout().then((c) => c.client);
    return settle(checkout, callback as NodeCallback | undefined, { ok: (client) => [undefined, client, client.release], failed: (error) => [error, undefined, noop] }, this.#Promise);
  }

  /**
   * `query(text | config, values?, callback?)` or `query(submittable)`: one statement on a pooled
   * client, which goes back when the statement (or the cursor or stream) is done.
   */
  query(config: unknown, values?: unknown): Promise<any>;
  query(config: unknown, callback: QueryCallback): void;
  query(config: unknown, values: unknown, callback: QueryCallback): void;
  query(config: unknown, values?: unknown, callback?: QueryCallback): any {
    if (typeof config === 'function') {
      const error = new Error('Passing a function as the first parameter to pool.query is not supported');
      setImmediate(() => (config as QueryCallback)(error));
      return undefined;
    }
    if (typeof values === 'function') {
      callback = values as QueryCallback;
      values = undefined;
    }
    if (this.#ending) return fail(poolEnded(), callback as NodeCallback | undefined, this.#Promise);
    const work = this.#checkout().then((checkout) => this.#run(checkout, config, values));
    return settle(work, callback as NodeCallback | undefined, { ok: (result) => [undefined, result], failed: (error) => [error] }, this.#Promise);
  }

  end(): Promise<void>;
  end(callback: (error?: Error) => void): void;
  end(callback?: (error?: Error) => void): Promise<void> | undefined {
    this.#log?.('ending');
    if (this.#ending) return fail(endedTwice(), callback as NodeCallback | undefined, this.#Promise);
    this.#ending = true;
    // Queued work still runs (pg-pool's "issue queries, then end()"). An engine the pool was
    // handed belongs to its creator: only this pool's work is waited for, and only idle connections go.
    const closing = this.#ownsEngine ? this.engine.close({ drain: true, timeoutMs: Infinity }) : this.#inFlight.settled().then(() => this.engine.dispose());
    const work = closing.then(() => {
      this.#ended = true;
    });
    return settle(work, callback as NodeCallback | undefined, { ok: () => [], failed: (error) => [error] }, this.#Promise);
  }

  #checkout(): Promise<PgCheckout> {
    this.#inFlight.begin();
    return this.engine.connect().then(
      (connection) => {
        const checkout = this.#views.checkOut(connection, (c, error, destroy) => this.#checkin(c, error, destroy));
        this.emit('acquire', checkout.client);
        return checkout;
      },
      (error: unknown) => {
        this.#inFlight.done();
        throw asPgPoolError(error);
      },
    );
  }

  /** pg-pool's release: the 'release' event with the error, then back to the pool, or closed when it was released with an error or cannot be used. */
  #checkin(checkout: PgCheckout, error: Error | boolean | undefined, destroyOnError: boolean): void {
    const raw = checkout.connection.raw;
    try {
      this.emit('release', error, checkout.client);
    } finally {
      if ((destroyOnError && error) || isClientDead(raw)) checkout.connection.invalidate(error || new Error('client ended'));
      else checkout.connection.release();
      this.#inFlight.done();
    }
  }

  #run(checkout: PgCheckout, config: unknown, values: unknown): Promise<unknown> {
    this.#log?.('dispatching query');
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (error: unknown, result?: unknown): void => {
        if (done) return;
        done = true;
        this.#log?.('query dispatched');
        // Unlike pg-pool, a statement's error does not close its client: only a lost connection does.
        checkout.finish(error as Error | undefined);
        if (error) reject(error);
        else resolve(result);
      };
      try {
        if (isSubmittable(config)) {
          const raw = checkout.connection.raw;
          whenSubmittableDone(config as Submittable, () => isClientDead(raw), finish);
          checkout.connection.native('query', [config]);
        } else {
          checkout.connection.native('query', [config, values, finish]);
        }
      } catch (error) {
        finish(error);
      }
    });
  }

  [inspect.custom](): string {
    return `PgPool <${this.engine.url}> (${describeStatus(this.engine.status())}${this.#ending ? ', ending' : ''})`;
  }
}
