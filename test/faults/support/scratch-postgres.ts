import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ScratchOptions {
  /** The port to listen on; a free one when unset. */
  port?: number;
  /** Extra server settings, passed as `-c name=value` on every start. */
  settings?: Record<string, string>;
}

/**
 * A throwaway PostgreSQL server (initdb in a temp dir, its own port on 127.0.0.1) that a test may
 * stop and start at will: a real restart, with real backends dying, without taking down the shared
 * server other test files are using at the same moment. Uses the machine's own PostgreSQL binaries;
 * as root it runs them as the `postgres` user, since postgres refuses root.
 */
export class ScratchPostgres {
  readonly port: number;
  readonly #dir: string;
  readonly #bin: string;
  readonly #settings: Record<string, string>;
  #running = false;
  readonly #onExit = (): void => this.#stopSync();

  private constructor(dir: string, bin: string, port: number, settings: Record<string, string> = {}) {
    this.#dir = dir;
    this.#bin = bin;
    this.port = port;
    this.#settings = settings;
  }

  /** The PostgreSQL bin directory, or undefined when the server binaries are not installed. */
  static binDir(): string | undefined {
    const root = '/usr/lib/postgresql';
    if (!existsSync(root)) return undefined;
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
  }

  static async create(options: ScratchOptions = {}): Promise<ScratchPostgres> {
    const scratch = await ScratchPostgres.#make(options);
    return scratch.#settingUp(async () => {
      await scratch.#pg('initdb', ['-D', scratch.#data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      await scratch.start();
    });
  }

  /** A streaming replica of this server (`pg_basebackup -R`), started: a hot standby. */
  async replica(options: ScratchOptions = {}): Promise<ScratchPostgres> {
    const standby = await ScratchPostgres.#make({ settings: this.#settings, ...options });
    const source = ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres'];
    return standby.#settingUp(async () => {
      await standby.#pg('pg_basebackup', [...source, '-D', standby.#data, '-R', '-X', 'stream', '--no-sync', '-c', 'fast']);
      await standby.start();
    });
  }

  /** Runs the setup; when it fails, removes what it made (a half-made server must not outlive the test). */
  async #settingUp(setup: () => Promise<void>): Promise<ScratchPostgres> {
    try {
      await setup();
      return this;
    } catch (error) {
      await this.destroy();
      throw error;
    }
  }

  static async #make(options: ScratchOptions): Promise<ScratchPostgres> {
    const bin = ScratchPostgres.binDir();
    if (bin === undefined) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
    const dir = mkdtempSync(join(tmpdir(), 'havuz-faults-pg-'));
    if (isRoot()) chownSync(dir, ...postgresIds());
    const scratch = new ScratchPostgres(dir, bin, options.port ?? (await freePort()), options.settings);
    process.once('exit', scratch.#onExit);
    return scratch;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts the server and resolves once it accepts connections. */
  async start(): Promise<void> {
    const options =
      `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.#dir} -c fsync=off -c max_connections=50 ` +
      `-c log_timezone=UTC -c log_line_prefix='%m '` +
      Object.entries(this.#settings).map(([name, value]) => ` -c ${name}='${value}'`).join('');
    await this.#pg('pg_ctl', ['-D', this.#data, '-o', options, '-l', join(this.#dir, 'log'), '-w', '-t', '20', 'start']);
    this.#running = true;
  }

  /**
   * When the server last became ready, from its own log (ms precision), on the performance.now()
   * timeline: `pg_ctl start -w` returns only at its next poll, up to ~100 ms later.
   */
  readyAt(): number | undefined {
    const lines = this.log().split('\n').filter((l) => l.includes('database system is ready to accept connections'));
    const stamp = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) UTC/.exec(lines.at(-1) ?? '');
    if (stamp === null) return undefined;
    return Date.parse(`${stamp[1]}T${stamp[2]}Z`) - performance.timeOrigin;
  }

  /** Ends a standby's recovery: it becomes a primary that takes writes (`pg_ctl promote`). */
  async promote(): Promise<void> {
    await this.#pg('pg_ctl', ['-D', this.#data, '-w', '-t', '20', 'promote']);
  }

  /** The server's log so far. */
  log(): string {
    return readFileSync(join(this.#dir, 'log'), 'utf8');
  }

  /** Stops the server: `fast` terminates the backends (what a restart does), `immediate` kills them. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    this.#running = false;
    await this.#pg('pg_ctl', ['-D', this.#data, '-m', mode, '-w', '-t', '20', 'stop']);
  }

  /** Stops the server if it runs and deletes its files. Safe to call more than once. */
  async destroy(): Promise<void> {
    process.off('exit', this.#onExit);
    if (this.#running) await this.stop('immediate').catch(() => {});
    rmSync(this.#dir, { recursive: true, force: true });
  }

  get #data(): string {
    return join(this.#dir, 'data');
  }

  async #pg(tool: string, args: string[]): Promise<void> {
    const path = join(this.#bin, tool);
    // execFile, not execFileSync: the load under test keeps running while the server restarts.
    if (isRoot()) await run('runuser', ['-u', 'postgres', '--', path, ...args]);
    else await run(path, args);
  }

  /** Last resort when the test process exits with the server still up. */
  #stopSync(): void {
    try {
      const args = ['-D', this.#data, '-m', 'immediate', 'stop'];
      const path = join(this.#bin, 'pg_ctl');
      if (isRoot()) execFileSync('runuser', ['-u', 'postgres', '--', path, ...args], { stdio: 'ignore' });
      else execFileSync(path, args, { stdio: 'ignore' });
    } catch {
      // already down
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function postgresIds(): [number, number] {
  const out = execFileSync('id', ['-u', 'postgres']).toString().trim();
  const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
  return [Number(out), Number(gid)];
}

/** A port nobody listens on right now (bind to 0, read it, let it go). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether this machine can run a scratch server at all (binaries present, and root or a normal user). */
export function scratchPostgresAvailable(): boolean {
  return ScratchPostgres.binDir() !== undefined && (isRoot() || userInfo().username !== 'root');
}
