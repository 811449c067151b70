/**
 * The three libraries of the restart benchmark, each at its own defaults, as a new user has it:
 *
 * | library     | what it is          | configuration                                  | size (its default) |
 * |-------------|---------------------|------------------------------------------------|--------------------|
 * | havuz       | `createEngine(url)` | none                                           | 10                 |
 * | pg-pool     | `new pg.Pool()`     | `{ connectionString }`, an 'error' listener    | 10 (`max`)         |
 * | postgres-js | `postgres(url)`     | notices silenced (they would go to the console) | 10 (`max`)         |
 *
 * pg.Pool's 'error' listener is not tuning: without one, an idle client dying in the restart
 * crashes the process, so every pg.Pool user has one.
 */
import pg from 'pg';
import postgres from 'postgres';
import { createEngine } from '../../src/engine/index.js';
import { QUERY, type RestartSubject } from '../../test/faults/support/restart-scenario.js';

export const LIBRARIES = ['havuz', 'pg-pool', 'postgres-js'] as const;
export type Library = (typeof LIBRARIES)[number];

export function openSubject(library: Library, url: string): RestartSubject {
  switch (library) {
    case 'havuz': {
      const engine = createEngine(url);
      return {
        name: library,
        query: (i) => engine.query(QUERY, [i]),
        open: () => engine.status().size,
        close: () => engine.close({ timeoutMs: 5_000 }),
      };
    }
    case 'pg-pool': {
      const pool = new pg.Pool({ connectionString: url });
      pool.on('error', () => {});
      return { name: library, query: (i) => pool.query(QUERY, [i]), open: () => pool.totalCount, close: () => pool.end() };
    }
    case 'postgres-js': {
      const sql = postgres(url, { onnotice: () => {} });
      return {
        name: library,
        // The unsafe form takes the same text as the others; it is still prepared, as a tagged template would be.
        query: (i) => sql.unsafe(QUERY, [i], { prepare: true }),
        open: () => undefined,
        close: () => sql.end({ timeout: 5 }),
      };
    }
  }
}
