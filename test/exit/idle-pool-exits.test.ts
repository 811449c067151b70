import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The only tests with a wall-clock bound: a real process, real timers. The pool's own timers run
// 30 s to 2 min here, so a child that is still alive after 15 s is being held by one of them.
const fixture = fileURLToPath(new URL('./fixtures/pool-then-idle.ts', import.meta.url));
const LIMIT_MS = 15_000;

function runChild(mode: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

test('a pool left idle without close() does not keep the process alive', async () => {
  const r = await runChild('idle');
  assert.equal(r.signal, null, `killed after ${r.ms} ms: something kept the process alive\n${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /done \{"size":\d,"closed":false\}/);
});

test('a pool whose connects keep failing does not keep the process alive with its retries', async () => {
  const r = await runChild('failing');
  assert.equal(r.signal, null, `killed after ${r.ms} ms: the retry timer kept the process alive\n${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /HAVUZ_ACQUIRE_TIMEOUT\ndone/);
});

test('a closed pool exits at once', async () => {
  const r = await runChild('closed');
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /done \{"size":0,"closed":true\}/);
});
