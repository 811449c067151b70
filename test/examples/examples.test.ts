import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { requireDatabase, urls } from '../support/databases.js';

const run = promisify(execFile);

/** Runs an example as a user would, in its own process, and parses the JSON line it prints. */
async function example(name: string, ...args: string[]): Promise<Record<string, unknown>> {
  const path = name.includes('/') ? name : `examples/${name}.ts`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path, urls.postgres, ...args], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

before(async () => {
  await requireDatabase(urls.postgres);
});

test('pooled user lookup: 50 concurrent lookups on at most 5 connections', async () => {
  const out = await example('user-lookup');
  assert.equal(out.found, 50);
  assert.ok((out.opened as number) <= 5 && (out.opened as number) >= 1, `opened ${out.opened}`);
});

test('repository: get, create, bulk create; a duplicate rolls back the whole bulk', async () => {
  const out = await example('repository');
  assert.deepEqual(out, { fetched: 'SKU-1', bulk: 100, duplicate: '23505', total: 101 });
});

test('transaction with audit log: an error in the second insert leaves no row', async () => {
  const out = await example('transaction-audit');
  assert.deepEqual(out, { rolledBack: true, users: ['ok@example.com'], audit: 1 });
});

test('an existing pg.Pool program runs on havuz with only its import line changed, and prints what it prints on pg.Pool', async () => {
  const source = readFileSync('examples/pg-pool-program.ts', 'utf8');
  const importLine = "import { PgPool as Pool } from 'havuz/compat'; // was: import pg from 'pg'; const { Pool } = pg;";
  assert.ok(source.includes(importLine));
  // The same program with pg's import back: the original it was moved from.
  mkdirSync('.havuz-examples', { recursive: true });
  const original = '.havuz-examples/pg-pool-program.original.ts';
  writeFileSync(original, source.replace(importLine, "import pg from 'pg'; const { Pool } = pg;"));
  try {
    const suffix = randomBytes(4).toString('hex');
    const onHavuz = await example('pg-pool-program', `ex_orders_${suffix}`);
    const onPg = await example(original, `ex_orders_pg_${suffix}`);
    assert.deepEqual(onHavuz, { orders: 21, items: 23, refused: 'bad quantity for cake', open: true, waiting: 0 });
    assert.deepEqual(onHavuz, onPg);
  } finally {
    rmSync('.havuz-examples', { recursive: true, force: true });
  }
});
