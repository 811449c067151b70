import type { CreateContext } from '../../core/factory.js';
import { abortable, endWithin, isThenable, withDeadline } from '../../core/timeouts.js';
import { loadPackage, type ConnectionConfig, type QueryOptions, type QueryResult, type SqlDialect } from '../dialect.js';
import { StatementTimeoutError } from '../../core/errors.js';
import { exportOf, fieldsOf, isSocketError } from '../interop.js';
import { ConnectionStates, Liveness } from '../liveness.js';
import { quoteDouble, transactionSql } from '../sql.js';
import { sendCancel } from './cancel.js';
import { pgClientConfig } from './config.js';
import { destroySocket, keepProcessAlive } from '../socket.js';
import { POSTGRES_URL_PARAMS } from '../url-params.js';
import { isSubmittable, pgNativeQuery, pgQuery, type NativeDeadline, type RawQueryable } from './native.js';

/** The part of `pg.Client` havuz uses, typed here so `pg` stays an optional peer dependency. */
export interface PgClient {
  readonly host: string;
  readonly port: number;
  readonly processID: number | null;
  readonly secretKey: number | null;
  /** With a callback, as pg and pg-compatible clients (pg-native, test doubles) all take it. */
  connect(callback: (error?: Error | null) => void): unknown;
  end(): Promise<void>;
  query(config: { text: string; values?: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  /** 'I' idle, 'T' in a transaction, 'E' in a failed one; pg >= 8.14. */
  getTransactionStatus?(): string | null;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

interface PgResult {
  rows: unknown[];
  rowCount: number | null;
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
  /** Idle in its pool: its socket should not keep the process alive (see passivate). */
  passive: boolean;
  /** A 'drain' listener is waiting to unref the socket once pg has finished with it. */
  awaitingDrain: boolean;
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
    const Client = await clientClass(config);
    const client = new Client(pgClientConfig(config));
    const liveness = new Liveness(context.onBroken);
    states.set(client, { liveness, failedSinceReset: false, passive: false, awaitingDrain: false });
    // Always listening: pg emits 'error' on an idle client, and with no listener Node would crash.
    client.on('error', liveness.lost);
    client.on('end', () => liveness.lost(new Error('Connection terminated')));
    await abortable(connectClient(client), context.signal, () => {
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

  passivate(client) {
    const state = stateOf(client);
    state.passive = true;
    if (!busy(client)) {
      keepProcessAlive(socketOf(client), false);
      return;
    }
    // Returned before pg heard the server's ReadyForQuery (a stream or cursor that failed): the
    // socket still has work to finish, so it is unref'd only once pg's queue drains.
    if (state.awaitingDrain) return;
    state.awaitingDrain = true;
    (client as unknown as { once(event: 'drain', listener: () => void): unknown }).once('drain', () => {
      state.awaitingDrain = false;
      if (state.passive) keepProcessAlive(socketOf(client), false);
    });
  },

  activate(client) {
    stateOf(client).passive = false;
    keepProcessAlive(socketOf(client), true);
  },

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
    // simple protocol, which also runs several statements (init SQL). pg's callback form, not its
    // promise form: see pgQuery.
    const running = pgQuery(client as unknown as RawQueryable, sql, params !== undefined && params.length > 0 ? [...params] : undefined, undefined, Promise) as Promise<PgResult>;
    const deadline = deadlineOf(client, state, options);
    const bounded = deadline === undefined ? running : withDeadline(running, deadline, deadline.clock);
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

  native(client, method, args, options, settled) {
    if (method !== 'query') throw new TypeError(`pg clients have no native "${method}" here; use "query"`);
    const state = stateOf(client);
    if (isSubmittable(args[0])) {
      // A cursor or stream reads its rows over many round trips at its reader's pace: a deadline
      // would cut off a slow reader, and its outcome goes to its own listeners. It is done with
      // the client at the server's ReadyForQuery, which pg reads the transaction status from
      // first: the reset on return sees the status it left.
      return (client as unknown as RawQueryable).query(...args);
    }
    return pgNativeQuery(client as unknown as RawQueryable, args, deadlineOf(client, state, options), (error, result) => {
      state.failedSinceReset = error !== undefined;
      settled(error, (result as { rowCount?: number | null } | undefined)?.rowCount ?? undefined);
    });
  },

  isConnectionLost(error) {
    if (error instanceof StatementTimeoutError) return error.connectionLost;
    if (isSocketError(error)) return true;
    const { code, message, severity } = fieldsOf(error);
    // Class 08 is a connection exception, but PostgreSQL sends some as a plain ERROR that leaves
    // the session usable (08P01 for a wrong parameter count): only a FATAL one ends it.
    if (typeof code === 'string' && ((code.startsWith('08') && severity !== 'ERROR') || lostCodes.has(code))) return true;
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

  pipelining: {
    supports: (client) => {
      const c = client as unknown as { pipeline?: unknown; _sentQueryQueue?: unknown };
      return typeof c.pipeline === 'boolean' && Array.isArray(c._sentQueryQueue);
    },
    set: (client, on) => {
      (client as unknown as { pipeline: boolean }).pipeline = on;
    },
    transactionStatus: (client) => client.getTransactionStatus?.() ?? null,
    cancel: (client) => sendCancel(client, cancelGraceMs),
    drop: (client) => {
      stateOf(client).liveness.close();
      destroyClient(client);
    },
  },
};

/**
 * `end()` waits for the server's goodbye, which a blackholed server never sends; while connecting
 * or when a statement hangs, only destroying the socket frees it (pg does the same on its own
 * connect timeout). With an active query pg's `end()` destroys the socket itself.
 */
function destroyClient(client: PgClient): void {
  if (!destroySocket(socketOf(client)) && typeof client.end === 'function') Promise.resolve(client.end()).catch(() => {});
}

/** pg is still waiting on the server for this client: a statement in flight or queued. */
function busy(client: PgClient): boolean {
  const c = client as { readyForQuery?: boolean; _queryQueue?: unknown[] };
  return c.readyForQuery === false || (c._queryQueue?.length ?? 0) > 0;
}

function socketOf(client: PgClient): unknown {
  return (client as { connection?: { stream?: unknown } }).connection?.stream;
}

/** The statement deadline `options` ask for: cancel through the cancel key, then drop the socket. */
function deadlineOf(client: PgClient, state: ClientState, options: QueryOptions | undefined): NativeDeadline | undefined {
  const timeoutMs = options?.timeoutMs;
  if (timeoutMs === undefined || timeoutMs <= 0) return undefined;
  return {
    timeoutMs,
    graceMs: cancelGraceMs,
    cancel: () => sendCancel(client, cancelGraceMs),
    destroy: () => {
      state.liveness.close();
      destroyClient(client);
    },
    clock: options?.clock,
  };
}

/** pg's Client, or the class connectArgs name (`Client`: pg.native.Client, a subclass), as pg-pool's `Client` option. */
async function clientClass(config: ConnectionConfig): Promise<PgClientClass> {
  const own = config.connectArgs?.Client;
  if (own !== undefined) {
    if (typeof own !== 'function') throw new TypeError('connectArgs.Client must be a pg Client class');
    return own as PgClientClass;
  }
  return exportOf<PgClientClass>(await loadPackage('pg', 'postgres'), 'Client');
}

/** Connects with a callback, which every pg-compatible client takes; one that returns a promise instead is heard too. */
function connectClient(client: PgClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const returned = client.connect((error) => (error ? reject(error) : resolve()));
    if (isThenable(returned)) returned.then(() => resolve(), reject);
  });
}
