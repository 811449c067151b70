import type { Factory } from '../core/factory.js';
import type { ConnectionConfig, QueryResult, SqlDialect } from '../drivers/dialect.js';
import { scrub } from './redact.js';

export interface InitContext {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface DialectFactoryOptions {
  /** Statements run on every new connection, e.g. `SET timezone='UTC'`. */
  initSql: readonly string[];
  /** Runs on every new connection after initSql. */
  init: ((connection: InitContext) => Promise<void> | void) | undefined;
  /** On return, discard all session state (DISCARD ALL / COM_RESET_CONNECTION), not just roll back. */
  fullReset: boolean;
}

/**
 * Turns a dialect and a parsed URL into the core's Factory. The password stays inside `config`;
 * connect errors are scrubbed of it in case a driver echoes it back.
 */
export function dialectFactory<C>(dialect: SqlDialect<C>, config: ConnectionConfig, options: DialectFactoryOptions): Factory<C> {
  const init =
    options.initSql.length === 0 && options.init === undefined
      ? undefined
      : async (connection: C): Promise<void> => {
          for (const sql of options.initSql) await dialect.query(connection, sql);
          await options.init?.({ query: (sql, params) => dialect.query(connection, sql, params) });
        };
  return {
    async create(context) {
      try {
        return await dialect.connect(config, context);
      } catch (error) {
        throw scrubbed(error, config.password);
      }
    },
    destroy: (connection) => dialect.close(connection),
    validate: (connection) => dialect.ping(connection),
    reset: (connection) => {
      const pending = dialect.reset(connection, options.fullReset);
      // A full reset (DISCARD ALL, COM_RESET_CONNECTION) also undoes what init set up: set it up again.
      if (!options.fullReset || init === undefined) return pending;
      return Promise.resolve(pending).then(() => init(connection));
    },
    init,
    passivate: dialect.passivate === undefined ? undefined : (connection) => dialect.passivate!(connection),
    activate: dialect.activate === undefined ? undefined : (connection) => dialect.activate!(connection),
  };
}

function scrubbed(error: unknown, password: string | undefined): unknown {
  if (password && error instanceof Error && error.message.includes(password)) {
    error.message = scrub(error.message, password);
    if (error.stack) error.stack = scrub(error.stack, password);
  }
  return error;
}
