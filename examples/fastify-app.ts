// The seed's FastAPI application as a Fastify app: users in PostgreSQL, /health/pool and /metrics
// from the havuz plugin, the live dashboard at /havuz/, graceful shutdown on SIGTERM / SIGINT.
// Run: node --import tsx examples/fastify-app.ts [postgresql://postgres@127.0.0.1:5432/test] [port]
//   curl -XPOST localhost:3000/users -H 'content-type: application/json' -d '{"name":"Ada","email":"ada@example.com"}'
//   curl localhost:3000/users/1    curl localhost:3000/health/pool    curl localhost:3000/metrics
//   open http://localhost:3000/havuz/ in a browser (set HAVUZ_DASHBOARD_TOKEN to require ?token=...)
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DatabaseError, type EngineOptions } from 'havuz';
import { havuz } from 'havuz/fastify';
import type { DashboardOptions, MetricsRegistry } from 'havuz/monitor';

export interface UsersAppOptions {
  url: string;
  /** Default `app_users`. */
  table?: string;
  engineOptions?: EngineOptions;
  /** The app's prom-client registry; havuz's metrics join it and /metrics serves it. Default a new one. */
  promRegistry?: Registry;
  /** Collect the pool's metrics here (to add OpenTelemetry, or other pools). */
  metrics?: MetricsRegistry;
  /** The live dashboard at /havuz/ (default on; false to leave it out). */
  dashboard?: boolean | DashboardOptions;
}

interface User {
  id: number;
  name: string;
  email: string;
}

const UNIQUE_VIOLATION = '23505';

export async function buildUsersApp(options: UsersAppOptions): Promise<FastifyInstance> {
  const table = options.table ?? 'app_users';
  const app = Fastify();
  await app.register(havuz, {
    url: options.url,
    engineOptions: { name: 'users-db', size: 10, acquireTimeoutMs: 30_000, ...options.engineOptions },
    promRegistry: options.promRegistry ?? new Registry(),
    metrics: options.metrics,
    dashboard: options.dashboard ?? true,
  });
  await app.havuz.query(`CREATE TABLE IF NOT EXISTS ${table} (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE NOT NULL)`);

  app.get<{ Params: { id: number } }>(
    '/users/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } } },
    async (request, reply) => {
      const { rows } = await app.havuz.query<User>(`SELECT id, name, email FROM ${table} WHERE id = $1`, [request.params.id]);
      if (rows.length === 0) return reply.code(404).send({ detail: 'User not found' });
      return rows[0];
    },
  );

  app.post<{ Body: { name: string; email: string } }>(
    '/users',
    {
      schema: {
        body: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1 }, email: { type: 'string', minLength: 3 } },
          required: ['name', 'email'],
        },
      },
    },
    async (request, reply) => {
      try {
        const { rows } = await app.havuz.query<User>(`INSERT INTO ${table} (name, email) VALUES ($1, $2) RETURNING id, name, email`, [
          request.body.name,
          request.body.email,
        ]);
        return reply.code(201).send(rows[0]);
      } catch (error) {
        if (error instanceof DatabaseError && error.serverCode === UNIQUE_VIOLATION) return reply.code(409).send({ detail: 'Email already registered' });
        throw error;
      }
    },
  );
  return app;
}

// Run as a program: listen, and on SIGTERM / SIGINT stop taking connections, finish the requests
// in flight, close the pool (the plugin's onClose), then exit.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const url = process.argv[2] ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const port = Number(process.argv[3] ?? 3000);
  const promRegistry = new Registry();
  collectDefaultMetrics({ register: promRegistry });
  const token = process.env.HAVUZ_DASHBOARD_TOKEN;
  const app = await buildUsersApp({ url, promRegistry, dashboard: token === undefined ? true : { token } });
  // Node's default listen backlog (511) drops the SYNs of a burst of 1,000 connections; the client
  // retries them after 1 s and 3 s, a multi-second p99 that no pool causes (see the README).
  const address = await app.listen({ port, host: '127.0.0.1', backlog: 4096 });
  console.log(JSON.stringify({ listening: address, port: (app.server.address() as { port: number }).port }));
  const shutdown = async (signal: string) => {
    await app.close();
    console.log(JSON.stringify({ closed: signal, poolClosed: app.havuz.status().closed }));
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
