import type { SqlDialect } from './dialect.js';

/** Quotes an identifier by doubling the quote character, the one escape both SQL styles share. */
function quoter(quote: '"' | '`'): (name: string) => string {
  return (name) => {
    // NUL ends the identifier early in some servers, so a "quoted" name could still inject.
    if (name.length === 0 || name.includes('\0')) throw new TypeError(`Invalid savepoint name ${JSON.stringify(name)}`);
    return quote + name.replaceAll(quote, quote + quote) + quote;
  };
}

export const quoteDouble = quoter('"');
export const quoteBacktick = quoter('`');

/**
 * The transaction statements every SQL dialect here spells the same, apart from identifier quotes
 * and how a read-only transaction starts (SQLite has none).
 */
export function transactionSql(quote: (name: string) => string, beginReadOnly?: string): SqlDialect['sql'] {
  return {
    begin: 'BEGIN',
    beginReadOnly,
    commit: 'COMMIT',
    rollback: 'ROLLBACK',
    savepoint: (name) => `SAVEPOINT ${quote(name)}`,
    releaseSavepoint: (name) => `RELEASE SAVEPOINT ${quote(name)}`,
    rollbackToSavepoint: (name) => `ROLLBACK TO SAVEPOINT ${quote(name)}`,
  };
}
