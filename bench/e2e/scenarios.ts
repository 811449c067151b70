/**
 * The end-to-end scenarios: each statement at each concurrency, on each database, for every
 * library that speaks to that database. A scenario's name is its key in the JSON output.
 *
 * | database   | statements                         | libraries                                  |
 * |------------|------------------------------------|--------------------------------------------|
 * | PostgreSQL | SELECT 1, SELECT pg_sleep(0.01)    | havuz, havuz-pipeline, pg-pool, postgres-js, no-pool |
 * | MariaDB    | SELECT 1, SELECT SLEEP(0.01)       | havuz, mysql2                              |
 *
 * Concurrency is the number of workers, each looping one query after another (a closed loop):
 * at 50 and 200 workers most of them wait for one of the pool's connections.
 */
import type { Dialect } from '../../src/drivers/schemes.js';
export type Database = Exclude<Dialect, 'sqlite'>;

export const libraries = ['havuz', 'havuz-pipeline', 'pg-pool', 'postgres-js', 'no-pool', 'mysql2'] as const;
export type Library = (typeof libraries)[number];

export const librariesOf: Record<Database, readonly Library[]> = {
  postgres: ['havuz', 'havuz-pipeline', 'pg-pool', 'postgres-js', 'no-pool'],
  mysql: ['havuz', 'mysql2'],
};

export interface Scenario {
  /** `pg-select-1-c10`: database, statement, concurrency. */
  name: string;
  database: Database;
  /** Short name of the statement: `select-1` or `sleep-10ms`. */
  statement: string;
  sql: string;
  concurrency: number;
}

export const concurrencies = [1, 10, 50, 200] as const;

const statements: Record<Database, readonly { statement: string; sql: string }[]> = {
  postgres: [
    { statement: 'select-1', sql: 'SELECT 1' },
    { statement: 'sleep-10ms', sql: 'SELECT pg_sleep(0.01)' },
  ],
  mysql: [
    { statement: 'select-1', sql: 'SELECT 1' },
    { statement: 'sleep-10ms', sql: 'SELECT SLEEP(0.01)' },
  ],
};

const prefix: Record<Database, string> = { postgres: 'pg', mysql: 'mysql' };

export const scenarios: readonly Scenario[] = (['postgres', 'mysql'] as const).flatMap((database) =>
  statements[database].flatMap(({ statement, sql }) =>
    concurrencies.map((concurrency) => ({
      name: `${prefix[database]}-${statement}-c${concurrency}`,
      database,
      statement,
      sql,
      concurrency,
    })),
  ),
);

/**
 * `--scenario`: comma-separated names or prefixes of names, so `pg` is every PostgreSQL scenario
 * and `mysql-sleep-10ms` that statement at every concurrency. A part that matches nothing is an error.
 */
export function selectScenarios(spec: string | undefined): Scenario[] {
  if (spec === undefined) return [...scenarios];
  const parts = spec.split(',').map((part) => part.trim());
  const matches = (s: Scenario, part: string): boolean => s.name === part || s.name.startsWith(`${part}-`);
  const unmatched = parts.filter((part) => !scenarios.some((s) => matches(s, part)));
  if (unmatched.length > 0) throw new Error(`no scenario is called or starts with: ${unmatched.join(', ')} (known: ${scenarios.map((s) => s.name).join(', ')})`);
  return scenarios.filter((s) => parts.some((part) => matches(s, part)));
}

/** `--library`: comma-separated library names. */
export function selectLibraries(spec: string | undefined): Library[] {
  if (spec === undefined) return [...libraries];
  const names = spec.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(libraries as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown library: ${unknown.join(', ')} (known: ${libraries.join(', ')})`);
  return libraries.filter((library) => names.includes(library));
}
