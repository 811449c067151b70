import { LeaseError } from '../core/errors.js';
import { isMysqlConnectionClosed, type MysqlConnection } from '../drivers/mysql/dialect.js';
import type { Connection } from '../engine/connection.js';

/** A pooled connection as mysql2 hands it out (callback or promise API), with `release()` and `destroy()`. */
export interface MysqlPoolConnection {
  query(...args: any[]): any;
  execute(...args: any[]): any;
  release(): void;
  destroy(): void;
  [member: string]: any;
}

/**
 * One checkout through MysqlPool, seen the two ways mysql2 offers it: the callback connection
 * (`pool.getConnection(cb)`, what Kysely uses) and mysql2/promise's connection over it. Both are
 * mysql2's own objects behind a Proxy that sends `query` and `execute` through the engine's
 * connection (statement deadline, query counting, lost-connection retirement) and gives them
 * pool semantics: `release()` returns, `destroy()` closes, `end()` returns (as mysql2's pool
 * connection does). The same views come back for the same connection on every checkout.
 */
export class MysqlViews {
  readonly #views = new WeakMap<MysqlConnection, { callback: MysqlPoolConnection; promise: MysqlPoolConnection }>();
  readonly #checkouts = new Map<MysqlConnection, MysqlCheckout>();

  checkOut(connection: Connection<MysqlConnection>, onRelease: (checkout: MysqlCheckout, destroy: boolean) => void): MysqlCheckout {
    const raw = connection.raw;
    let released = false;
    const checkout: MysqlCheckout = {
      connection,
      ...this.views(raw),
      release: (destroy) => {
        if (released) throw new LeaseError('HAVUZ_LEASE_RELEASED', 'This pooled connection was already released');
        released = true;
        this.#checkouts.delete(raw);
        onRelease(checkout, destroy || isMysqlConnectionClosed(raw));
      },
    };
    this.#checkouts.set(raw, checkout);
    return checkout;
  }

  views(raw: MysqlConnection): { callback: MysqlPoolConnection; promise: MysqlPoolConnection } {
    let views = this.#views.get(raw);
    if (views === undefined) {
      const callback = this.#view(raw, (raw as unknown as { connection: object }).connection, 'callback.', undefined);
      views = { callback, promise: this.#view(raw, raw, '', callback) };
      this.#views.set(raw, views);
    }
    return views;
  }

  /** `under`: for the promise view, the callback view it wraps (mysql2/promise's `.connection`). */
  #view(raw: MysqlConnection, target: object, prefix: string, under: MysqlPoolConnection | undefined): MysqlPoolConnection {
    const run = (method: 'query' | 'execute') => (...args: unknown[]) => {
      const checkout = this.#checkouts.get(raw);
      if (checkout === undefined) throw new LeaseError('HAVUZ_LEASE_RELEASED', `${method}() on a pooled connection after it was released`);
      return checkout.connection.native(prefix + method, args);
    };
    const members: Record<PropertyKey, unknown> = {
      query: run('query'),
      execute: run('execute'),
      release: () => this.#checkouts.get(raw)?.release(false),
      end: () => this.#checkouts.get(raw)?.release(false),
      destroy: () => this.#checkouts.get(raw)?.release(true),
      promise: () => this.views(raw).promise,
    };
    if (under !== undefined) members.connection = under;
    return new Proxy(target as MysqlPoolConnection, {
      get: (object, key) => (Object.hasOwn(members, key) ? members[key] : Reflect.get(object, key, object)),
    });
  }
}

export interface MysqlCheckout {
  readonly connection: Connection<MysqlConnection>;
  readonly callback: MysqlPoolConnection;
  readonly promise: MysqlPoolConnection;
  /** Back to the pool; `destroy`: close it instead. A second call throws. */
  readonly release: (destroy: boolean) => void;
}
