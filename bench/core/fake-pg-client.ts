import { EventEmitter } from 'node:events';
import { createResource, type Resource } from './resource.js';

/**
 * The part of `pg.Client` that pg-pool uses (see node_modules/pg-pool/index.js), with no database
 * behind it: pg-pool calls `new Client(options)`, `connect(cb)`, `end(cb)`, listens for 'error'
 * and 'end', and on release checks `_queryable` and `_ending` to decide whether to keep it.
 * Connecting awaits the same async factory as the other pools' resources.
 */
export class FakePgClient extends EventEmitter {
  _queryable = true;
  _ending = false;
  resource: Resource | undefined;

  connect(callback: (error?: Error) => void): void {
    createResource().then(
      (resource) => {
        this.resource = resource;
        callback();
      },
      (error: Error) => callback(error),
    );
  }

  end(callback?: () => void): void {
    this._ending = true;
    this._queryable = false;
    callback?.();
    this.emit('end');
  }

  query(_text: string, _values: unknown, callback: (error: Error | undefined, result: { rows: [] }) => void): void {
    callback(undefined, { rows: [] });
  }
}
