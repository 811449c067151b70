import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliTmpFor, runCli, startCli, waitFor } from '../cli/run-cli.js';
import { urls } from '../support/databases.js';
import { SseReader } from './sse.js';

const SECRET = 'hv-Mon-S3cret';
const tmp = cliTmpFor(urls.postgres);

test('havuz monitor: bad input is one line and exit 2', async () => {
  const none = await runCli(['monitor'], tmp(), 30_000);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /needs at least one --url/);
  const port = await runCli(['monitor', '--url', urls.postgres, '--port', '70000'], tmp(), 30_000);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /--port/);
  const url = await runCli(['monitor', '--url', `nonsense:${SECRET}`], tmp(), 30_000);
  assert.equal(url.code, 2);
  const twice = await runCli(['monitor', '--url', `a=${urls.postgres}`, '--url', `a=${urls.postgres}`], tmp(), 30_000);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /the name a is given twice/);
  const help = await runCli(['--help'], tmp(), 30_000);
  assert.match(help.stdout, /monitor\s+watch/);
});

test('havuz monitor --url ... : 127.0.0.1, the token, several databases side by side, a failing one shows; no password anywhere; Ctrl-C stops it', async () => {
  const up = `app=${urls.postgres.replace('//postgres@', `//postgres:${SECRET}@`)}`;
  const down = `down=postgres://postgres:${SECRET}@127.0.0.1:1/nowhere`;
  const cli = startCli(['monitor', '--url', up, '--url', down, '--token', 'tk-1', '--interval', '0.2', '--probe', '0.3'], tmp());
  let stdout = '';
  cli.child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  try {
    await waitFor(() => /\n/.test(stdout), 30_000, 'the dashboard URL');
    const url = stdout.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=tk-1$/);
    const base = url.replace(/\/\?token=.*$/, '');
    assert.equal((await fetch(`${base}/`)).status, 401);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /havuz monitor/);
    const stream = await SseReader.open(`${base}/events`, { authorization: 'Bearer tk-1' });
    const hello = await stream.next((e) => e.event === 'hello');
    assert.deepEqual(hello.data.pools.map((p: any) => p.name).sort(), ['app', 'down']);
    await stream.next((e) => e.event === 'pool-event' && e.data.pool === 'down' && e.data.kind === 'connect-failed');
    await stream.next((e) => e.event === 'tick' && e.data.points.some((p: any) => p.name === 'app' && p.acquired > 0));
    await stream.next((e) => e.event === 'tick' && e.data.points.some((p: any) => p.name === 'down' && p.health !== 'healthy'));
    stream.close();
    assert.doesNotMatch(stream.raw + stdout + cli.stderrSoFar(), new RegExp(SECRET));
    cli.child.kill('SIGINT');
    const result = await cli.done;
    assert.equal(result.code, 130);
    assert.doesNotMatch(result.stderr, new RegExp(SECRET));
    assert.match(result.stderr, /watching app \(postgres.*\*\*\*@/);
  } finally {
    cli.child.kill('SIGKILL');
  }
});
