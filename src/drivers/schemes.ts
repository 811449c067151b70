/**
 * URL schemes and the database kinds they name: the one table every part of havuz reads (the
 * engine's URL parser, the driver lookup, the bench and the CLI).
 */

/** The SQL databases havuz has a dialect for. */
export type Dialect = 'postgres' | 'mysql' | 'sqlite';

const SCHEMES: Readonly<Record<string, Dialect>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
};

/** Every kind of database havuz pools: the SQL dialects (createEngine), Redis and MongoDB (the manager). */
export type DatabaseKind = Dialect | 'redis' | 'mongodb';

/** Schemes whose databases are not SQL: no dialect, their own driver's pool. */
const OTHER_SCHEMES: Readonly<Record<string, Exclude<DatabaseKind, Dialect>>> = {
  redis: 'redis',
  rediss: 'redis',
  mongodb: 'mongodb',
  'mongodb+srv': 'mongodb',
};

/** The port a URL without one means; SQLite has none. */
export const DEFAULT_PORTS: Readonly<Record<Dialect, number | undefined>> = { postgres: 5432, mysql: 3306, sqlite: undefined };

/** The schemes as a user types them, for error messages: `postgresql://, mysql://, ...`. */
export const schemeList = (): string => Object.keys(SCHEMES).map((s) => `${s}://`).join(', ');

/** The dialect a scheme (`postgresql`, `MariaDB:`) names, or undefined. */
export function dialectOfScheme(scheme: string): Dialect | undefined {
  const key = scheme.toLowerCase().replace(/:$/, '');
  return Object.hasOwn(SCHEMES, key) ? SCHEMES[key] : undefined;
}

/** The dialect a URL's scheme names (to pick default SQL before connecting), or undefined. */
export function dialectOfUrl(url: string): Dialect | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  return scheme === undefined ? undefined : dialectOfScheme(scheme);
}

/** The kind of database a URL's scheme names, SQL or not (`redis://`, `mongodb+srv://`, `postgresql://`), or undefined. */
export function kindOfUrl(url: string): DatabaseKind | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return undefined;
  return Object.hasOwn(OTHER_SCHEMES, scheme) ? OTHER_SCHEMES[scheme] : dialectOfScheme(scheme);
}

/** Every scheme, SQL or not, for error messages. */
export const allSchemeList = (): string => [...Object.keys(SCHEMES), ...Object.keys(OTHER_SCHEMES)].map((s) => `${s}://`).join(', ');
