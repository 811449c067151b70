import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireDatabase, urls } from '../support/databases.js';

/**
 * A script that opens an engine on a real database, runs its queries and forgets to close it
 * exits as soon as its work is done, as a script without a pool would: idle sockets are unref'd
 * and every pool timer is in the background. A checked-out connection or a pending acquire is
 * work in progress, and keeps the process alive as it should.
 */
const fixture = fileURLToPath(new URL('./fixtures/engine-then-idle.ts', import.meta.url));

interface Outcome {
  exited: boolean;
  code: number | null;
  report: { lastQueryAt: number; exitAt: number; status: { size: number; idle: number } } | undefined;
  stderr: string;
}

function runChild(url: string, mode: string, limitMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, url, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let killed = false;
    const killer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const line = stdout.trim().split('\n').pop();
      resolve({ exited: !killed, code, report: line ? JSON.parse(line) : undefined, stderr });
    });
  });
}

const databases = [
  ['PostgreSQL', urls.postgres],
  ['MariaDB', urls.mysql],
] as const;

for (const [name, url] of databases) {
  for (const mode of ['plain', 'minIdle', 'statementTimeout'] as const) {
    test(`${name}, ${mode}: an engine never closed lets the process exit within 100 ms of its last query`, async (t) => {
      if (!(await requireDatabase(url, t))) return;
      const r = await runChild(url, mode, 20_000);
      assert.ok(r.exited, `still alive after 20 s: something keeps the process alive\n${r.stderr}`);
      assert.equal(r.code, 0, r.stderr);
      const gap = r.report!.exitAt - r.report!.lastQueryAt;
      assert.ok(gap < 100, `the event loop emptied ${Math.round(gap)} ms after the last query`);
      assert.ok(r.report!.status.size >= (mode === 'minIdle' ? 2 : 1), 'connections were still open and idle: they did not hold it');
    });
  }

  for (const mode of ['holds', 'waits'] as const) {
    test(`${name}: ${mode === 'holds' ? 'a checked-out connection' : 'a pending acquire'} keeps the process alive`, async (t) => {
      if (!(await requireDatabase(url, t))) return;
      const r = await runChild(url, mode, 1_500);
      assert.equal(r.exited, false, `exited with work in progress: ${JSON.stringify(r.report)}\n${r.stderr}`);
    });
  }
}
