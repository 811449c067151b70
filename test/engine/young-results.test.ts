import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireDatabase, urls } from '../support/databases.js';

/**
 * A result's rows are made in V8's young generation, as pg.Pool's are, under a web app's load.
 * With pg's promise form of client.query, V8 pretenured the allocation site of pg's rows arrays
 * within the first thousand requests: every rows array was then made in the old generation, kept
 * its young rows alive through every scavenge, and doubled the scavenges' pauses (the p99 of
 * bench:web at 10 connections). The fixture counts, with V8's own %InYoungGeneration, how many
 * results came back in the old generation.
 */
const fixture = fileURLToPath(new URL('./fixtures/young-results.ts', import.meta.url));
const REQUESTS = 8_000;

for (const [name, url, mode] of [
  ['PostgreSQL, engine.query', urls.postgres, 'engine'],
  ['PostgreSQL, client.query on a client from PgPool.connect() (Kysely, Drizzle)', urls.postgres, 'facade'],
  ['MariaDB, engine.query', urls.mysql, 'engine'],
] as const) {
  test(`${name}: under a Fastify app's load, results are not pretenured`, { timeout: 60_000 }, async (t) => {
    if (!(await requireDatabase(url, t))) return;
    const { stdout } = await promisify(execFile)(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', fixture, url, String(REQUESTS), mode]);
    const { seen, old } = JSON.parse(stdout.trim().split('\n').pop()!) as { seen: number; old: number };
    assert.equal(seen, REQUESTS);
    // Before the fix 6,952 of 8,000 (87%) through engine.query, 6,079 through the facade (as on
    // pg.Pool itself); after it none. A handful may be old for a reason of
    // their own (a scavenge in the middle of one request), not a pretenured site.
    assert.ok(old <= REQUESTS / 100, `${old} of ${seen} results' rows were made in the old generation`);
  });
}
