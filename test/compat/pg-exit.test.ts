// An idle client never keeps the process alive, with allowExitOnIdle or without it: pg.Pool's
// default (live until idleTimeoutMillis has closed the client) is a deliberate difference.
// An idle timeout of 400 ms would have printed "removed" had the process lived that long.
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

test('without it too: the process exits at once, with the client still idle in the pool', async () => {
  const r = await runChild('stay');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'done 1 idle 1\n', 'exited before the idle timeout removed the client');
});
