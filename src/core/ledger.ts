import type { EntryState, PoolEntry } from './entry.js';
import { List } from './list.js';

/**
 * Every entry the pool has, by state. `move` is the only way an entry changes state, and it keeps
 * the counts and the idle list with it (porsager/postgres's `move(connection, queue)`; HikariCP's
 * one compare-and-set per state change).
 */
export class Ledger<T> {
  /**
   * Idle entries, oldest first: they are appended as they go idle, so the list is in `idleSince`
   * order, its tail is the newest (LIFO) and its head the longest idle (FIFO).
   */
  readonly idle = new List<PoolEntry<T>>();
  /** Open entries: idle, pinging, leased or resetting (not connecting, not closed). */
  readonly open = new Set<PoolEntry<T>>();
  connecting = 0;
  pinging = 0;
  leased = 0;
  resetting = 0;

  /** Checked out, being pinged or being reset: every open entry that is not idle. */
  get inUse(): number {
    return this.pinging + this.leased + this.resetting;
  }

  add(entry: PoolEntry<T>): void {
    entry.state = 'connecting';
    this.connecting++;
  }

  move(entry: PoolEntry<T>, to: EntryState, now = 0): void {
    const from = entry.state;
    if (from === to) return;
    switch (from) {
      case 'connecting':
        this.connecting--;
        if (to !== 'closed') this.open.add(entry);
        break;
      case 'idle':
        this.idle.remove(entry);
        break;
      case 'pinging':
        this.pinging--;
        break;
      case 'leased':
        this.leased--;
        break;
      case 'resetting':
        this.resetting--;
        break;
      case 'closed':
        throw new Error(`havuz bug: entry ${entry.id} moved out of closed`);
    }
    switch (to) {
      case 'idle':
        entry.idleSince = now;
        this.idle.push(entry);
        break;
      case 'pinging':
        this.pinging++;
        break;
      case 'leased':
        this.leased++;
        break;
      case 'resetting':
        this.resetting++;
        break;
      case 'closed':
        if (from !== 'connecting') this.open.delete(entry);
        break;
      case 'connecting':
        throw new Error(`havuz bug: entry ${entry.id} moved back to connecting`);
    }
    entry.state = to;
  }
}
