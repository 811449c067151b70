export { PgPool } from './pg-pool.js';
export type { PgPoolClient } from './pg-client.js';
export type { PgPoolConfig, PgPoolOwnOptions, PgClientClass } from './pg-config.js';
export { MysqlPool } from './mysql-pool.js';
export { MysqlPromisePool } from './mysql-promise-pool.js';
export type { MysqlPoolConnection } from './mysql-connection.js';
export type { MysqlPoolConfig, MysqlPoolOwnOptions } from './mysql-config.js';
export { havuzErrorOf } from '../drivers/driver-error.js';
