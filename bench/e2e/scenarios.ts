/**
 * The end-to-end scenarios: each statement at each concurrency, on each database, for every
 * library that speaks to that database. A scenario's name is its key in the JSON output.
 *
 * | database   | statements                         | libraries                                  |
 * |------------|------------------------------------|--------------------------------------------|
 * | PostgreSQL | SELECT 1, SELECT pg_sleep(0.01)    | havuz, pg-pool, postgres-js, no-pool       |
 * | MariaDB    | SELECT 1, SELECT SLEEP(0.01)       | havuz, mysql2                              |
 *
 * Concurrency is the number of workers, each looping one query after another (a closed loop):
 * at 50 and 200 workers most of them wait for one of the pool's connections.
 */
export type Database = 'postgres' | 'mysql';

export const libraries = ['havuz', 'pg-pool', 'postgres-js', 'no-pool', 'mysql2'] as const;
export type Library = (typeof libraries)[number];

export const librariesOf: Record<Database, readonly Library[]> = {
  postgres: ['havuz', 'pg-pool', 'postgres-js', 'no-pool'],
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
