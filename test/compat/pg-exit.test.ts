// allowExitOnIdle as pg-pool has it: with it, an idle client does not keep the process alive;
// without it, the process lives until the idle timeout has closed the client, then exits.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before, test } from 'node:test';
import { requireDatabase, urls } from '../support/databases.js';

const fixture = fileURLToPath(new URL('./fixtures/idle-pg-pool.ts', import.meta.url));

function runChild(mode: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode, urls.postgres], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A child held alive by a forgotten timer or socket is killed: the test then fails on its output.
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

before(async () => {
  await requireDatabase(urls.postgres);
});

test('allowExitOnIdle: the process exits with the client still idle in the pool', async () => {
  const r = await runChild('exit-on-idle');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'done 1 idle 1\n', 'exited before the idle timeout removed the client');
});

test('without it, the idle client keeps the process alive until the idle timeout closes it', async () => {
  const r = await runChild('stay');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'done 1 idle 1\nremoved\n');
});
