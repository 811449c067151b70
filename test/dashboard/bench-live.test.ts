import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliTmpFor, runCli, startCli, waitFor } from '../cli/run-cli.js';
import { urls } from '../support/databases.js';
import { SseReader } from './sse.js';

const tmp = cliTmpFor(urls.postgres);

test('havuz bench --live: the dashboard on 127.0.0.1 while the sweep runs, the pool growing step by step; closed when the bench ends', async () => {
  const cli = startCli(['bench', '--url', urls.postgres, '--scenario', 'sweep', '--sizes', '1,3', '--workers', '4', '--duration', '1.5', '--sql', 'SELECT pg_sleep(0.005)', '--live', '--json'], tmp());
  try {
    await waitFor(() => /live dashboard at http/.test(cli.stderrSoFar()), 60_000, 'the live URL');
    const url = /live dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(cli.stderrSoFar())![1]!;
    assert.equal((await fetch(url)).status, 200);
    const stream = await SseReader.open(`${url}events`);
    const used = await stream.next((e) => e.event === 'tick' && e.data.points.some((p: any) => p.name === 'havuz-bench' && p.used > 0), 20_000);
    assert.ok(used);
    // The second step's pool replaces the first under the same name: max goes from 1 to 3.
    await stream.next((e) => e.event === 'tick' && e.data.points.some((p: any) => p.name === 'havuz-bench' && p.max === 3), 20_000);
    const result = await cli.done;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(JSON.parse(result.stdout).sweep, 'the results as usual');
    await stream.waitEnd(5_000);
    assert.ok(stream.events.some((e) => e.event === 'end'), 'the page is told the run is over');
  } finally {
    cli.child.kill('SIGKILL');
  }
});

test('havuz bench --live-port: checked before anything starts', async () => {
  const bad = await runCli(['bench', '--url', urls.postgres, '--live', '--live-port', 'x'], tmp(), 30_000);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--live-port/);
});
