import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';

const run = promisify(execFile);
const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

const isRoot = (): boolean => process.getuid?.() === 0;

/** The application's user: no SUPER and no READ ONLY ADMIN, so `read_only` binds it as it binds a real app. */
export const APP_USER = 'app';
export const APP_PASSWORD = 'app-secret-pw';
export const DATABASE = 'havuz';
export const DEMOTED_MARKER = 'havuz: read_only is on';

/**
 * One throwaway MariaDB server in its own folder and on its own port, started and stopped by the
 * test. Its general log records every statement a client sent, which is how a test proves no
 * write reached it while it was read-only.
 */
export class ScratchMariaDb {
  readonly port: number;
  readonly name: string;
  readonly #dir: string;
  readonly #serverId: number;
  #process: ChildProcess | undefined;

  private constructor(dir: string, name: string, port: number, serverId: number) {
    this.#dir = dir;
    this.name = name;
    this.port = port;
    this.#serverId = serverId;
  }

  static available(): boolean {
    return existsSync(MARIADBD) && existsSync(INSTALL_DB);
  }

  /**
   * A primary and a replica streaming from it (GTID), the replica `read_only`, the app user and
   * database made on the primary and replicated. Everything is removed again when setup fails.
   */
  static async pair(ports: readonly [number, number]): Promise<{ primary: ScratchMariaDb; replica: ScratchMariaDb; destroy: () => Promise<void> }> {
    const dir = mkdtempSync(join(tmpdir(), 'havuz-topology-mariadb-'));
    const primary = new ScratchMariaDb(dir, 'primary', ports[0], 1);
    const replica = new ScratchMariaDb(dir, 'replica', ports[1], 2);
    const destroy = async (): Promise<void> => {
      // Killed, not shut down: the data is thrown away, and a clean shutdown costs a second or two.
      await Promise.all([primary.#kill(), replica.#kill()]);
      rmSync(dir, { recursive: true, force: true });
      process.off('exit', onExit);
    };
    const onExit = (): void => {
      void primary.#kill();
      void replica.#kill();
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', onExit);
    try {
      if (isRoot()) chownSync(dir, ...mysqlIds());
      const asMysql = isRoot() ? ['--user=mysql'] : [];
      await run(INSTALL_DB, ['--no-defaults', ...asMysql, `--datadir=${primary.#data}`, '--auth-root-authentication-method=normal', '--skip-test-db']);
      // The same freshly installed system tables, copied: half the setup time of a second install.
      cpSync(primary.#data, replica.#data, { recursive: true, preserveTimestamps: true });
      if (isRoot()) execFileSync('chown', ['-R', 'mysql:mysql', replica.#data]);
      await Promise.all([primary.start(), replica.start(['--read-only=1'])]);
      await primary.admin(async (c) => {
        await c.query(`CREATE DATABASE ${DATABASE}`);
        await c.query(`CREATE USER '${APP_USER}'@'%' IDENTIFIED BY '${APP_PASSWORD}'`);
        await c.query(`GRANT ALL ON ${DATABASE}.* TO '${APP_USER}'@'%'`);
        // To read its lag (SHOW REPLICA STATUS); this privilege does not lift read_only.
        await c.query(`GRANT SLAVE MONITOR ON *.* TO '${APP_USER}'@'%'`);
      });
      await replica.admin(async (c) => {
        await c.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='root', MASTER_USE_GTID=slave_pos`);
        await c.query('START SLAVE');
      });
      await replica.waitFor(`SELECT 1 FROM mysql.user WHERE user = '${APP_USER}'`);
      return { primary, replica, destroy };
    } catch (error) {
      await destroy();
      throw error;
    }
  }

  /** `mysql://app:pw@127.0.0.1:port/havuz`, or with another host list. */
  url(hosts = `127.0.0.1:${this.port}`): string {
    return `mysql://${APP_USER}:${APP_PASSWORD}@${hosts}/${DATABASE}`;
  }

  get #data(): string {
    return join(this.#dir, this.name);
  }

  async start(extra: string[] = []): Promise<void> {
    const file = (suffix: string): string => join(this.#dir, `${this.name}${suffix}`);
    const args = [
      '--no-defaults',
      ...(isRoot() ? ['--user=mysql'] : []),
      `--datadir=${this.#data}`,
      `--port=${this.port}`,
      '--bind-address=127.0.0.1',
      `--socket=${file('.sock')}`,
      `--pid-file=${file('.pid')}`,
      `--server-id=${this.#serverId}`,
      `--log-bin=${file('-bin')}`,
      `--log-error=${file('.err')}`,
      '--general-log=1',
      `--general-log-file=${file('-general.log')}`,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=16M',
      '--innodb-log-file-size=8M',
      '--max-connections=60',
      ...extra,
    ];
    const child = spawn(MARIADBD, args, { stdio: 'ignore' });
    this.#process = child;
    child.unref();
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`mariadbd ${this.name} exited with ${code}: ${this.errorLog().slice(-500)}`);
    });
    exited.catch(() => undefined);
    const deadline = performance.now() + 20_000;
    for (;;) {
      try {
        await this.admin(() => Promise.resolve());
        return;
      } catch (error) {
        if (performance.now() > deadline || child.exitCode !== null) throw error;
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), exited]);
      }
    }
  }

  /** Runs `fn` on a root connection of its own, closed afterwards. */
  async admin<T>(fn: (connection: mysql.Connection) => Promise<T>): Promise<T> {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 2_000 });
    try {
      return await fn(connection);
    } finally {
      await connection.end().catch(() => connection.destroy());
    }
  }

  /** Polls (bounded) until `sql` returns a row here: replication is asynchronous. */
  async waitFor(sql: string, timeoutMs = 10_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const [rows] = await this.admin((c) => c.query(sql));
      if ((rows as unknown[]).length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${this.name}: no row for ${sql} within ${timeoutMs} ms`);
  }

  /** Where this server's binary log is (GTID): what a replica must have applied to be current. */
  async gtidPosition(): Promise<string> {
    const [rows] = await this.admin((c) => c.query('SELECT @@gtid_binlog_pos AS gtid'));
    return (rows as { gtid: string }[])[0]!.gtid;
  }

  /**
   * A promotion: stop replicating, forget the old primary, take writes. For a switchover, `caughtUp`
   * is the old primary's GTID position, applied here first so no acknowledged write is left behind.
   */
  async promote(caughtUp?: string): Promise<void> {
    await this.admin(async (c) => {
      if (caughtUp !== undefined) {
        const [rows] = await c.query('SELECT MASTER_GTID_WAIT(?, 10) AS waited', [caughtUp]);
        if ((rows as { waited: number }[])[0]!.waited !== 0) throw new Error(`${this.name} did not reach GTID ${caughtUp} in 10 s`);
      }
      await c.query('STOP SLAVE');
      await c.query('RESET SLAVE ALL');
      await c.query('SET GLOBAL read_only = 0');
    });
  }

  /**
   * A switchover's demotion: the server stays up, with its sessions, but refuses writes. Once it
   * took effect, DEMOTED_MARKER is written to the general log: every write logged after it was refused.
   */
  async demote(): Promise<void> {
    await this.admin(async (c) => {
      await c.query('SET GLOBAL read_only = 1');
      await c.query(`SELECT '${DEMOTED_MARKER}'`);
    });
  }

  /** Every statement clients sent this server, one line each (the general log). */
  generalLog(): string {
    const path = join(this.#dir, `${this.name}-general.log`);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  errorLog(): string {
    const path = join(this.#dir, `${this.name}.err`);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  /** Stops the server (SIGTERM: a clean shutdown) and waits for it to exit. Safe to call twice. */
  async stop(): Promise<void> {
    const child = this.#process;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exitOf(child);
    clearTimeout(timer);
  }

  /** SIGKILL; resolves once the process is gone. Synchronous up to the signal, for the exit handler. */
  #kill(): Promise<void> {
    const child = this.#process;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    child.kill('SIGKILL');
    return exitOf(child);
  }
}

/**
 * Resolves when the (unref'd) server process has exited. A ref'd timer keeps the event loop alive
 * meanwhile: waiting on an unref'd child alone would let Node exit with the cleanup unfinished.
 */
async function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const keepAlive = setInterval(() => {}, 1_000);
  try {
    await once(child, 'exit');
  } finally {
    clearInterval(keepAlive);
  }
}

function mysqlIds(): [number, number] {
  return [Number(execFileSync('id', ['-u', 'mysql']).toString().trim()), Number(execFileSync('id', ['-g', 'mysql']).toString().trim())];
}
