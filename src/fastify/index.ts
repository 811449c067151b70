/**
 * havuz/fastify: a database as a Fastify plugin. `fastify-plugin` (an optional peer dependency,
 * imported only here) keeps it unencapsulated, so `app.havuz` is there for every route.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { InvalidOptionError } from '../core/errors.js';
import { createEngine } from '../engine/create.js';
import { Engine, type EngineOptions } from '../engine/engine.js';
import { Dashboard, type DashboardOptions } from '../monitor/dashboard/handler.js';
import { registerPromClient, type PromClientRegistry } from '../monitor/prom-client.js';
import { MetricsRegistry } from '../monitor/registry.js';
import { MonitorRoutes, type MonitorRoutesOptions, type RouteAnswer, type ServedPromRegistry } from '../monitor/routes.js';

export interface HavuzFastifyOptions {
  /** An engine the app made; or `url` (plus `engineOptions`) for the plugin to make one. */
  engine?: Engine<any>;
  url?: string;
  engineOptions?: EngineOptions;
  /** Add the engine to this registry (a manager's, shared with other pools); default a registry of its own. */
  metrics?: MetricsRegistry;
  /** Register havuz's metrics into this prom-client Registry and serve it at /metrics; default havuz's own text. */
  promRegistry?: PromClientRegistry & ServedPromRegistry;
  /** `/health`, `/health/pool` and `/metrics` under this prefix; `false` serves none. */
  routes?: false | Pick<MonitorRoutesOptions, 'prefix' | 'health'>;
  /**
   * The live dashboard (page and Server-Sent Events) at `/havuz/` (or `prefix`); `true` for the
   * defaults. Off by default. Its streams end as the app starts closing.
   */
  dashboard?: boolean | DashboardOptions;
  /** Close the engine when the app closes (default true). */
  closeEngine?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The database engine: `app.havuz.query(...)`. */
    havuz: Engine<any>;
    /** Where the engine's metrics are collected; add other pools to it. */
    havuzMetrics: MetricsRegistry;
  }
}

async function havuzPlugin(app: FastifyInstance, options: HavuzFastifyOptions): Promise<void> {
  if ((options.engine === undefined) === (options.url === undefined)) {
    throw new InvalidOptionError('engine', options.engine, 'exactly one of engine or url');
  }
  if (options.engine !== undefined && !(options.engine instanceof Engine)) throw new InvalidOptionError('engine', options.engine, 'an Engine (createEngine(url))');
  const engine = options.engine ?? createEngine(options.url!, options.engineOptions);
  const metrics = options.metrics ?? new MetricsRegistry();
  const collector = metrics.add(engine);
  const unregister = options.promRegistry === undefined ? undefined : registerPromClient(options.promRegistry, metrics);

  app.decorate('havuz', engine);
  app.decorate('havuzMetrics', metrics);
  app.addHook('onClose', async () => {
    unregister?.();
    if (options.metrics === undefined) metrics.stop();
    else metrics.remove(collector.name);
    if (options.closeEngine !== false) await engine.close();
  });

  if (options.dashboard !== undefined && options.dashboard !== false) {
    const dashboard = new Dashboard(metrics, options.dashboard === true ? {} : options.dashboard);
    // Before the server closes: an open stream would hold app.close() up.
    app.addHook('preClose', async () => dashboard.close());
    const serve = async (request: FastifyRequest, r: FastifyReply) => {
      r.hijack();
      dashboard.handle(request.raw, r.raw, request.url);
    };
    for (const path of new Set([dashboard.prefix || '/', `${dashboard.prefix}/`, `${dashboard.prefix}/events`])) app.get(path, serve);
  }

  if (options.routes === false) return;
  const routes = new MonitorRoutes(metrics, { ...options.routes, promRegistry: options.promRegistry });
  const reply = (r: FastifyReply, answer: RouteAnswer) => r.code(answer.statusCode).type(answer.contentType).send(answer.body);
  app.get(`${routes.prefix}/metrics`, async (_request, r) => reply(r, await routes.metrics()));
  app.get(`${routes.prefix}/health`, async (_request, r) => reply(r, await routes.health()));
  app.get<{ Querystring: { pool?: string } }>(`${routes.prefix}/health/pool`, async (request, r) => reply(r, routes.poolHealth(request.query.pool ?? engine.pool.name)));
}

/** `app.register(havuz, { url })`: decorates `app.havuz`, serves /health, /health/pool and /metrics, closes the engine with the app. */
export const havuz = fp(havuzPlugin, { fastify: '>=4', name: 'havuz' });
export default havuz;
