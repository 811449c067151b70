export { PgPool, type PgPoolClient } from './pg.js';
export { MysqlPool } from './mysql.js';
