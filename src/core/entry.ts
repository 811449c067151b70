let nextId = 1;

/**
 * Where an entry is; each one is in exactly one state. `busy` is checked out, being pinged or
 * being reset: all of them count as in use.
 */
export type EntryState = 'connecting' | 'idle' | 'busy' | 'closed';

/**
 * The long-lived slot behind one open connection (HikariCP's PoolEntry): everything the pool
 * needs to decide whether to reuse, recycle or close it. A checkout gets a Lease, never this.
 */
export class PoolEntry<T> {
  readonly id = nextId++;
  connection!: T;
  createdAt = 0;
  /** When max lifetime recycles it (jittered); Infinity when lifetime is off. */
  expiresAt = Infinity;
  lastUsedAt = 0;
  checkedOutAt = 0;
  uses = 0;
  /** The pool generation it was opened in; an older one means invalidateAll() ran since. */
  generation = 0;
  state: EntryState = 'connecting';
  /** The connection died (reported by the driver) or was invalidated while leased. */
  broken = false;
  /** Held by a caller (Busy but not being pinged or reset): what leak detection watches. */
  leased = false;
  /** Acquirer's stack, kept only when leak detection or the assertion pool asks for it. */
  stack: string | undefined = undefined;
  leakReported = false;
}
