/**
 * The app under load, four ways: the example app on havuz (examples/fastify-app.ts, metrics and
 * all, as a user would run it), the same with `pipeline: true`, and the same GET /users/:id route on pg.Pool and on postgres.js,
 * each with a pool of the same size. Only the database calls differ.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import postgres from 'postgres';
import { buildUsersApp } from '../../examples/fastify-app.js';

export const webLibraries = ['havuz', 'havuz-pipeline', 'pg-pool', 'postgres-js'] as const;
export type WebLibrary = (typeof webLibraries)[number];

export interface AppConfig {
  url: string;
  table: string;
  size: number;
}

type FindUser = (id: number) => Promise<Record<string, unknown> | undefined>;

/** GET /users/:id as the example defines it (params schema, 404 body), over any lookup. */
function peerApp(find: FindUser, close: () => Promise<void>): FastifyInstance {
  const app = Fastify();
  app.get<{ Params: { id: number } }>(
    '/users/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } } },
    async (request, reply) => (await find(request.params.id)) ?? reply.code(404).send({ detail: 'User not found' }),
  );
  app.addHook('onClose', close);
  return app;
}

export async function buildApp(library: WebLibrary, config: AppConfig): Promise<FastifyInstance> {
  const sql = `SELECT id, name, email FROM ${config.table} WHERE id = $1`;
  switch (library) {
    case 'havuz':
      return buildUsersApp({ url: config.url, table: config.table, engineOptions: { size: config.size } });
    case 'havuz-pipeline':
      return buildUsersApp({ url: config.url, table: config.table, engineOptions: { size: config.size, pipeline: true } });
    case 'pg-pool': {
      const pool = new pg.Pool({ connectionString: config.url, max: config.size });
      return peerApp(async (id) => (await pool.query(sql, [id])).rows[0], () => pool.end());
    }
    case 'postgres-js': {
      const client = postgres(config.url, { max: config.size, onnotice: () => undefined });
      return peerApp(async (id) => (await client.unsafe(sql, [id]))[0], () => client.end());
    }
  }
}
