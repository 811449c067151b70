import { performance } from 'node:perf_hooks';
import { ConnectCounter } from './connect-counter.js';
import { Load } from './load.js';
import { pause } from './postgres.js';
import type { ScratchPostgres } from './scratch-postgres.js';

/**
 * One database restart under a steady load, measured the same way for any library: the fault
 * suite asserts havuz's figures from it, and bench/restart.ts prints them beside pg.Pool's and
 * postgres.js's. All times are on the performance.now() timeline; the server's shutdown and ready
 * moments come from its own log, not from when pg_ctl returned.
 */

/** `fast` and `immediate`: `pg_ctl restart -m <mode>`; `stop-2s`: a fast stop, 2 s down, a start. */
export const OUTAGES = ['fast', 'immediate', 'stop-2s'] as const;
export type Outage = (typeof OUTAGES)[number];

/** A library under test: one request, and what it says about its connections. */
export interface RestartSubject {
  readonly name: string;
  query(i: number): Promise<unknown>;
  /** Connections open now, where the library tells (postgres.js does not). */
  open(): number | undefined;
  close(): Promise<void>;
}

export interface RestartRunOptions {
  /** Concurrent request loops. */
  workers: number;
  /** A request not settled this long after it started counts as hung. */
  boundMs: number;
  /** Successes before the outage (the pool is full by then) and after it (it serves again). */
  okBefore: number;
  okAfter: number;
}

export interface RestartFigures {
  library: string;
  outage: Outage;
  ok: number;
  /** Failed requests by kind: a havuz error's code, else the driver's code or the error's class. */
  failures: Record<string, number>;
  failed: number;
  /** Failures that are not a HavuzError, first few as `kind: message`. */
  untyped: string[];
  hangs: number;
  /** Connections open when the server received its shutdown request (undefined where the library does not say). */
  openAtShutdown: number | undefined;
  /** The longest any request took, its wait for a connection included. */
  maxLatencyMs: number;
  /** From the server's "ready to accept connections" to the end of the first success after it. */
  recoveryMs: number | undefined;
  /** From the server's shutdown request to its "ready to accept connections". */
  outageMs: number;
  /** TCP connects the library started to the server's port during the outage. */
  connects: number;
  connectsPerSecond: number;
}

/** The targets for havuz at its defaults (issue 9, item 2). */
export const RESTART_TARGETS = {
  /** From the server being ready to the end of the first successful query. */
  recoveryMs: 150,
  connectsPerSecond: 10,
  /** havuz opens up to maxConnecting (2) at once when its connections die, before it knows the server is away. */
  connectBurst: 2,
};

/** The connects the targets allow in an outage of `outageMs`: the rate, plus the first round when connections die. */
export function outageConnectBudget(outageMs: number): number {
  return Math.ceil((RESTART_TARGETS.connectsPerSecond * outageMs) / 1000) + RESTART_TARGETS.connectBurst;
}

export const QUERY = 'SELECT pg_sleep(0.01), $1::int AS i';

/** Runs `outage` on `server` while `subject` is under load, and measures it. Leaves the server up and the subject open. */
export async function measureRestart(
  server: ScratchPostgres,
  subject: RestartSubject,
  outage: Outage,
  options: RestartRunOptions,
): Promise<RestartFigures> {
  const counter = ConnectCounter.watch(server.port);
  const load = new Load(subject.name, (i) => subject.query(i), { workers: options.workers, boundMs: options.boundMs }).start();
  let openAtShutdown: number | undefined;
  let begin = 0;
  let end = 0;
  try {
    if (!(await load.untilOk(options.okBefore, 15_000))) throw new Error(`${subject.name} served too little before the ${outage} outage`);
    openAtShutdown = subject.open();
    begin = performance.now();
    await cause(server, outage);
    end = performance.now();
    if (!(await load.untilOk(options.okAfter, 15_000))) throw new Error(`${subject.name} did not serve again after the ${outage} outage`);
  } finally {
    await load.stop();
    counter.stop();
  }
  // The log's moments when they are plausible; else what the commands' timing brackets.
  const logged = server.shutdownAt();
  const shutdownAt = logged !== undefined && logged >= begin - 50 && logged <= end ? logged : begin;
  const ready = server.readyAt();
  const readyAt = ready !== undefined && ready > shutdownAt && ready <= end + 50 ? ready : end;
  const outageMs = readyAt - shutdownAt;
  const connects = counter.between(shutdownAt, readyAt);
  const firstOk = load.firstOkEndedAfter(readyAt);
  const failures = load.errorKinds();
  return {
    library: subject.name,
    outage,
    ok: load.ok,
    failures,
    failed: Object.values(failures).reduce((a, b) => a + b, 0),
    untyped: load.outcomes
      .filter((o) => !o.ok && !o.typed)
      .slice(0, 5)
      .map((o) => `${o.kind}: ${o.message}`),
    hangs: load.hangs,
    openAtShutdown,
    maxLatencyMs: load.maxLatencyMs(),
    recoveryMs: firstOk === undefined ? undefined : firstOk - readyAt,
    outageMs,
    connects,
    connectsPerSecond: connects / (outageMs / 1000),
  };
}

async function cause(server: ScratchPostgres, outage: Outage): Promise<void> {
  if (outage === 'stop-2s') {
    await server.stop('fast');
    await pause(2_000);
    await server.start();
  } else {
    await server.restart(outage);
  }
}

