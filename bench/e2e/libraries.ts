/**
 * One client per library, each giving the workload the same two calls. Every pooled library gets
 * the same maximum number of connections (`size`, 20 by default) and otherwise its own defaults,
 * as a user who only sets the size would have it:
 *
 * | library     | what it is                         | configuration                                   | protocol for `SELECT 1`          |
 * |-------------|------------------------------------|-------------------------------------------------|----------------------------------|
 * | havuz       | createEngine(url) over pg / mysql2 | `{ size }` (maxOverflow 0, queue pool)          | simple (pg) / text (mysql2)      |
 * | havuz-pipeline | the same, `pipeline: true`      | `{ size, pipeline: true }`                      | simple (pg)                      |
 * | pg-pool     | `new pg.Pool()`                    | `{ connectionString, max: size }`               | simple                           |
 * | postgres-js | `postgres(url)` (porsager)         | `{ max: size }`, tagged template                | extended, prepared (its default) |
 * | mysql2      | `mysql2/promise` createPool        | `{ uri, connectionLimit: size }`                | text                             |
 * | no-pool     | a fresh `pg.Client` per query      | connect, query, end; at most `noPoolCap` at once| simple                           |
 *
 * no-pool is pg's own Client, not havuz's null pool, so "pooled vs no-pool" does not compare havuz
 * with itself. Its connects are capped (`noPoolCap`, by default the pool size) because 200
 * workers each holding a connection would pass PostgreSQL's max_connections (100 by default):
 * workers beyond the cap wait for a slot, and that wait is part of their latency, as waiting
 * for a pooled connection is for the pools.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import postgres from 'postgres';
import { createEngine } from '../../src/engine/index.js';
import type { Database, Library } from './scenarios.js';

export interface BenchClient {
  query(sql: string): Promise<unknown>;
  close(): Promise<void>;
  /** Connections open now, where the library says (postgres.js does not): shows whether the warm-up opened the pool. */
  connections(): number | undefined;
}

export interface ClientConfig {
  url: string;
  size: number;
  noPoolCap: number;
}

type Opener = (config: ClientConfig) => BenchClient;

const havuz: Opener = ({ url, size }) => {
  const engine = createEngine(url, { size });
  return { query: (sql) => engine.query(sql), close: () => engine.close(), connections: () => engine.status().size };
};

const havuzPipeline: Opener = ({ url, size }) => {
  const engine = createEngine(url, { size, pipeline: true });
  return { query: (sql) => engine.query(sql), close: () => engine.close(), connections: () => engine.status().size };
};

const pgPool: Opener = ({ url, size }) => {
  const pool = new pg.Pool({ connectionString: url, max: size });
  return { query: (sql) => pool.query(sql), close: () => pool.end(), connections: () => pool.totalCount };
};

const postgresJs: Opener = ({ url, size }) => {
  const sql = postgres(url, { max: size, onnotice: () => {} });
  // The user's way in is the tagged template, which postgres.js prepares; a strings array with
  // `raw` is what a tagged template passes, so each statement goes the same path.
  const templates = new Map<string, TemplateStringsArray>();
  const template = (text: string): TemplateStringsArray => {
    let t = templates.get(text);
    if (t === undefined) templates.set(text, (t = Object.assign([text], { raw: [text] }) as unknown as TemplateStringsArray));
    return t;
  };
  return { query: (text) => sql(template(text)), close: () => sql.end({ timeout: 5 }), connections: () => undefined };
};

const noPool: Opener = ({ url, noPoolCap }) => {
  const slots = new Slots(noPoolCap);
  return {
    async query(sql) {
      await slots.take();
      try {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          return await client.query(sql);
        } finally {
          await client.end();
        }
      } finally {
        slots.give();
      }
    },
    close: async () => {},
    // No pool, nothing kept open: the warm-up is time only.
    connections: () => undefined,
  };
};

const mysql2: Opener = ({ url, size }) => {
  const pool = mysql.createPool({ uri: url, connectionLimit: size });
  // mysql2 keeps the count on its callback pool only, in a private field.
  const core = (pool as unknown as { pool?: { _allConnections?: { length: number } } }).pool;
  return { query: (sql) => pool.query(sql), close: () => pool.end(), connections: () => core?._allConnections?.length };
};

const openers: Record<Library, Partial<Record<Database, Opener>>> = {
  havuz: { postgres: havuz, mysql: havuz },
  'havuz-pipeline': { postgres: havuzPipeline },
  'pg-pool': { postgres: pgPool },
  'postgres-js': { postgres: postgresJs },
  'no-pool': { postgres: noPool },
  mysql2: { mysql: mysql2 },
};

export function openClient(library: Library, database: Database, config: ClientConfig): BenchClient {
  const open = openers[library][database];
  if (open === undefined) throw new Error(`${library} does not connect to ${database}`);
  return open(config);
}

/** A counting semaphore: at most `limit` holders, the others wait in FIFO order. */
class Slots {
  #free: number;
  // At most one entry per worker (200), and V8 shifts arrays that small in O(1).
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#free = limit;
  }

  take(): Promise<void> | void {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#free++;
    else next();
  }
}
