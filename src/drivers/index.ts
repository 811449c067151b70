import type { SqlDialect } from './dialect.js';
import { dialectOfScheme, type Dialect } from './schemes.js';
import { mysqlDialect } from './mysql/dialect.js';
import { postgresDialect } from './postgres/dialect.js';
import { sqliteDialect } from './sqlite/dialect.js';

export { loadPackage, type SqlDialect, type ConnectionConfig, type QueryOptions, type QueryResult } from './dialect.js';
export { DriverMissingError, StatementTimeoutError } from '../core/errors.js';
export { postgresDialect, isPgClientClosed, type PgClient, type PostgresConnection } from './postgres/dialect.js';
export { mysqlDialect, isMysqlConnectionClosed, type MysqlPromiseConnection, type MysqlConnection } from './mysql/dialect.js';
export { sqliteDialect, type SqliteDatabase } from './sqlite/dialect.js';
export { dialectOfScheme, dialectOfUrl, kindOfUrl, DEFAULT_PORTS, type Dialect, type DatabaseKind } from './schemes.js';
export { redisFactory, type RedisClient } from './redis/factory.js';
export { mongoFactory, type MongoClientLike } from './mongodb/factory.js';

const byDialect: Record<Dialect, SqlDialect<any>> = { postgres: postgresDialect, mysql: mysqlDialect, sqlite: sqliteDialect };

/** The SQL dialect for a URL scheme (`postgres`, `postgresql:`, `mariadb`, ...), or undefined. */
export function dialectFor(scheme: string): SqlDialect<any> | undefined {
  const dialect = dialectOfScheme(scheme);
  return dialect === undefined ? undefined : byDialect[dialect];
}
