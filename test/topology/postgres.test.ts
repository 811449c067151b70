import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { DatabaseError, PoolTimeoutError, TopologyEngine, type TopologyEngineOptions } from '../../src/engine/index.js';
import { MetricsRegistry, checkHealth, hostCollectors } from '../../src/monitor/index.js';
import { FaultProxy } from '../faults/support/fault-proxy.js';
import { Load } from '../faults/support/load.js';
import { Admin } from '../faults/support/postgres.js';
import { ScratchPostgres, scratchPostgresAvailable } from '../faults/support/scratch-postgres.js';
import { freePorts, PORT_SLICES } from './support/ports.js';
import { Engines, eventually, figure, needsScratch, roleChange } from './support/topology.js';

/**
 * A real primary and a real streaming replica (initdb + pg_basebackup -R, on ports of our own),
 * made for this file and removed at its end. Every statement that modifies data is logged on both
 * (log_statement=mod, with application_name), so the replica's own log shows whether a write ever
 * reached it while it was a standby.
 */

const PASSWORD = 'topology-secret-pw'; // trust auth ignores it; it is here to be kept out of every output
const PORT_QUERY = 'SELECT inet_server_port() AS port';

describe('topology engine on a PostgreSQL primary and streaming replica', { ...needsScratch(scratchPostgresAvailable(), 'a scratch PostgreSQL'), timeout: 120_000 }, () => {
  let primary: ScratchPostgres;
  let replica: ScratchPostgres;
  let admin: Admin;
  const engines = new Engines();
  const hosts = (...order: ScratchPostgres[]): string => order.map((s) => `127.0.0.1:${s.port}`).join(',');
  const url = (order: ScratchPostgres[], query = ''): string => `postgres://postgres:${PASSWORD}@${hosts(...order)}/postgres${query}`;
  const open = (options: TopologyEngineOptions = {}, order = [primary, replica], query = ''): TopologyEngine =>
    engines.open(url(order, query), { size: 3, ...options });
  const portOf = async (work: Promise<{ rows: unknown[] }>): Promise<number> => ((await work).rows[0] as { port: number }).port;
  let tables = 0;
  const table = async (): Promise<string> => {
    const name = `topo_${process.pid}_${++tables}`;
    await admin.query(`CREATE TABLE ${name} (id serial PRIMARY KEY, worker int, seq int)`);
    await caughtUp();
    return name;
  };
  /** Waits until the replica replayed everything the primary wrote so far. */
  const caughtUp = async (): Promise<void> => {
    const lsn = (await admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn() AS lsn'))[0]!.lsn;
    const standby = await Admin.connect(replica.url());
    try {
      await eventually(undefined, 'replication', async () => (await standby.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]))[0].ok);
    } finally {
      await standby.close();
    }
  };

  before(async () => {
    const [p, r] = await freePorts(PORT_SLICES.postgresTopologyTest, 2);
    primary = await ScratchPostgres.create({ port: p, settings: { log_statement: 'mod', log_line_prefix: '%m [%a] ' } });
    replica = await primary.replica({ port: r! });
    admin = await Admin.connect(primary.url());
  });

  after(async () => {
    await engines.closeAll();
    await admin?.close();
    await Promise.all([primary?.destroy(), replica?.destroy()]);
  });

  test('roles come from the servers: writes and transactions on the primary, readOnly work on the replica', async () => {
    const db = open();
    assert.equal(await portOf(db.query(PORT_QUERY)), primary.port);
    assert.equal(await portOf(db.query(PORT_QUERY, [], { readOnly: true })), replica.port);
    assert.equal(await portOf(db.replica().query(PORT_QUERY)), replica.port);
    assert.equal(await db.transaction((tx) => portOf(tx.query(PORT_QUERY))), primary.port);

    // A readOnly transaction runs on the replica and is itself read-only.
    const inReadOnly = await db.transaction(async (tx) => {
      const port = await portOf(tx.query(PORT_QUERY));
      const setting = (await tx.query<{ transaction_read_only: string }>('SHOW transaction_read_only')).rows[0]!;
      return { port, transaction_read_only: setting.transaction_read_only };
    }, { readOnly: true });
    assert.deepEqual(inReadOnly, { port: replica.port, transaction_read_only: 'on' });
    assert.equal(await db.replica().transaction((tx) => portOf(tx.query(PORT_QUERY))), replica.port);

    await using reader = await db.connect({ readOnly: true });
    await using writer = await db.connect();
    assert.equal(await portOf(reader.query(PORT_QUERY)), replica.port);
    assert.equal(await portOf(writer.query(PORT_QUERY)), primary.port);

    const status = db.status();
    assert.equal(status.primary, `127.0.0.1:${primary.port}`);
    assert.deepEqual(
      status.hosts.map((h) => [h.host, h.role, h.inRecovery, h.readOnly]),
      [
        [`127.0.0.1:${primary.port}`, 'primary', false, false],
        [`127.0.0.1:${replica.port}`, 'replica', true, true],
      ],
    );
    for (const h of status.hosts) assert.equal(typeof h.lagMs, 'number', `${h.host} lag measured`);
    assert.equal(status.hosts[1]!.pool.counters.acquired > 0, true, 'the replica has a pool of its own');
  });

  test('the host order in the URL does not decide the role: the replica listed first still gets no writes', async () => {
    const t = await table();
    const db = open({}, [replica, primary]);
    await db.query(`INSERT INTO ${t} (worker, seq) VALUES (1, 1)`);
    assert.equal(await portOf(db.query(PORT_QUERY)), primary.port);
    assert.equal(await portOf(db.query(PORT_QUERY, [], { readOnly: true })), replica.port);
  });

  test("target_session_attrs chooses the default route as libpq does; 'any' follows the URL order", async () => {
    const route = async (attrs: string, order = [primary, replica]): Promise<number> =>
      portOf(open({}, order, `?target_session_attrs=${attrs}`).query(PORT_QUERY));
    assert.equal(await route('read-write'), primary.port);
    assert.equal(await route('primary', [replica, primary]), primary.port);
    assert.equal(await route('read-only'), replica.port);
    assert.equal(await route('standby'), replica.port);
    assert.equal(await route('prefer-standby'), replica.port);
    assert.equal(await route('any'), primary.port);
    assert.equal(await route('any', [replica, primary]), replica.port);

    // A standby engine writes nowhere: the server refuses, and the error says so.
    const t = await table();
    const standbyOnly = open({}, [primary, replica], '?target_session_attrs=standby&application_name=standby_only');
    await assert.rejects(standbyOnly.query(`INSERT INTO ${t} (worker, seq) VALUES (1, 1)`), (e: unknown) => e instanceof DatabaseError && e.serverCode === '25006');
    assert.equal(writesLogged(replica.log(), 'standby_only'), 1, 'sent once: a standby engine does not send a refused write again');
  });

  test('load_balance_hosts=random spreads checkouts over the eligible hosts (seeded); disable keeps URL order', async () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const spread = open({ random, loadBalanceHosts: 'random' }, [primary, replica], '?target_session_attrs=any');
    const ports = new Set<number>();
    for (let i = 0; i < 40; i++) ports.add(await portOf(spread.query(PORT_QUERY)));
    assert.deepEqual([...ports].sort(), [primary.port, replica.port].sort());
    const ordered = open({}, [primary, replica], '?target_session_attrs=any&load_balance_hosts=disable');
    for (let i = 0; i < 10; i++) assert.equal(await portOf(ordered.query(PORT_QUERY)), primary.port);
  });

  test('a readOnly transaction stays read-only when it falls back to the primary (no replica in the URL)', async () => {
    const t = await table();
    const db = open({}, [primary], '?target_session_attrs=read-write');
    const write = db.transaction((tx) => tx.query(`INSERT INTO ${t} (worker, seq) VALUES (1, 1)`), { readOnly: true });
    await assert.rejects(write, (e: unknown) => e instanceof DatabaseError && e.serverCode === '25006');
    assert.equal(await portOf(db.query(PORT_QUERY, [], { readOnly: true })), primary.port);
  });

  test('maxReplicaLagMs: a replica whose replay stalls is left out of reads, and taken back once it catches up', async () => {
    const t = await table();
    const db = open({ maxReplicaLagMs: 300, hostRecheckMs: 50 });
    const replicaHost = `127.0.0.1:${replica.port}`;
    assert.equal(await portOf(db.query(PORT_QUERY, [], { readOnly: true })), replica.port);
    const standby = await Admin.connect(replica.url());
    try {
      await standby.query('SELECT pg_wal_replay_pause()');
      await admin.query(`INSERT INTO ${t} (worker, seq) VALUES (1, 1)`);
      const lagOf = (): number | undefined => db.status().hosts.find((h) => h.host === replicaHost)?.lagMs;
      await eventually(undefined, 'lag above 300 ms', () => (lagOf() ?? 0) > 300);
      assert.equal(await portOf(db.query(PORT_QUERY, [], { readOnly: true })), primary.port, 'a lagging replica serves no reads');
      assert.equal(await portOf(db.replica().query(PORT_QUERY)), primary.port);
    } finally {
      await standby.query('SELECT pg_wal_replay_resume()');
      await standby.close();
    }
    await eventually(undefined, 'lag back to 0', () => db.status().hosts.find((h) => h.host === replicaHost)?.lagMs === 0);
    assert.equal(await portOf(db.query(PORT_QUERY, [], { readOnly: true })), replica.port);
  });

  test('every new connection is checked: when the name leads to a standby (a DNS move), no write is sent to it', async () => {
    const t = await table();
    const proxy = await FaultProxy.start({ host: '127.0.0.1', port: primary.port });
    try {
      // One host: the proxy. The monitor's check is pushed far out, so only the per-connection check can notice.
      const db = engines.open(`postgres://postgres@127.0.0.1:${proxy.port}/postgres?application_name=dns_move&target_session_attrs=read-write`, {
        size: 2,
        hostRecheckMs: 60_000,
        acquireTimeoutMs: 1_500,
      });
      await db.query(`INSERT INTO ${t} (worker, seq) VALUES (1, 1)`);
      proxy.retarget({ host: '127.0.0.1', port: replica.port });
      await db.dispose(); // idle connections closed: the next checkout opens one, through the proxy, to the standby
      const refused = db.query(`INSERT INTO ${t} (worker, seq) VALUES (1, 2)`);
      await assert.rejects(refused, (e: unknown) => e instanceof PoolTimeoutError && /No host for target_session_attrs=read-write/.test(e.message));
      assert.equal(db.status().hosts[0]!.role, 'replica');
      proxy.retarget({ host: '127.0.0.1', port: primary.port });
      await db.dispose();
      proxy.cutAll(); // the monitor's own connection too: it must look again
      await db.query(`INSERT INTO ${t} (worker, seq) VALUES (1, 3)`);
      const rows = await admin.query<{ seq: number }>(`SELECT seq FROM ${t} ORDER BY seq`);
      assert.deepEqual(rows.map((r) => r.seq), [1, 3]);
      assert.equal(writesLogged(replica.log(), 'dns_move'), 0, 'the standby was never sent a write');
    } finally {
      await proxy.close();
    }
  });

  test('a primary demoted under open connections: the refused write is asked again and lands once a primary is back', async () => {
    const t = await table();
    const db = open({}, [primary, replica], '?application_name=demoted');
    const primaryHost = `127.0.0.1:${primary.port}`;
    await db.query(`INSERT INTO ${t} (worker, seq) VALUES (1, 1)`); // a connection verified as writable
    const demoted = roleChange(db, primaryHost, 'replica');
    // default_transaction_read_only reloads into every open session: the verified connection refuses writes now.
    await reloadDefaultReadOnly(primary, 'on');
    const write = db.query(`INSERT INTO ${t} (worker, seq) VALUES (1, 2)`);
    await demoted;
    const promoted = roleChange(db, primaryHost, 'primary');
    await reloadDefaultReadOnly(primary, 'off');
    await promoted;
    await write;
    assert.deepEqual((await admin.query(`SELECT seq FROM ${t} ORDER BY seq`)).map((r) => r.seq), [1, 2]);
    const refusals = primary.log().split('\n').filter((l) => l.includes('[demoted]') && l.includes('cannot execute INSERT in a read-only transaction'));
    assert.equal(refusals.length, 1, 'one refusal: the write in flight on the connection checked before the demotion');
  });

  test('status, inspect, JSON, the health check and Prometheus show each host and role, and never the password', async () => {
    const db = open({ name: 'status_check' }, [primary, replica], '?application_name=status_check');
    // The engine (its hosts added up, and their roles) and each host's own pool.
    const registry = new MetricsRegistry([db, ...db.hosts.map((h) => h.engine)]);
    await db.query('SELECT 1');
    await db.query('SELECT 1', [], { readOnly: true });
    const metrics = registry.prometheusText();
    registry.stop();
    const [p, r] = [`127.0.0.1:${primary.port}`, `127.0.0.1:${replica.port}`];
    assert.match(metrics, new RegExp(`^havuz_host_role\\{pool="status_check",host="${p}",role="primary"\\} 1$`, 'm'));
    assert.match(metrics, new RegExp(`^havuz_host_role\\{pool="status_check",host="${r}",role="replica"\\} 1$`, 'm'));
    assert.match(metrics, new RegExp(`^havuz_host_up\\{pool="status_check",host="${r}"\\} 1$`, 'm'));
    assert.match(metrics, new RegExp(`^havuz_host_replica_lag_seconds\\{pool="status_check",host="${r}"\\} [0-9.e-]+$`, 'm'));
    assert.match(metrics, new RegExp(`^havuz_pool_acquired_total\\{pool="status_check@${p}"\\} 1$`, 'm'), 'per-host pool metrics');
    assert.match(metrics, new RegExp(`^havuz_pool_acquired_total\\{pool="status_check@${r}"\\} 1$`, 'm'));
    assert.match(metrics, /^havuz_pool_acquired_total\{pool="status_check"\} 2$/m, 'the engine adds its hosts up');
    assert.ok(!metrics.includes(PASSWORD));
    const perHost = hostCollectors(db);
    assert.deepEqual(perHost.map((c) => c.pool.name), [`status_check@${p}`, `status_check@${r}`]);
    for (const c of perHost) c.stop();
    const health = await checkHealth(db);
    assert.equal(health.status, 'healthy');
    const hostsInHealth = (health.pool as unknown as { hosts: { host: string; role: string }[] }).hosts;
    assert.deepEqual(hostsInHealth.map((h) => h.role), ['primary', 'replica']);
    const shown = [inspect(db), JSON.stringify(db), JSON.stringify(db.status()), JSON.stringify(health), db.url];
    for (const text of shown) assert.ok(!text.includes(PASSWORD), `password leaked: ${text.slice(0, 200)}`);
    assert.match(inspect(db), new RegExp(`127\\.0\\.0\\.1:${primary.port} primary, 127\\.0\\.0\\.1:${replica.port} replica`));
    assert.match(db.url, /postgres:\*\*\*@127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\/postgres/);
  });

  // Last: it ends the primary for good.
  test('failover under a mixed load: in-flight writes fail, none hangs, reads go on from the replica, writes resume on the promoted one', async () => {
    const t = await table();
    const app = 'failover';
    const db = open({ size: 4, acquireTimeoutMs: 10_000, hostRecheckMs: 1_000 }, [primary, replica], `?application_name=${app}`);
    const boundMs = 10_000 + 3_000;
    const writes = new Load('writes', (i) => db.query(`INSERT INTO ${t} (worker, seq) VALUES ($1, $2)`, [1, i]), { workers: 4, boundMs });
    const reads = new Load('reads', (i) => db.query(`SELECT inet_server_port() AS port, $1::int AS i`, [i], { readOnly: true }), { workers: 4, boundMs });
    writes.start();
    reads.start();
    try {
      assert.ok(await writes.untilOk(50, 10_000), 'writes flowed before the fault');
      assert.ok(await reads.untilOk(50, 10_000), 'reads flowed before the fault');
      const down = roleChange(db, `127.0.0.1:${primary.port}`, 'down');
      const stoppingAt = performance.now();
      await primary.stop('fast');
      const stoppedAt = performance.now();
      await down;
      assert.ok(await reads.untilOk(30, 10_000), 'reads went on while the primary was down');
      const readsWhileDown = reads.outcomes.filter((o) => o.ok && o.startedAt > stoppedAt).length;
      const promoted = roleChange(db, `127.0.0.1:${replica.port}`, 'primary');
      await replica.promote();
      // pg_ctl returns once the control file says so; the log line can come a moment later.
      await eventually(undefined, 'the promotion in the replica log', () => replica.readyAt() !== undefined);
      const promotedAt = replica.readyAt();
      assert.ok(promotedAt !== undefined && promotedAt > stoppedAt, 'the promotion is in the replica log');
      await promoted;
      assert.ok(await writes.untilOk(50, 10_000), 'writes resumed on the promoted replica');
      await Promise.all([writes.stop(), reads.stop()]);

      assert.equal(writes.hangs + reads.hangs, 0, 'no request hung');
      const failedWrites = writes.outcomes.filter((o) => !o.ok);
      // Only what was in flight when the server went: each failure started before the stop finished,
      // at most one per worker, and says the connection was lost.
      assert.deepEqual(failedWrites.filter((o) => o.startedAt >= stoppedAt).map((o) => `${o.kind}: ${o.message}`), []);
      assert.ok(failedWrites.length <= 4, `${failedWrites.length} failed writes`);
      for (const o of failedWrites) assert.equal(o.kind, 'HAVUZ_CONNECTION_LOST', o.message);
      assert.deepEqual(reads.outcomes.filter((o) => !o.ok).map((o) => `${o.kind}: ${o.message}`), [], 'no read failed');
      const firstWrite = Math.min(...writes.outcomes.filter((o) => o.ok && o.endedAt > promotedAt!).map((o) => o.endedAt));
      const recoveryMs = firstWrite - promotedAt!;
      figure(`postgres failover: ${failedWrites.length} failed writes (in flight), 0 hung, ${readsWhileDown} reads while the primary was down, first write ${Math.round(recoveryMs)} ms after the promotion (stop took ${Math.round(stoppedAt - stoppingAt)} ms)`);
      assert.ok(recoveryMs < 5_000, `first write ${Math.round(recoveryMs)} ms after the promotion (goal 1 s; bound loose for a noisy machine)`);

      // No write reached the replica while it was a standby: its own log, up to the promotion.
      const log = replica.log();
      const beforePromotion = log.slice(0, log.indexOf('selected new timeline ID'));
      assert.ok(beforePromotion.length > 0 && beforePromotion.length < log.length, 'the promotion is in the log');
      assert.equal(writesLogged(beforePromotion, app), 0, 'a write reached the standby');
      assert.ok(!log.split('\n').some((l) => l.includes(`[${app}]`) && l.includes('read-only transaction')), 'the standby refused a write');

      // Every acknowledged write is on the new primary (a clean shutdown sends all WAL to the standby).
      const survivor = await Admin.connect(replica.url());
      try {
        const n = (await survivor.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`))[0]!.n;
        assert.ok(Number(n) >= writes.ok && Number(n) <= writes.ok + failedWrites.length, `${n} rows for ${writes.ok} acknowledged writes`);
      } finally {
        await survivor.close();
      }
      const status = db.status();
      assert.equal(status.primary, `127.0.0.1:${replica.port}`);
      assert.equal(status.hosts[0]!.role, 'down');
      assert.match(status.hosts[0]!.error?.code ?? '', /^HAVUZ_(CREATE_FAILED|CONNECTION_LOST)$/, 'why the old primary is down');
    } finally {
      await Promise.all([writes.stop(), reads.stop()]);
    }
  });
});

/**
 * Sets default_transaction_read_only in the server's config and reloads it; returns once a new
 * session sees it, which means the postmaster has passed the reload on to every open session.
 */
async function reloadDefaultReadOnly(server: ScratchPostgres, value: 'on' | 'off'): Promise<void> {
  const admin = await Admin.connect(server.url());
  try {
    await admin.query('SET default_transaction_read_only = off'); // this session keeps writing either way
    await admin.query(`ALTER SYSTEM SET default_transaction_read_only = ${value}`);
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.close();
  }
  await eventually(undefined, `default_transaction_read_only ${value}`, async () => {
    const fresh = await Admin.connect(server.url());
    try {
      return (await fresh.query('SHOW default_transaction_read_only'))[0].default_transaction_read_only === value;
    } finally {
      await fresh.close();
    }
  });
}

/** Data-modifying statements an application sent, as log_statement=mod wrote them (`[app]` is the prefix's %a). */
function writesLogged(log: string, app: string): number {
  return log.split('\n').filter((line) => line.includes(`[${app}]`) && /(statement|execute [^:]*): (INSERT|UPDATE|DELETE)/i.test(line)).length;
}
