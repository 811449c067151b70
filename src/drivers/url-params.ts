/**
 * The URL parameters each driver understands, so the engine can tell a driver's parameter from a
 * misspelled havuz option (`?statement_timeout=` is PostgreSQL's; `?poolsize=` is a typo).
 * Parameters not listed still reach the driver unless they look like a havuz option.
 */

/** libpq's and pg's: pg-connection-string copies every parameter into pg.Client's config. */
export const POSTGRES_URL_PARAMS: ReadonlySet<string> = new Set([
  'host', 'port', 'user', 'password', 'dbname', 'database',
  'sslmode', 'ssl', 'sslcert', 'sslkey', 'sslrootcert', 'sslpassword', 'sslnegotiation', 'uselibpqcompat',
  'application_name', 'fallback_application_name', 'options', 'client_encoding', 'replication',
  'connect_timeout', 'keepalives', 'keepalives_idle',
  'statement_timeout', 'query_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout',
  'target_session_attrs', 'load_balance_hosts', 'binary',
]);

/** mysql2's connection options (its `uri` parses the query string into these). */
export const MYSQL_URL_PARAMS: ReadonlySet<string> = new Set([
  'charset', 'timezone', 'ssl', 'supportBigNumbers', 'bigNumberStrings', 'dateStrings', 'decimalNumbers', 'jsonStrings',
  'debug', 'trace', 'multipleStatements', 'flags', 'localAddress', 'socketPath', 'connectTimeout', 'typeCast',
  'namedPlaceholders', 'rowsAsArray', 'stringifyObjects', 'insecureAuth', 'enableKeepAlive', 'keepAliveInitialDelay',
  'maxPreparedStatements', 'compress', 'connectAttributes', 'nestTables', 'disableEval', 'timeout', 'connectionLimit',
]);
