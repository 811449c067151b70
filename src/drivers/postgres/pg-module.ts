import { createRequire } from 'node:module';
import { DriverMissingError } from '../../core/errors.js';
import { exportOf } from '../interop.js';

/** pg-connection-string's `parse`: what pg itself makes of a connectionString. */
export type ConnectionStringParser = (connectionString: string) => Record<string, unknown>;

/**
 * pg, loaded synchronously where an API must answer at once (pg-pool's `pool.Client`, parsing a
 * URL for `pool.options`). pg is CommonJS, so `require` gives the very module `import('pg')` does.
 */
export function pgModuleSync(): Record<string, unknown> {
  try {
    return createRequire(import.meta.url)('pg') as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') throw new DriverMissingError('pg', 'postgres');
    throw error;
  }
}

let parser: ConnectionStringParser | undefined;

/**
 * pg's own connection string parser, loaded from pg's own dependencies (wherever the package
 * manager put them). Parsing with it means every URL parameter means what pg makes of it.
 */
export function pgConnectionStringParser(): ConnectionStringParser {
  if (parser !== undefined) return parser;
  const requireFromHere = createRequire(import.meta.url);
  let pgEntry: string;
  try {
    pgEntry = requireFromHere.resolve('pg');
  } catch {
    throw new DriverMissingError('pg', 'postgres');
  }
  parser = exportOf<ConnectionStringParser>(createRequire(pgEntry)('pg-connection-string'), 'parse');
  return parser;
}
