import type { Factory } from '../../core/factory.js';
import { abortable, endWithin } from '../../core/timeouts.js';
import { KEEPALIVE_INITIAL_DELAY_MS, keepProcessAlive } from '../socket.js';
import { loadPackage } from '../dialect.js';
import { exportOf } from '../interop.js';
import { Liveness } from '../liveness.js';

/** The part of an ioredis client havuz uses (typed here: ioredis is an optional peer dependency). */
export interface RedisClient {
  readonly status: string;
  /** 'normal', 'subscriber' or 'monitor' (ioredis 5). */
  readonly mode?: string;
  connect(): Promise<void>;
  ping(): Promise<string>;
  disconnect(): void;
  /** The socket; destroyed directly when a close does not finish. */
  readonly stream?: { destroy(): void };
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  once(event: 'end', listener: () => void): unknown;
}

type RedisClass = new (...args: unknown[]) => RedisClient;

/**
 * What makes an ioredis client fit for a pool: no reconnecting and no offline queue. A dead
 * connection then fails its commands at once and the pool replaces it, instead of ioredis quietly
 * reconnecting underneath (losing SELECT, WATCH and subscriptions) while commands pile up.
 * These override the caller's options.
 */
const pooled = {
  lazyConnect: true,
  enableOfflineQueue: false,
  retryStrategy: () => null,
  reconnectOnError: () => false,
  autoResubscribe: false,
  maxRetriesPerRequest: 0,
  keepAlive: KEEPALIVE_INITIAL_DELAY_MS,
};

/**
 * A core Factory over ioredis, for what needs a connection of its own: blocking commands (BLPOP),
 * WATCH/MULTI, pub/sub. `R` lets callers name the full ioredis type (`redisFactory<Redis>(url)`).
 *
 * Reset makes no round trip: it refuses (so the pool drops the connection) a client that is not
 * ready or was left in subscriber or monitor mode, which no command can undo safely. RESET is not
 * used: it would also log the client out to the default user and SELECT database 0. Borrowers
 * that WATCH must EXEC, DISCARD or UNWATCH before release; ioredis's multi() sends MULTI..EXEC
 * in one go, so it leaves nothing open.
 */
export function redisFactory<R extends RedisClient = RedisClient>(target: string | Record<string, unknown>): Factory<R> {
  const lives = new WeakMap<RedisClient, Liveness>();
  return {
    async create({ signal, onBroken }) {
      signal.throwIfAborted();
      const Redis = exportOf<RedisClass>(await loadPackage('ioredis', 'redis'), 'Redis');
      const client = typeof target === 'string' ? new Redis(target, pooled) : new Redis({ ...target, ...pooled });
      const liveness = new Liveness(onBroken);
      lives.set(client, liveness);
      // Always listening: ioredis emits 'error' on an idle socket error.
      let firstError: unknown;
      client.on('error', (error) => {
        firstError ??= error;
        liveness.lost(error);
      });
      client.on('end', () => liveness.lost(new Error('Redis connection closed')));
      // A refused connect rejects with "Connection is closed."; the cause (ECONNREFUSED) came as an 'error' event.
      const connecting = client.connect().catch((error: unknown) => {
        throw firstError ?? error;
      });
      await abortable(connecting, signal, () => {
        liveness.close();
        client.disconnect();
      });
      liveness.opened();
      return client as R;
    },

    async destroy(client) {
      lives.get(client)?.close();
      if (client.status === 'end') return;
      // No QUIT (deprecated since Redis 7.2, and it waits on a server that may be gone): close the
      // socket, and destroy it if the server does not finish the close promptly.
      const ended = new Promise<void>((resolve) => client.once('end', resolve));
      await endWithin(
        () => {
          client.disconnect();
          return ended;
        },
        () => client.stream?.destroy(),
      );
    },

    passivate: (client) => keepProcessAlive(client.stream, false),
    activate: (client) => keepProcessAlive(client.stream, true),

    async validate(client) {
      return (await client.ping()) === 'PONG';
    },

    reset(client) {
      if (client.status !== 'ready') throw new Error(`Redis connection is ${client.status}`);
      if (client.mode !== undefined && client.mode !== 'normal') throw new Error(`Redis connection was left in ${client.mode} mode`);
    },
  };
}
