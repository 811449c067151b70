import type { EventEmitter } from 'node:events';
import { isPgClientClosed, type PgClient } from '../drivers/postgres/dialect.js';
import type { Connection } from '../engine/connection.js';
import { releasedTwice } from './errors.js';

/**
 * The checked-out client as callers see it: the real `pg.Client` (its class, fields and methods;
 * typed loosely, since `pg` is an optional peer) with pg-pool's `release(err?)`.
 */
export interface PgPoolClient extends EventEmitter {
  query(...args: any[]): any;
  release(error?: Error | boolean): void;
  [member: string]: any;
}

/** One checkout through the facade: the engine's connection, and pg-pool's `release` for it. */
export interface PgCheckout {
  readonly connection: Connection<PgClient>;
  readonly client: PgPoolClient;
  /** pg-pool's `release(err?)`: an error, or `true`, closes the client. A second call throws. */
  readonly release: (error?: Error | boolean) => void;
  /** pool.query's own return: the error is reported, but only a lost connection closes the client. */
  readonly finish: (error?: Error) => void;
}

type OnRelease = (checkout: PgCheckout, error: Error | boolean | undefined, destroyOnError: boolean) => void;

/**
 * What PgPool hands out for each pg.Client: the client itself, seen through a Proxy that sends
 * `query` through the engine's connection (statement deadline with server-side cancel, query
 * counting, lost-connection retirement) and answers `release` for the current checkout. Every
 * other member is the client's own, so `instanceof pg.Client`, `processID`, `connection`, events
 * and ORMs' own fields behave as on pg.Client. One view per client, for its whole life: the same
 * object comes back on every checkout, as pg-pool's does.
 */
export class PgClientViews {
  readonly #views = new WeakMap<PgClient, PgPoolClient>();
  readonly #checkouts = new Map<PgClient, PgCheckout>();

  view(raw: PgClient): PgPoolClient {
    let view = this.#views.get(raw);
    if (view === undefined) {
      view = this.#makeView(raw);
      this.#views.set(raw, view);
    }
    return view;
  }

  /** The facade's checkout holding `raw`, if it is checked out through the facade now. */
  checkoutOf(raw: PgClient): PgCheckout | undefined {
    return this.#checkouts.get(raw);
  }

  get checkedOut(): IterableIterator<PgClient> {
    return this.#checkouts.keys();
  }

  checkOut(connection: Connection<PgClient>, onRelease: OnRelease): PgCheckout {
    const raw = connection.raw;
    let released = false;
    const give = (error: Error | boolean | undefined, destroyOnError: boolean): void => {
      if (released) throw releasedTwice();
      released = true;
      this.#checkouts.delete(raw);
      onRelease(checkout, error, destroyOnError);
    };
    const checkout: PgCheckout = {
      connection,
      client: this.view(raw),
      release: (error) => give(error, true),
      finish: (error) => give(error, false),
    };
    this.#checkouts.set(raw, checkout);
    return checkout;
  }

  #makeView(raw: PgClient): PgPoolClient {
    const query = (...args: unknown[]): unknown => {
      const checkout = this.#checkouts.get(raw);
      // Not checked out (an onConnect hook, or a stale reference): pg's own behaviour, no bookkeeping.
      if (checkout === undefined) return (raw as unknown as PgPoolClient).query(...args);
      return checkout.connection.native('query', args);
    };
    const staleRelease = (): never => {
      throw releasedTwice();
    };
    return new Proxy(raw as unknown as PgPoolClient, {
      get: (target, key) => {
        if (key === 'query') return query;
        if (key === 'release') return this.#checkouts.get(raw)?.release ?? staleRelease;
        return Reflect.get(target, key, target);
      },
    });
  }
}

/** pg-pool's test for a client that must not go back: ended by its user, or broken. */
export function isClientDead(raw: PgClient): boolean {
  const client = raw as unknown as { _ending?: boolean; _queryable?: boolean };
  return client._ending === true || client._queryable === false || isPgClientClosed(raw);
}
