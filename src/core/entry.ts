let nextId = 1;

/**
 * Where an entry is. Each one is in exactly one state, and only `Ledger.move` changes it, so the
 * counts `status()` reports can never drift from the entries themselves.
 *
 * connecting → idle | leased | closed;  idle → leased | pinging | closed;  pinging → leased | idle | closed;
 * leased → resetting | idle | leased (handed straight on) | pinging (handed on, pinged first) | closed;
 * resetting → idle | leased | pinging | closed.
 */
export type EntryState = 'connecting' | 'idle' | 'pinging' | 'leased' | 'resetting' | 'closed';

/**
 * The long-lived slot behind one connection (HikariCP's PoolEntry): everything the pool needs to
 * decide whether to reuse, recycle or close it. A checkout gets a Lease, never this. Every field
 * is set in the constructor, so all entries share one hidden class.
 */
export class PoolEntry<T> {
  readonly id = nextId++;
  connection: T = undefined as T;
  state: EntryState = 'connecting';
  createdAt = 0;
  /** When max lifetime recycles it (jittered); Infinity when lifetime is off. */
  expiresAt = Infinity;
  /** Last checkout, return or successful ping: the pre-ping bypass counts from here. */
  lastUsedAt = 0;
  /** When it last went idle: the idle list is in this order, and the idle timeout counts from it. */
  idleSince = 0;
  checkedOutAt = 0;
  uses = 0;
  /** Callers holding it: 0 or 1, except in a pool class that shares one connection (StaticPool). */
  holders = 0;
  /** The pool generation it was opened in; an older one means invalidateAll() ran since. */
  generation = 0;
  /**
   * Closed when it is next free, for this reason: it died while in use (`broken`), or a holder
   * invalidated a connection others still share (`invalidated`).
   */
  doomed: 'broken' | 'invalidated' | undefined = undefined;
  /** Acquirer's stack, kept only with leak detection. */
  stack: string | undefined = undefined;
  leakReported = false;
  /** Links of the idle list, while it is idle. */
  prev: PoolEntry<T> | undefined = undefined;
  next: PoolEntry<T> | undefined = undefined;
  listed = false;
}
