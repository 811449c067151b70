import { startEmbeddedPostgres, type CleanupHook } from '../bench/embedded-postgres.js';
import { dialectOf, makeTarget, redactUrl, type Dialect } from '../bench/target.js';
import { readServerFacts, type ServerFacts } from '../sizing/server-facts.js';
import { UsageError } from '../core/errors.js';
import { describeError } from './errors.js';

/** The database a command runs against: the user's --url, or a throwaway embedded PostgreSQL. */
export interface Database {
  /** With the password: for makeTarget only. */
  readonly url: string;
  /** Redacted: for anything printed. */
  readonly shown: string;
  readonly dialect: Dialect;
  readonly embedded: boolean;
  readonly facts: ServerFacts;
  /** Stops the embedded server and removes its folder; nothing for --url. */
  close(): Promise<void>;
}

export interface OpenOptions {
  url: string | undefined;
  cleanup: CleanupHook;
  /** Statements that must run before anything is measured: a typo fails here, in one line. */
  checkSql: readonly string[];
  onLog?: (line: string) => void;
}

/** Connects once and runs `checkSql`, so bad input fails before any progress output, with exit 2. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  let url = options.url;
  let close = async (): Promise<void> => undefined;
  if (url === undefined) {
    let server;
    try {
      server = await startEmbeddedPostgres({ cleanup: options.cleanup, onLog: options.onLog });
    } catch (error) {
      throw new UsageError(describeError(error));
    }
    url = server.url;
    close = () => server.stop();
  }
  try {
    const dialect = dialectOf(url);
    if (dialect === undefined) throw new UsageError(`unsupported database URL ${redactUrl(url)}: use postgresql://, mysql://, mariadb:// or sqlite:///file.db`);
    const facts = await check(url, dialect, options.checkSql);
    return { url, shown: redactUrl(url), dialect, embedded: options.url === undefined, facts, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function check(url: string, dialect: Dialect, statements: readonly string[]): Promise<ServerFacts> {
  let target;
  try {
    target = makeTarget(url, { size: 1, createTimeoutMs: 10_000, acquireTimeoutMs: 15_000 });
  } catch (error) {
    throw new UsageError(describeError(error));
  }
  try {
    let facts: ServerFacts;
    try {
      facts = await readServerFacts(dialect, (sql) => target.query(sql));
    } catch (error) {
      throw new UsageError(`cannot connect to ${redactUrl(url)}: ${describeError(error)}`);
    }
    for (const sql of statements) {
      try {
        await target.query(sql);
      } catch (error) {
        throw new UsageError(`the SQL failed on ${redactUrl(url)}: ${describeError(error)} (in: ${sql})`);
      }
    }
    return facts;
  } finally {
    await target.close().catch(() => undefined);
  }
}
