import { createRequire } from 'node:module';
import genericPool from 'generic-pool';
import { Pool as TarnPool } from 'tarn';
import { Pool, type Lease } from '../../src/core/index.js';
import { FakePgClient } from './fake-pg-client.js';
import { createResource, destroyResource, type Resource } from './resource.js';

/**
 * One adapter per library, each giving the scenarios the same three calls. Every pool gets the
 * same configuration (below), mapped onto each library's option names:
 *
 * | setting                | havuz              | tarn                   | generic-pool           | pg-pool                   |
 * |------------------------|--------------------|------------------------|------------------------|---------------------------|
 * | size                   | size, maxOverflow 0| max                    | max                    | max                       |
 * | min idle               | minIdle 0          | min 0                  | min 0                  | min 0                     |
 * | acquire timeout        | acquireTimeoutMs   | acquireTimeoutMillis   | acquireTimeoutMillis   | connectionTimeoutMillis   |
 * | create timeout         | createTimeoutMs    | createTimeoutMillis    | (none in generic-pool) | connectionTimeoutMillis   |
 * | idle timeout, lifetime | 0 and 0 (off)      | idle 24 h (never hit)  | no eviction (default)  | idleTimeoutMillis 0 (off) |
 * | idle order             | order 'lifo'       | LIFO (its only order)  | fifo false             | LIFO (its only order)     |
 * | waiter order           | FIFO               | FIFO                   | FIFO (one priority)    | FIFO                      |
 * | connects in flight     | maxConnecting=size | up to max              | up to max              | up to max                 |
 *
 * Pools start empty (min 0) and measure() warms each to `size` open connections before timing.
 * Idle reaping and lifetimes are off everywhere: they are background work these scenarios do not
 * exercise, and pg-pool would otherwise arm a timer on every release.
 */
export interface PoolConfig {
  size: number;
  acquireTimeoutMs: number;
  createTimeoutMs: number;
}

/** What a scenario sees of a pool. `H` is whatever the library hands out per checkout. */
export interface BenchPool<H = unknown> {
  acquire(): Promise<H>;
  release(handle: H): void;
  close(): Promise<void>;
}

export const peers = ['tarn', 'generic-pool', 'pg-pool'] as const;
export const libraries = ['havuz', ...peers, 'floor', 'queue-floor'] as const;
export type Library = (typeof libraries)[number];

const havuz = (c: PoolConfig): BenchPool<Lease<Resource>> => {
  const pool = new Pool<Resource>(
    { create: () => createResource(), destroy: destroyResource },
    {
      size: c.size,
      maxOverflow: 0,
      minIdle: 0,
      acquireTimeoutMs: c.acquireTimeoutMs,
      createTimeoutMs: c.createTimeoutMs,
      idleTimeoutMs: 0,
      maxLifetimeMs: 0,
      order: 'lifo',
      maxConnecting: c.size,
    },
  );
  return { acquire: () => pool.acquire(), release: (lease) => lease.release(), close: () => pool.close() };
};

const tarn = (c: PoolConfig): BenchPool<Resource> => {
  const pool = new TarnPool<Resource>({
    create: createResource,
    destroy: destroyResource,
    min: 0,
    max: c.size,
    acquireTimeoutMillis: c.acquireTimeoutMs,
    createTimeoutMillis: c.createTimeoutMs,
    idleTimeoutMillis: 24 * 3600_000,
  });
  return {
    acquire: () => pool.acquire().promise,
    release: (resource) => void pool.release(resource),
    close: async () => {
      await pool.destroy();
    },
  };
};

const generic = (c: PoolConfig): BenchPool<Resource> => {
  const pool = genericPool.createPool<Resource>(
    { create: createResource, destroy: destroyResource },
    { min: 0, max: c.size, acquireTimeoutMillis: c.acquireTimeoutMs, fifo: false, evictionRunIntervalMillis: 0 },
  );
  return {
    acquire: () => pool.acquire(),
    release: (resource) => void pool.release(resource),
    close: async () => {
      await pool.drain();
      await pool.clear();
    },
  };
};

/** pg-pool ships no types; this is the part of it the benchmark uses (kysely types drivers the same way). */
type PgClient = FakePgClient & { release(error?: Error): void };
interface PgPool {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
}
type PgPoolClass = new (options: object) => PgPool;
const PgPool = createRequire(import.meta.url)('pg-pool') as PgPoolClass;

const pg = (c: PoolConfig): BenchPool<PgClient> => {
  const pool = new PgPool({
    Client: FakePgClient,
    max: c.size,
    min: 0,
    // pg-pool has one timeout for both the wait and the connect.
    connectionTimeoutMillis: c.acquireTimeoutMs,
    idleTimeoutMillis: 0,
  });
  return { acquire: () => pool.connect(), release: (client) => client.release(), close: () => pool.end() };
};

/** No pool at all: acquire is an already-resolved promise and release does nothing. */
const RESOLVED = Promise.resolve<Resource>({ id: 0 });
const floor = (): BenchPool => ({ acquire: () => RESOLVED, release: () => {}, close: async () => {} });

/**
 * The least any promise-returning FIFO pool can do: `size` tokens, and a queue of pending
 * promises' resolve functions (a plain array read from a moving head, so no O(n) shift), one
 * shared executor so an acquire allocates only its promise. No timeouts, no connections, no
 * checks. Where `floor` hands out an already-resolved promise, this keeps every waiter's promise
 * pending until a release: the cost V8 itself puts on W live promises, which no pool can avoid.
 */
const queueFloor = (c: PoolConfig): BenchPool => {
  const token: Resource = { id: 0 };
  let free = c.size;
  let queue: ((value: Resource) => void)[] = [];
  let head = 0;
  const enqueue = (resolve: (value: Resource) => void): void => void queue.push(resolve);
  return {
    acquire: () => {
      if (free > 0 && head === queue.length) {
        free--;
        return Promise.resolve(token);
      }
      return new Promise(enqueue);
    },
    release: () => {
      if (head === queue.length) {
        free++;
        return;
      }
      const resolve = queue[head]!;
      queue[head++] = undefined as never;
      if (head === queue.length) {
        queue = [];
        head = 0;
      }
      resolve(token);
    },
    close: async () => {},
  };
};

export const adapters: Record<Library, (config: PoolConfig) => BenchPool> = {
  havuz,
  tarn,
  'generic-pool': generic,
  'pg-pool': pg,
  floor,
  'queue-floor': queueFloor,
};
