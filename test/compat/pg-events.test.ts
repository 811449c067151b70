// pg-pool's events with pg-pool's arguments: connect(client), acquire(client), release(err, client),
// remove(client), error(err, client) for idle clients only, and never fatal when nobody listens.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { PgPool } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { nextEvent, pgConfig } from './support.js';

before(async () => {
  await requireDatabase(urls.postgres);
});

describe('PgPool events', () => {
  test('connect and acquire carry the client, before connect() resolves; release carries (err, client)', async () => {
    const pool = new PgPool(pgConfig());
    const log: string[] = [];
    const clients = new Set<unknown>();
    pool.on('connect', (client) => (log.push('connect'), clients.add(client)));
    pool.on('acquire', (client) => (log.push('acquire'), clients.add(client)));
    const releases: unknown[][] = [];
    pool.on('release', (...args) => releases.push(args));
    try {
      const client = await pool.connect();
      log.push('resolved');
      assert.deepEqual(log, ['connect', 'acquire', 'resolved']);
      assert.deepEqual([...clients], [client]);
      client.release();
      await pool.query('SELECT 1');
      const error = new Error('done with it');
      (await pool.connect()).release(error);
      assert.equal(releases.length, 3);
      assert.deepEqual(releases[0], [undefined, client]);
      assert.deepEqual(releases[1], [null, client], "pool.query releases too, with pg's null for no error, as pg-pool does");
      assert.equal(releases[2]![0], error);
    } finally {
      await pool.end();
    }
  });

  test("log gets pg-pool's own lines for what pg-pool logs", async () => {
    const lines: unknown[] = [];
    const pool = new PgPool({ ...pgConfig(), maxUses: 1, log: (message: unknown) => lines.push(message) });
    (await pool.connect()).release();
    await pool.query('SELECT 1');
    await pool.end();
    for (const line of ['new client connected', 'remove expended client', 'dispatching query', 'query dispatched', 'ending']) assert.ok(lines.includes(line), line);
  });

  test('remove carries the client, once it is out of the counts', async () => {
    const pool = new PgPool(pgConfig());
    try {
      const client = await pool.connect();
      const removed = nextEvent(pool, 'remove');
      client.release(true);
      const [gone] = await removed;
      assert.equal(gone, client);
      assert.equal(pool.totalCount, 0);
    } finally {
      await pool.end();
    }
  });

  test('an idle client that errors is removed and reported as error(err, client), with err.client', async () => {
    const pool = new PgPool(pgConfig());
    try {
      const client = await pool.connect();
      client.release();
      const reported = nextEvent(pool, 'error');
      client.emit('error', new Error('on purpose'));
      const [error, errClient] = await reported;
      assert.equal(error.message, 'on purpose');
      assert.equal(errClient, client);
      assert.equal(error.client, client);
      assert.equal(pool.totalCount, 0);
      assert.equal(pool.idleCount, 0);
    } finally {
      await pool.end();
    }
  });

  test("a checked-out client that errors is its holder's business: no pool error, it stays counted until released", async () => {
    const pool = new PgPool(pgConfig());
    const poolErrors: unknown[] = [];
    pool.on('error', (e) => poolErrors.push(e));
    try {
      const client = await pool.connect();
      const heard = nextEvent(client, 'error');
      client.emit('error', new Error('expected'));
      await heard;
      assert.deepEqual(poolErrors, []);
      assert.equal(pool.totalCount, 1);
      client.release();
      assert.equal(pool.totalCount, 0, 'a client that errored is not reused');
    } finally {
      await pool.end();
    }
  });

  test('with no error listener, an idle client dying is not fatal: the pool replaces it', async () => {
    const pool = new PgPool({ ...pgConfig(), max: 1 });
    try {
      const client = await pool.connect();
      const pid = client.processID;
      client.release();
      const removed = nextEvent(pool, 'remove');
      // Kill its backend from another connection: the server hangs up on the idle client.
      const killer = new PgPool(pgConfig());
      await killer.query('SELECT pg_terminate_backend($1)', [pid]);
      await killer.end();
      await removed;
      assert.equal((await pool.query('SELECT 1 AS n')).rows[0].n, 1);
    } finally {
      await pool.end();
    }
  });
});
