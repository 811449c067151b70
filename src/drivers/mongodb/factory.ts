import type { Factory } from '../../core/factory.js';
import { abortable } from '../../core/timeouts.js';
import { loadPackage } from '../dialect.js';
import { exportOf } from '../interop.js';
import { Liveness } from '../liveness.js';
import { connectMongo } from './connect.js';

/** The part of the `mongodb` package's MongoClient havuz uses (typed here: it is an optional peer). */
export interface MongoClientLike {
  connect(): Promise<unknown>;
  close(): Promise<void>;
  db(name?: string): { command(command: Record<string, unknown>): Promise<{ ok?: unknown }> };
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

type MongoClientClass = new (url: string, options: Record<string, unknown>) => MongoClientLike;

/**
 * A core Factory of MongoClients. A MongoClient is itself a pool that monitors the servers and
 * reconnects, so most programs want exactly one; this factory is for giving each lease a client
 * of its own (isolation, per-tenant limits). Each client gets `maxPoolSize: 1` unless the options
 * say otherwise, so havuz's size bounds the sockets.
 *
 * Run with the real driver against a fake wire-protocol server and a refused port only (there is
 * no MongoDB server where havuz is developed); a refused connect fails at once with its cause.
 *
 * No reset: sessions and transactions are explicit ClientSession objects in this API, so nothing
 * is left open on the client itself. A lost server is not "broken" either: the client recovers on
 * its own; only a client closed behind the pool's back ('topologyClosed') or an 'error' event is.
 */
export function mongoFactory<C extends MongoClientLike = MongoClientLike>(url: string, options: Record<string, unknown> = {}): Factory<C> {
  const lives = new WeakMap<MongoClientLike, Liveness>();
  return {
    async create({ signal, onBroken }) {
      signal.throwIfAborted();
      const MongoClient = exportOf<MongoClientClass>(await loadPackage('mongodb', 'mongodb'), 'MongoClient');
      const client = new MongoClient(url, { maxPoolSize: 1, ...options });
      const liveness = new Liveness(onBroken);
      lives.set(client, liveness);
      client.on('error', liveness.lost);
      client.on('topologyClosed', () => liveness.lost(new Error('MongoClient was closed')));
      await abortable(connectMongo(client), signal, () => {
        liveness.close();
        client.close().catch(() => {});
      });
      liveness.opened();
      return client as C;
    },

    async destroy(client) {
      lives.get(client)?.close();
      await client.close();
    },

    async validate(client) {
      const reply = await client.db('admin').command({ ping: 1 });
      return reply.ok === 1;
    },
  };
}
