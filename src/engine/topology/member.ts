import type { Clock } from '../../core/clock.js';
import { HavuzError, HealthTimeoutError, messageOf } from '../../core/errors.js';
import type { PoolStatus } from '../../core/stats.js';
import { isConnectPhase } from '../../core/events.js';
import { within } from '../../core/timeouts.js';
import type { Dialect } from '../../drivers/schemes.js';
import { Engine, type EngineOptions } from '../engine.js';
import { redactUrl } from '../redact.js';
import type { HostAddress } from './hosts.js';
import { probeFacts, roleOf, type HostFacts, type ServerRole } from './roles.js';

/** A host's role as routing sees it: `down` after a failed check, `unknown` before the first. */
export type HostRole = ServerRole | 'down' | 'unknown';

/** One host in `engine.status().hosts`: what a monitor shows per host. Never holds a secret. */
export interface HostStatus {
  host: string;
  role: HostRole;
  /** PostgreSQL: a standby (`pg_is_in_recovery()`); MySQL: the same as readOnly. Unset until checked. */
  inRecovery?: boolean;
  readOnly?: boolean;
  /** A replica's lag behind its primary as last measured; undefined when not known. */
  lagMs: number | undefined;
  /** How long ago the host was last checked (its monitor or a new connection); undefined if never. */
  checkedAgoMs: number | undefined;
  /** Why it counts as down. */
  error?: { code: string | undefined; message: string };
  /** The host's own pool. */
  pool: PoolStatus;
}

/** A host of a topology engine, as `engine.hosts` shows it: its address, role and own engine (one pool per host). */
export interface TopologyHost<C = unknown> {
  readonly address: HostAddress;
  readonly engine: Engine<C>;
  readonly role: HostRole;
  status(): HostStatus;
}

export interface MemberSettings {
  dialect: Dialect;
  clock: Clock;
  checkTimeoutMs: number;
  /** The dialect's verdict on an error: the connection is gone (lost, terminated, reset). */
  isLost: (error: unknown) => boolean;
  /** Called after the host's role or reachability changed. */
  onChange: (member: Member<any>, previous: HostRole) => void;
}

/**
 * One host: its pool (an Engine of its own, with the core's semantics), a one-connection monitor
 * engine that asks the server its role and lag (MongoDB's drivers keep a monitoring connection per
 * server the same way, so a check never queues behind the app's own work), and what is known.
 */
export class Member<C> implements TopologyHost<C> {
  readonly address: HostAddress;
  readonly engine: Engine<C>;
  readonly #monitor: Engine<C>;
  readonly #settings: MemberSettings;
  #facts: HostFacts | undefined;
  #up: boolean | undefined;
  /** Bumped on every role or reachability change: connections checked before it are checked again. */
  generation = 0;
  #error: unknown;
  #checkedAt: number | undefined;
  #probing: Promise<void> | undefined;
  #down = new AbortController();
  #closed = false;

  constructor(address: HostAddress, url: string, options: EngineOptions, settings: MemberSettings) {
    this.address = address;
    this.#settings = settings;
    const name = `${options.name}@${address.label}`;
    // No echo here: the topology engine echoes its statements and its hosts' pool events itself.
    this.engine = new Engine<C>(url, { ...options, name, echo: false, echoPool: false });
    const t = settings.checkTimeoutMs;
    try {
      // Only what a connection needs from the user's options: no init hooks, no sizing.
      this.#monitor = new Engine<C>(url, {
        name: `${name}/monitor`,
        poolClass: 'queue',
        size: 1,
        maxOverflow: 0,
        minIdle: 0,
        // A check reports a dead host at its first failed connect, not after riding out a restart.
        failFast: true,
        failFastAfterMs: 0,
        acquireTimeoutMs: t,
        createTimeoutMs: t,
        statementTimeoutMs: t,
        echo: false,
        echoPool: false,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      });
    } catch (error) {
      void this.engine.close();
      throw error;
    }
    // The pools see a host go away first: their idle connections break (57P01 at shutdown), the
    // busy ones come back lost, and connects fail. Each is a reason to ask the host again at once.
    // The monitor's pool counts too: with no traffic, its connection is the only one open.
    for (const engine of [this.engine, this.#monitor]) {
      engine.on('close', (e) => {
        if (e.reason === 'broken') this.suspect();
      });
      engine.on('invalidate', (e) => {
        if (settings.isLost(e.reason)) this.suspect();
      });
    }
    this.engine.on('connection-error', (e) => {
      if (isConnectPhase(e.phase)) this.suspect();
    });
  }

  get facts(): HostFacts | undefined {
    return this.#up === true ? this.#facts : undefined;
  }

  get role(): HostRole {
    if (this.#up === undefined) return 'unknown';
    return this.#up && this.#facts !== undefined ? roleOf(this.#facts) : 'down';
  }

  /** Aborts when the host is found down, so acquires waiting on its pool go elsewhere at once. */
  get downSignal(): AbortSignal {
    return this.#down.signal;
  }

  /** Asks the host now, unless a check is already under way. Never rejects. */
  probe(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return (this.#probing ??= this.#check().finally(() => (this.#probing = undefined)));
  }

  suspect(): void {
    void this.probe();
  }

  /** Facts read on one of the host's own connections; returns the generation they hold for. */
  record(facts: HostFacts): number {
    const known = this.#facts;
    const sameRole = known !== undefined && known.inRecovery === facts.inRecovery && known.readOnly === facts.readOnly;
    // A connection's check may not measure lag (MySQL's needs a second statement): keep the monitor's.
    this.#update(true, facts.lagMs === undefined && sameRole ? { ...facts, lagMs: known.lagMs } : facts, undefined);
    // A new connection and the monitor disagree: the name may lead elsewhere now (DNS moved), so
    // the monitor looks again on a fresh connection, or it would keep reporting the old server.
    if (known !== undefined && !sameRole && !this.#closed) void this.#monitor.dispose().then(() => this.#probing).then(() => this.probe());
    return this.generation;
  }

  async #check(): Promise<void> {
    const { dialect, clock, checkTimeoutMs } = this.#settings;
    const work = (async () => {
      const connection = await this.#monitor.connect({ timeoutMs: checkTimeoutMs });
      try {
        return await probeFacts(dialect, (sql) => connection.query(sql), true);
      } finally {
        connection.release();
      }
    })();
    work.catch(() => undefined); // settled after the deadline: already counted as down
    try {
      this.#update(true, await within(work, checkTimeoutMs, clock, () => new HealthTimeoutError(checkTimeoutMs)), undefined);
    } catch (error) {
      this.#update(false, undefined, error);
    }
  }

  #update(up: boolean, facts: HostFacts | undefined, error: unknown): void {
    if (this.#closed) return;
    const previous = this.role;
    const changed =
      up !== this.#up ||
      (facts !== undefined && (facts.inRecovery !== this.#facts?.inRecovery || facts.readOnly !== this.#facts?.readOnly));
    this.#checkedAt = this.#settings.clock.now();
    this.#error = error;
    if (facts !== undefined) this.#facts = facts;
    if (up && this.#down.signal.aborted) this.#down = new AbortController();
    if (!up && !this.#down.signal.aborted) this.#down.abort(error);
    this.#up = up;
    if (!changed) return;
    this.generation++;
    this.#settings.onChange(this, previous);
  }

  status(): HostStatus {
    const facts = this.#facts;
    const error = this.#error;
    return {
      host: this.address.label,
      role: this.role,
      ...(facts === undefined ? {} : { inRecovery: facts.inRecovery, readOnly: facts.readOnly }),
      lagMs: this.#up === true ? facts?.lagMs : undefined,
      checkedAgoMs: this.#checkedAt === undefined ? undefined : Math.round(this.#settings.clock.now() - this.#checkedAt),
      ...(this.#up !== false || error === undefined
        ? {}
        : { error: { code: error instanceof HavuzError ? error.code : (error as { code?: string }).code, message: redactUrl(messageOf(error)) } }),
      pool: this.engine.status(),
    };
  }

  close(options?: { timeoutMs?: number }): Promise<void> {
    this.#closed = true;
    if (!this.#down.signal.aborted) this.#down.abort(new Error('engine closed'));
    return Promise.all([this.engine.close(options), this.#monitor.close(options)]).then(() => undefined);
  }
}
