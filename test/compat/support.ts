// Shared by the compat tests: the test databases as pg.Pool and mysql2 configs, and table names
// that cannot collide with another run on the same server.
import { randomBytes } from 'node:crypto';
import { urls } from '../support/databases.js';
import { configFrom } from '../drivers/targets.js';

/** The test PostgreSQL as a pg.Pool config (no connectionString), as pg-pool users write it. */
export function pgConfig(): Record<string, unknown> {
  const { host, port, user, password, database } = configFrom(urls.postgres);
  return { host, port: port ?? 5432, user, password, database };
}

/** The test MariaDB as a mysql2 createPool config. */
export function mysqlConfig(): Record<string, unknown> {
  const { host, port, user, password, database } = configFrom(urls.mysql);
  return { host, port: port ?? 3306, user, password, database };
}

export const pgDatabase = (): string => configFrom(urls.postgres).database ?? 'postgres';
export const mysqlDatabase = (): string => configFrom(urls.mysql).database ?? 'test';

/** A table name unique to this run: other helpers' runs may share the server. */
export function table(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Resolves with the next emission of `event` (its arguments). */
export function nextEvent(emitter: { once(event: string, listener: (...args: any[]) => void): unknown }, event: string): Promise<any[]> {
  return new Promise((resolve) => emitter.once(event, (...args: any[]) => resolve(args)));
}
