// The ioredis factory under a core Pool, against the real Redis.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Pool } from '../../src/core/index.js';
import type { PoolEventMap } from '../../src/core/events.js';
import { redisFactory, type RedisClient } from '../../src/drivers/redis/factory.js';
import { skipUnlessReachable, urls } from '../support/databases.js';
import { createContext } from './targets.js';

/** The ioredis surface these tests use beyond what the factory types. */
interface Redis extends RedisClient {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
  subscribe(channel: string): Promise<unknown>;
}

const key = `drv:redis:${process.pid}`;

function nextEvent<K extends keyof PoolEventMap<Redis>>(pool: Pool<Redis>, event: K, match: (e: PoolEventMap<Redis>[K]) => boolean = () => true) {
  return new Promise<PoolEventMap<Redis>[K]>((resolve) => {
    const off = pool.on(event, (e) => {
      if (!match(e)) return;
      off();
      resolve(e);
    });
  });
}

describe('redis factory under a core Pool', { skip: await skipUnlessReachable(urls.redis) }, () => {
  let pool: Pool<Redis>;
  let admin: Redis;
  const factory = redisFactory<Redis>(urls.redis);

  before(async () => {
    pool = new Pool(factory, { size: 2, name: 'drv-redis' });
    admin = await factory.create(createContext());
  });
  after(async () => {
    await admin.del(key);
    await factory.destroy(admin);
    await pool.close();
  });

  test('runs commands on pooled connections and reuses them', async () => {
    await pool.use((redis) => redis.set(key, 'v1'));
    const first = await pool.use((redis) => redis.call('CLIENT', 'ID'));
    const again = await pool.use((redis) => redis.call('CLIENT', 'ID'));
    assert.equal(first, again);
    assert.equal(await pool.use((redis) => redis.get(key)), 'v1');
  });

  test('validate answers PONG on a live connection', async () => {
    assert.equal(await factory.validate!(admin), true);
  });

  test('a connection the server kills while idle is dropped, not reconnected underneath', async () => {
    const lease = await pool.acquire();
    const client = lease.connection;
    const id = await client.call('CLIENT', 'ID');
    lease.release();
    const closed = nextEvent(pool, 'close', (e) => e.reason === 'broken');
    await admin.call('CLIENT', 'KILL', 'ID', String(id));
    await closed;
    await new Promise<void>((resolve) => (client.status === 'end' ? resolve() : client.on('end', resolve)));
    assert.equal(client.status, 'end');
    const fresh = await pool.use((redis) => redis.call('CLIENT', 'ID'));
    assert.notEqual(fresh, id);
  });

  test('a connection left in subscriber mode fails reset and is replaced', async () => {
    const lease = await pool.acquire();
    await lease.connection.subscribe(`${key}:channel`);
    const closed = nextEvent(pool, 'close', (e) => e.reason === 'reset-failed');
    lease.release();
    await closed;
    assert.equal(await pool.use((redis) => redis.call('PING')), 'PONG');
  });

  test('destroy quits without reporting the connection as broken', async () => {
    const context = createContext();
    const client = await factory.create(context);
    await factory.destroy(client);
    assert.equal(client.status, 'end');
    assert.equal(context.brokenCalls(), 0);
  });

  test('an abort during connect rejects and closes the socket', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const controller = new AbortController();
    const connecting = redisFactory({ host: '127.0.0.1', port }).create(createContext(controller.signal));
    const socket = await accepted;
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const reason = new Error('pool closed');
    controller.abort(reason);
    await assert.rejects(connecting, (error) => error === reason);
    await closed;
    await new Promise((resolve) => server.close(resolve));
  });
});
