import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { MYSQL_URL, PG_URL, processesMentioning, unlessReachable } from '../bench/helpers.js';
import { freshTmp, leftovers, runCli, startCli, waitFor, type CliResult } from './run-cli.js';

const tmps: string[] = [];
function tmp(): string {
  const dir = freshTmp();
  tmps.push(dir);
  return dir;
}
after(() => tmps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function assertClean(dir: string): void {
  assert.deepEqual(leftovers(dir), [], `temporary folders left in ${dir}`);
  assert.deepEqual(processesMentioning(dir), [], `processes left running in ${dir}`);
}

function assertOneLineError(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^havuz: /);
  assert.match(lines[0]!, pattern);
}

const pgSkip = await unlessReachable(PG_URL);
const mysqlSkip = await unlessReachable(MYSQL_URL);

describe('havuz bench on the embedded PostgreSQL', () => {
  it('--quick --json: speedup and sweep, under 60 s, nothing left behind', async () => {
    const dir = tmp();
    const r = await runCli(['bench', '--quick', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { speedup: number; sweep: { poolSize: number; qps: number; p99_ms: number }[]; knee: { poolSize: number } };
    assert.equal(typeof json.speedup, 'number');
    assert.ok(json.speedup > 1, `speedup ${json.speedup}`);
    assert.deepEqual(json.sweep.map((s) => s.poolSize), [1, 2, 4, 8, 16, 32, 64]);
    for (const s of json.sweep) {
      assert.ok(typeof s.qps === 'number' && s.qps > 0, JSON.stringify(s));
      assert.ok(typeof s.p99_ms === 'number' && s.p99_ms > 0, JSON.stringify(s));
    }
    assert.ok(json.sweep.map((s) => s.poolSize).includes(json.knee.poolSize));
    assert.ok(r.ms < 60_000, `took ${Math.round(r.ms)} ms`);
    // No terminal: progress as plain lines, never a carriage return.
    assert.doesNotMatch(r.stderr, /\r/);
    assert.match(r.stderr, /havuz bench: sweep: pool size 64 \(7\/7\): \d+/);
    assert.doesNotMatch(r.stdout + r.stderr, /havuz:[^*@\s]+@127/, 'the generated password is never printed');
    assertClean(dir);
  });

  it('bad SQL: one line, exit 2, and the server it started is gone', async () => {
    const dir = tmp();
    const r = await runCli(['bench', '--sql', 'SELEC 1'], dir);
    assertOneLineError(r, /the SQL failed .*syntax error at or near "SELEC"/);
    assertClean(dir);
  });

  it('Ctrl-C (SIGINT) mid-run: stops the server, removes the folder, exits 130', async () => {
    const dir = tmp();
    const { child, done, stderrSoFar } = startCli(['bench', '--scenario', 'sweep', '--duration', '5'], dir);
    await waitFor(() => /havuz bench: postgresql:/.test(stderrSoFar()), 30_000, 'the run to start');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(leftovers(dir).length, 1, 'the server folder exists while it runs');
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /havuz: interrupted by SIGINT; stopped and removed the embedded PostgreSQL/);
    assertClean(dir);
  });

  it('SIGTERM while the server is still starting: nothing left behind, exit 143', async () => {
    const dir = tmp();
    const { child, done } = startCli(['bench', '--quick'], dir);
    await waitFor(() => leftovers(dir).length > 0, 30_000, 'the temporary folder');
    child.kill('SIGTERM');
    const r = await done;
    assert.equal(r.code, 143, r.stderr);
    assertClean(dir);
  });
});

describe('havuz bench --url', () => {
  it('PostgreSQL: JSON and an HTML report', { skip: pgSkip }, async () => {
    const dir = tmp();
    const report = join(dir, 'report.html');
    const r = await runCli(['bench', '--url', PG_URL, '--scenario', 'pool-vs-none,sweep', '--sizes', '1,4', '--duration', '0.5', '--compare-queries', '200', '--json', '--report', report], dir);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { speedup: number; sweep: unknown[]; database: { url: string; embedded: boolean } };
    assert.ok(json.speedup > 1);
    assert.equal(json.sweep.length, 2);
    assert.equal(json.database.embedded, false);
    assert.ok(existsSync(report));
    assert.equal((readFileSync(report, 'utf8').match(/<svg /g) ?? []).length, 3);
  });

  it('MySQL/MariaDB: the load test as a table', { skip: mysqlSkip }, async () => {
    const r = await runCli(['bench', '--url', MYSQL_URL, '--scenario', 'load', '--workers', '4', '--queries', '5', '--pool-size', '2'], tmp());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Load test \(4 workers x 5 queries, pool size 2, SELECT SLEEP\(0\.01\)\)/);
    assert.match(r.stdout, /q\/s\s+mean\s+p50\s+p95\s+p99/);
  });
});

describe('havuz bench: bad input is one line and exit 2', () => {
  it('zero workers (before anything starts)', async () => {
    const dir = tmp();
    assertOneLineError(await runCli(['bench', '--workers', '0'], dir), /--workers must be a whole number >= 1 \(got "0"\)/);
    assertClean(dir);
  });

  it('an unreachable database, without printing its password', async () => {
    const r = await runCli(['bench', '--url', 'postgresql://postgres:hunter2@127.0.0.1:1/test'], tmp());
    assertOneLineError(r, /cannot connect to postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test: .*ECONNREFUSED/);
    assert.doesNotMatch(r.stderr, /hunter2/);
  });

  it('bad SQL on --url', { skip: pgSkip }, async () => {
    assertOneLineError(await runCli(['bench', '--url', PG_URL, '--sql', 'SELECT * FROM no_such_table'], tmp()), /no_such_table.* does not exist \(42P01\)/);
  });

  it('SQL that passes its check but fails under load (a duplicate key)', { skip: pgSkip }, async () => {
    const table = `havuz_bench_dup_${process.pid}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
    try {
      const r = await runCli(['bench', '--url', PG_URL, '--scenario', 'load', '--workers', '2', '--queries', '3', '--sql', `INSERT INTO ${table} VALUES (1)`], tmp());
      // The run had started (its header line is there); the error is still a single line, and exit 2.
      assert.equal(r.code, 2, r.stderr);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('havuz: '));
      assert.equal(errors.length, 1, r.stderr);
      assert.match(errors[0]!, /the SQL failed during the run: duplicate key value violates unique constraint .* \(23505\)/);
    } finally {
      await client.query(`DROP TABLE ${table}`);
      await client.end();
    }
  });

  it('a report path that cannot be written (checked before the run)', async () => {
    const dir = tmp();
    assertOneLineError(await runCli(['bench', '--report', join(dir, 'no', 'such', 'dir', 'r.html')], dir), /--report .*: cannot write to/);
    assertClean(dir);
  });

  it('an unsupported URL, an unknown flag, an unknown command', async () => {
    assertOneLineError(await runCli(['bench', '--url', 'redis://127.0.0.1'], tmp()), /unsupported database URL/);
    assertOneLineError(await runCli(['bench', '--wrkers', '3'], tmp()), /Unknown option '--wrkers'/);
    assertOneLineError(await runCli(['benhc'], tmp()), /unknown command "benhc"/);
    assertOneLineError(await runCli(['bench', '--sizes', '1,x'], tmp()), /--sizes must be a comma-separated list/);
  });
});
