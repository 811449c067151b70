import pg from 'pg';
import { urls } from '../../support/databases.js';

/** The shared local PostgreSQL the suite runs against (scripts/services.sh starts it). */
export const PG_URL = urls.postgres;

/** In CI an unreachable database is a failure, never a skip. */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

let seq = 0;
/** A unique application_name per test, so pg_stat_activity shows only that test's backends. */
export function appName(test: string): string {
  return `flt_${test}_${process.pid}_${++seq}`;
}

/** `url` with query parameters added (application_name, havuz options...). */
export function withParams(url: string, params: Record<string, string | number | boolean>): string {
  const u = new URL(url);
  for (const [key, value] of Object.entries(params)) u.searchParams.set(key, String(value));
  return u.toString();
}

/**
 * Whether the database answers. Outside CI a test file may skip when it does not; in CI the
 * caller must not skip (see `skipUnless`).
 */
export async function reachable(url: string, timeoutMs = 3_000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** `{ skip }` for describe(): a reason to skip outside CI when the service is down; never in CI. */
export function skipUnless(up: boolean, what: string): { skip: string | false } {
  return { skip: up || IN_CI ? false : `${what} is not reachable (run scripts/services.sh); CI=true makes this a failure` };
}

/** One admin connection, straight through `pg`, independent of the havuz code under test. */
export class Admin {
  readonly #client: pg.Client;

  private constructor(client: pg.Client) {
    this.#client = client;
  }

  static async connect(url = PG_URL): Promise<Admin> {
    const client = new pg.Client({ connectionString: withParams(url, { application_name: 'flt_admin' }), connectionTimeoutMillis: 5_000 });
    client.on('error', () => {});
    await client.connect();
    return new Admin(client);
  }

  async query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<R[]> {
    return (await this.#client.query<R>(sql, params)).rows;
  }

  /** Backend pids whose application_name is `app` (client backends only). */
  async pids(app: string): Promise<number[]> {
    const rows = await this.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND backend_type = 'client backend'",
      [app],
    );
    return rows.map((r) => r.pid);
  }

  /** pg_terminate_backend for every backend of `app`; returns how many were signalled. */
  async terminate(app: string): Promise<number> {
    const rows = await this.query<{ n: string }>(
      'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [app],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Polls (bounded) until `app` has at most `count` backends; returns the last count seen. */
  async waitForBackends(app: string, atMost: number, timeoutMs = 5_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let n = (await this.pids(app)).length;
    while (n > atMost && Date.now() < deadline) {
      await pause(25);
      n = (await this.pids(app)).length;
    }
    return n;
  }

  async close(): Promise<void> {
    await this.#client.end().catch(() => {});
  }
}

/**
 * Watches the most backends `app` ever had open at once, polling pg_stat_activity every `everyMs`
 * from its own connection (bounded: it stops on `stop()`). Query errors while the server is down
 * are counted, not thrown.
 */
export class BackendWatcher {
  max = 0;
  samples = 0;
  errors = 0;
  readonly maxByApp = new Map<string, number>();
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(url: string, apps: readonly string[], everyMs = 25) {
    this.#done = this.#run(url, apps, everyMs);
  }

  async #run(url: string, apps: readonly string[], everyMs: number): Promise<void> {
    let admin: Admin | undefined;
    while (!this.#stopped) {
      try {
        admin ??= await Admin.connect(url);
        const rows = await admin.query<{ app: string; n: string }>(
          "SELECT application_name AS app, count(*) AS n FROM pg_stat_activity WHERE application_name = ANY($1) AND backend_type = 'client backend' GROUP BY 1",
          [apps],
        );
        this.samples++;
        for (const row of rows) {
          const n = Number(row.n);
          this.maxByApp.set(row.app, Math.max(this.maxByApp.get(row.app) ?? 0, n));
          this.max = Math.max(this.max, n);
        }
      } catch {
        this.errors++;
        await admin?.close();
        admin = undefined;
      }
      await pause(everyMs);
    }
    await admin?.close();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }
}

/** A plain delay, for pacing load loops and bounded polls only, never as synchronisation. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
