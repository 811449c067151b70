import { readFileSync } from 'node:fs';

/** "pg 8.23.1, postgres 3.4.9", read from node_modules directly: postgres.js does not export its package.json. */
export function versionsOf(names: readonly string[]): string {
  const version = (name: string): string =>
    (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
  return names.map((name) => `${name} ${version(name)}`).join(', ');
}
