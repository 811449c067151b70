import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { DatabaseError, type TopologyEngineOptions } from '../../src/engine/index.js';
import { Load } from '../faults/support/load.js';
import { freePorts, PORT_SLICES } from './support/ports.js';
import { APP_PASSWORD, APP_USER, DEMOTED_MARKER, ScratchMariaDb } from './support/scratch-mariadb.js';
import { Engines, eventually, figure, needsScratch, roleChange } from './support/topology.js';

/**
 * A real MariaDB primary and a replica streaming from it (GTID), each in a temp folder on a port
 * of our own, made for this file and removed at its end. The app user has no SUPER and no READ
 * ONLY ADMIN, so `read_only` binds it as it binds a real application; the general log of each
 * server records every statement a client sent it.
 */

const PORT_QUERY = 'SELECT @@port AS port';
const WORKERS = 4;

describe('topology engine on a MariaDB primary and replica', { ...needsScratch(ScratchMariaDb.available(), 'a scratch MariaDB'), timeout: 120_000 }, () => {
  let primary: ScratchMariaDb;
  let replica: ScratchMariaDb;
  let destroy: (() => Promise<void>) | undefined;
  const engines = new Engines();
  const open = (options: TopologyEngineOptions = {}) =>
    engines.open(primary.url(`127.0.0.1:${primary.port},127.0.0.1:${replica.port}`), { size: 3, ...options });
  const portOf = async (work: Promise<{ rows: unknown[] }>): Promise<number> => Number(((await work).rows[0] as { port: number }).port);
  let tables = 0;
  const table = async (): Promise<string> => {
    const name = `topo_${process.pid}_${++tables}`;
    await primary.admin((c) => c.query(`CREATE TABLE havuz.${name} (id INT AUTO_INCREMENT PRIMARY KEY, worker INT, seq INT)`));
    await replica.waitFor(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'havuz' AND table_name = '${name}'`);
    return name;
  };

  before(async () => {
    const [p, r] = await freePorts(PORT_SLICES.mariadbTopologyTest, 2);
    ({ primary, replica, destroy } = await ScratchMariaDb.pair([p!, r!]));
  });

  after(async () => {
    await engines.closeAll();
    await destroy?.();
  });

  test('roles from @@read_only: writes on the primary, readOnly work and read-only transactions on the replica, lag measured', async () => {
    const t = await table();
    const db = open();
    await db.query(`INSERT INTO ${t} (worker, seq) VALUES (?, ?)`, [1, 1]);
    assert.equal(await portOf(db.query(PORT_QUERY)), primary.port);
    assert.equal(await portOf(db.query(PORT_QUERY, [], { readOnly: true })), replica.port);
    assert.equal(await portOf(db.replica().query(PORT_QUERY)), replica.port);
    await assert.rejects(
      db.transaction((tx) => tx.query(`INSERT INTO ${t} (worker, seq) VALUES (?, ?)`, [1, 2]), { readOnly: true }),
      (e: unknown) => e instanceof DatabaseError && e.serverCode === 'ER_OPTION_PREVENTS_STATEMENT',
    );
    // With no replica in the URL a readOnly transaction runs on the primary, and START TRANSACTION
    // READ ONLY still refuses the write.
    const primaryOnly = engines.open(primary.url(), { targetSessionAttrs: 'read-write' });
    await assert.rejects(
      primaryOnly.transaction((tx) => tx.query(`INSERT INTO ${t} (worker, seq) VALUES (?, ?)`, [1, 3]), { readOnly: true }),
      (e: unknown) => e instanceof DatabaseError && e.serverCode === 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION',
    );
    const status = db.status();
    assert.deepEqual(status.hosts.map((h) => h.role), ['primary', 'replica']);
    assert.equal(status.hosts[1]!.lagMs, 0, 'Seconds_Behind_Master read with the SLAVE MONITOR privilege');
    assert.ok(!inspect(db).includes(APP_PASSWORD) && !JSON.stringify(db.status()).includes(APP_PASSWORD));
  });

  test('switchover under a write load: writes the demoted primary refuses are sent again and land on the promoted replica; no caller sees a failure', async () => {
    const t = await table();
    const db = open({ acquireTimeoutMs: 10_000 });
    const writes = new Load('writes', (i) => db.query(`INSERT INTO ${t} (worker, seq) VALUES (?, ?)`, [1, i]), { workers: WORKERS, boundMs: 13_000 });
    writes.start();
    try {
      assert.ok(await writes.untilOk(50, 10_000));
      const oldPrimary = `127.0.0.1:${primary.port}`;
      const demoted = roleChange(db, oldPrimary, 'replica');
      await primary.demote();
      await demoted;
      const promoted = roleChange(db, `127.0.0.1:${replica.port}`, 'primary');
      // A switchover's promotion waits for the replica to apply all the old primary wrote.
      await replica.promote(await primary.gtidPosition());
      await promoted;
      assert.ok(await writes.untilOk(50, 10_000), 'writes resumed on the promoted replica');
      await writes.stop();
      assert.equal(writes.hangs, 0);
      assert.deepEqual(writes.outcomes.filter((o) => !o.ok).map((o) => `${o.kind}: ${o.message}`), []);

      // The new primary's own log: no client write before it was promoted.
      const promotedLog = replica.generalLog();
      const beforePromotion = promotedLog.slice(0, promotedLog.indexOf('SET GLOBAL read_only = 0'));
      assert.equal(insertsLogged(beforePromotion, t), 0, 'a write reached the replica while it was read-only');
      // The old primary, demoted under open connections: only what was already on its way reached it.
      const refused = insertsLogged(primary.generalLog(), t, DEMOTED_MARKER);
      figure(`mariadb switchover: ${refused} writes refused by the demoted primary (all sent again), 0 failed, 0 hung`);
      assert.ok(refused <= WORKERS, `${refused} writes reached the demoted primary`);
      const [rows] = await replica.admin((c) => c.query(`SELECT count(*) AS n FROM havuz.${t}`));
      assert.equal(Number((rows as { n: number }[])[0]!.n), writes.ok, 'every acknowledged write is on the new primary, once');
    } finally {
      await writes.stop();
    }
  });

  // Last: it stops the (new) primary for good. After the switchover the old primary is the read-only one.
  test('failover: the primary stops, reads go on from the read-only server, writes resume once it is promoted', async () => {
    // After the switchover the two no longer replicate: the table is made on each.
    const t = `topo_${process.pid}_${++tables}`;
    for (const server of [replica, primary]) await server.admin((c) => c.query(`CREATE TABLE havuz.${t} (id INT AUTO_INCREMENT PRIMARY KEY, worker INT, seq INT)`));
    const db = open({ acquireTimeoutMs: 10_000, hostRecheckMs: 1_000 });
    const writes = new Load('writes', (i) => db.query(`INSERT INTO ${t} (worker, seq) VALUES (?, ?)`, [1, i]), { workers: WORKERS, boundMs: 13_000 });
    const reads = new Load('reads', (i) => db.query('SELECT @@port AS port, ? AS i', [i], { readOnly: true }), { workers: WORKERS, boundMs: 13_000 });
    writes.start();
    reads.start();
    try {
      assert.ok(await writes.untilOk(30, 10_000));
      assert.ok(await reads.untilOk(30, 10_000));
      const down = roleChange(db, `127.0.0.1:${replica.port}`, 'down');
      const stoppingAt = performance.now();
      await replica.stop();
      const stoppedAt = performance.now();
      await down;
      const downAt = performance.now();
      assert.ok(await reads.untilOk(30, 10_000), 'reads went on while the primary was down');
      const promoted = roleChange(db, `127.0.0.1:${primary.port}`, 'primary');
      await primary.admin((c) => c.query('SET GLOBAL read_only = 0'));
      const promotedAt = performance.now();
      await promoted;
      assert.ok(await writes.untilOk(30, 10_000));
      await Promise.all([writes.stop(), reads.stop()]);
      assert.equal(writes.hangs + reads.hangs, 0);
      const failed = writes.outcomes.filter((o) => !o.ok);
      assert.deepEqual(failed.filter((o) => o.startedAt >= stoppedAt).map((o) => `${o.kind}: ${o.message}`), [], 'only writes in flight at the stop failed');
      assert.deepEqual(reads.outcomes.filter((o) => !o.ok).map((o) => `${o.kind}: ${o.message}`), []);
      const first = Math.min(...writes.outcomes.filter((o) => o.ok && o.endedAt > promotedAt).map((o) => o.endedAt));
      figure(
        `mariadb failover: ${failed.length} failed writes (in flight), 0 hung, first write ${Math.round(first - promotedAt)} ms after read_only=0 ` +
          `(shutdown took ${Math.round(stoppedAt - stoppingAt)} ms, found down ${Math.round(downAt - stoppedAt)} ms after)`,
      );
      assert.ok(first - promotedAt < 5_000);
      await eventually(undefined, 'status', () => db.status().primary === `127.0.0.1:${primary.port}`);
    } finally {
      await Promise.all([writes.stop(), reads.stop()]);
    }
  });
});

/**
 * INSERTs into `table` that the app's own connections sent, as the general log recorded them. The
 * replication SQL thread's statements are logged too, under its thread id, which never connected
 * as the app user: a thread counts only after its `Connect app@...` line.
 */
function insertsLogged(log: string, table: string, after?: string): number {
  const appThreads = new Set<string>();
  let counting = after === undefined;
  let n = 0;
  for (const line of log.split('\n')) {
    if (!counting && line.includes(after!)) counting = true;
    const entry = /\s(\d+) (Connect|Query)\t(.*)$/.exec(line);
    if (entry === null) continue;
    const [, thread, command, argument] = entry;
    if (command === 'Connect' && argument!.startsWith(`${APP_USER}@`)) appThreads.add(thread!);
    if (counting && command === 'Query' && appThreads.has(thread!) && argument!.includes(`INSERT INTO ${table}`)) n++;
  }
  return n;
}
