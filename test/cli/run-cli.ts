import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requireDatabase } from '../support/databases.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A fresh TMPDIR for one child, so the test can see exactly what it left behind. */
export function freshTmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'havuz-cli-test-'));
  chmodSync(dir, 0o755); // the embedded server runs as a non-root user, which must reach its folder
  return dir;
}

/**
 * For a test file whose CLI runs need `url`: checks it is reachable (a failure under CI) and makes
 * a fresh TMPDIR before the tests, removes it after; the returned function gives its path.
 */
export function cliTmpFor(url: string): () => string {
  let dir: string | undefined;
  before(async () => {
    await requireDatabase(url);
    dir = freshTmp();
  });
  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return () => dir!;
}

/** What havuz left in a TMPDIR (tsx keeps its own compile cache there too; that is not ours). */
export function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('havuz-'));
}

/**
 * Starts `havuz <args>` from the sources (through tsx), with no terminal: stdin ignored, output
 * piped. `root`: the project folder to run it from (this checkout by default).
 */
export function startCli(
  args: readonly string[],
  tmp: string,
  root = ROOT,
): { child: ChildProcess; done: Promise<CliResult>; stderrSoFar: () => string } {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'bin.ts'), ...args], {
    cwd: root,
    env: { ...process.env, TMPDIR: tmp, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started })),
  );
  return { child, done, stderrSoFar: () => stderr };
}

export function runCli(args: readonly string[], tmp: string, timeoutMs = 120_000, root = ROOT): Promise<CliResult> {
  const { child, done } = startCli(args, tmp, root);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return done.finally(() => clearTimeout(timer));
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
