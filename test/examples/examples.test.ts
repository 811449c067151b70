import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { requireDatabase, urls } from '../support/databases.js';

const run = promisify(execFile);

/** Runs an example as a user would, in its own process, and parses the JSON line it prints. */
async function example(name: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}.ts`, urls.postgres], { timeout: 60_000 });
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
