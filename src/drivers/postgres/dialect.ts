import type { CreateContext } from '../../core/factory.js';
import { abortable, endWithin, withDeadline } from '../../core/timeouts.js';
import { loadPackage, type ConnectionConfig, type QueryOptions, type QueryResult, type SqlDialect } from '../dialect.js';
import { StatementTimeoutError } from '../../core/errors.js';
import { exportOf, fieldsOf, isSocketError } from '../interop.js';
import { ConnectionStates, Liveness } from '../liveness.js';
import { quoteDouble, transactionSql } from '../sql.js';
import { sendCancel } from './cancel.js';
import { pgClientConfig } from './config.js';
import { destroySocket, keepProcessAlive } from '../socket.js';
import { POSTGRES_URL_PARAMS } from '../url-params.js';

/** The part of `pg.Client` havuz uses, typed here so `pg` stays an optional peer dependency. */
export interface PgClient {
  readonly host: string;
  readonly port: number;
  readonly processID: number | null;
  readonly secretKey: number | null;
  connect(): Promise<unknown>;
  end(): Promise<void>;
  query(config: { text: string; values?: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  /** 'I' idle, 'T' in a transaction, 'E' in a failed one; pg >= 8.14. */
  getTransactionStatus?(): string | null;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/** The connection type of the postgres dialect: pg's own Client. */
export type PostgresConnection = PgClient;

type PgClientClass = new (config: Record<string, unknown>) => PgClient;

/** How long a cancelled statement may take to stop before its connection is dropped. */
const cancelGraceMs = 2_000;

/** What havuz knows about a client that pg does not track. */
interface ClientState {
  readonly liveness: Liveness;
  /**
   * pg rejects a failed query before the server's ReadyForQuery arrives, so the transaction status
   * read right after a failure can be stale; after one, reset rolls back without trusting it.
   */
  failedSinceReset: boolean;
}

const states = new ConnectionStates<PgClient, ClientState>('pg client');
const stateOf = (client: PgClient): ClientState => states.of(client);

/** True once the client died, was dropped after a timeout, or was closed: it must not go back to a pool. */
export const isPgClientClosed = (client: PgClient): boolean => states.isClosed(client);

const lostCodes = new Set(['57P01', '57P02', '57P03']);

export const postgresDialect: SqlDialect<PgClient> = {
  name: 'postgres',
  packageName: 'pg',
  placeholder: '$n',
  urlParams: POSTGRES_URL_PARAMS,

  isSingleConnection: () => false,

  async connect(config: ConnectionConfig, context: CreateContext): Promise<PgClient> {
    context.signal.throwIfAborted();
    const Client = exportOf<PgClientClass>(await loadPackage('pg', 'postgres'), 'Client');
    const client = new Client(pgClientConfig(config));
    const liveness = new Liveness(context.onBroken);
    states.set(client, { liveness, failedSinceReset: false });
    // Always listening: pg emits 'error' on an idle client, and with no listener Node would crash.
    client.on('error', liveness.lost);
    client.on('end', () => liveness.lost(new Error('Connection terminated')));
    await abortable(client.connect(), context.signal, () => {
      liveness.close();
      destroyClient(client);
    });
    liveness.opened();
    return client;
  },

  close(client) {
    stateOf(client).liveness.close();
    return endWithin(() => client.end(), () => destroyClient(client));
  },

  async ping(client) {
    if (stateOf(client).liveness.closed) return false;
    await client.query({ text: 'SELECT 1' });
    return true;
  },

  passivate: (client) => keepProcessAlive(socketOf(client), false),
  activate: (client) => keepProcessAlive(socketOf(client), true),

  reset(client, full) {
    const state = stateOf(client);
    const status = client.getTransactionStatus?.() ?? null;
    const rollback = status !== 'I' || state.failedSinceReset;
    if (!rollback && !full) return;
    return (async () => {
      if (rollback) await client.query({ text: 'ROLLBACK' });
      state.failedSinceReset = false;
      // DISCARD ALL refuses to run inside a transaction block, hence after the rollback.
      if (full) await client.query({ text: 'DISCARD ALL' });
    })();
  },

  query<R>(client: PgClient, sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    const state = stateOf(client);
    // The string form: pg copies an object config on every query. Without values pg uses the
    // simple protocol, which also runs several statements (init SQL).
    const running = params !== undefined && params.length > 0 ? client.query(sql, [...params]) : client.query(sql);
    const timeoutMs = options?.timeoutMs;
    const bounded =
      timeoutMs === undefined || timeoutMs <= 0
        ? running
        : withDeadline(running, {
            timeoutMs,
            graceMs: cancelGraceMs,
            cancel: () => sendCancel(client, cancelGraceMs),
            destroy: () => {
              state.liveness.close();
              destroyClient(client);
            },
          }, options?.clock);
    // One .then, no async frame: this is every query's path.
    return bounded.then(
      (result) => {
        // A statement answered after the failure, so pg's transaction status is current again.
        state.failedSinceReset = false;
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      },
      (error: unknown) => {
        state.failedSinceReset = true;
        throw error;
      },
    );
  },

  isConnectionLost(error) {
    if (error instanceof StatementTimeoutError) return error.connectionLost;
    if (isSocketError(error)) return true;
    const { code, message } = fieldsOf(error);
    if (typeof code === 'string' && (code.startsWith('08') || lostCodes.has(code))) return true;
    if (typeof message !== 'string') return false;
    // pg's own words for a client whose socket is gone (terminated, or failed earlier).
    return message.startsWith('Connection terminated') || message.endsWith('is not queryable');
  },

  errorCode(error) {
    const { code } = fieldsOf(error);
    return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  },

  isTimeout(error) {
    // 57014 query_canceled: our cancel, or the server's own statement_timeout.
    return error instanceof StatementTimeoutError || fieldsOf(error).code === '57014';
  },

  sql: transactionSql(quoteDouble, 'BEGIN READ ONLY'),
};

/**
 * `end()` waits for the server's goodbye, which a blackholed server never sends; while connecting
 * or when a statement hangs, only destroying the socket frees it (pg does the same on its own
 * connect timeout). With an active query pg's `end()` destroys the socket itself.
 */
function destroyClient(client: PgClient): void {
  if (!destroySocket(socketOf(client))) client.end().catch(() => {});
}

function socketOf(client: PgClient): unknown {
  return (client as { connection?: { stream?: unknown } }).connection?.stream;
}
