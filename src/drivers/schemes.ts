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
