import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAllHealth, poolHealth, type HealthOptions } from './health.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
import { registryOf, type MetricsRegistry } from './registry.js';
import type { MonitorTarget } from './source.js';

/** A prom-client Registry to serve at /metrics instead of havuz's own text (register havuz into it first). */
export interface ServedPromRegistry {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface MonitorRoutesOptions {
  /** Mount point, e.g. `/internal`; default none: `/health`, `/health/pool`, `/metrics`. */
  prefix?: string;
  health?: HealthOptions;
  /** Serve this prom-client registry at /metrics (the app's metrics and havuz's together). */
  promRegistry?: ServedPromRegistry;
}

export interface RouteAnswer {
  statusCode: number;
  contentType: string;
  body: string;
}

/**
 * The three monitoring routes, framework-free: `GET /health` (every pool graded; 503 only when
 * one is unhealthy, since degraded still serves), `GET /health/pool[?pool=name]` (the seed's pool
 * JSON), `GET /metrics`. Each framework adapter mounts them its own way.
 */
export class MonitorRoutes {
  readonly registry: MetricsRegistry;
  readonly prefix: string;
  readonly #options: MonitorRoutesOptions;

  constructor(target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>, options: MonitorRoutesOptions = {}) {
    this.registry = registryOf(target);
    this.prefix = (options.prefix ?? '').replace(/\/$/, '');
    this.#options = options;
  }

  async metrics(): Promise<RouteAnswer> {
    const promRegistry = this.#options.promRegistry;
    if (promRegistry !== undefined) return { statusCode: 200, contentType: promRegistry.contentType, body: await promRegistry.metrics() };
    return { statusCode: 200, contentType: PROMETHEUS_CONTENT_TYPE, body: this.registry.prometheusText() };
  }

  async health(): Promise<RouteAnswer> {
    const health = await checkAllHealth(this.registry, this.#options.health);
    return json(health.status === 'unhealthy' ? 503 : 200, health);
  }

  /** The named pool, or the first one monitored. */
  poolHealth(name?: string | null): RouteAnswer {
    const collector = name == null ? this.registry.collectors()[0] : this.registry.get(name);
    if (collector === undefined) return json(404, { error: name == null ? 'no pool is monitored' : `no pool named ${JSON.stringify(name)}` });
    const health = poolHealth(collector, this.#options.health);
    return json(health.status === 'unhealthy' ? 503 : 200, health);
  }

  /** The answer to a request, or undefined when it is not one of the three routes. */
  async route(method: string | undefined, url: string | undefined): Promise<RouteAnswer | undefined> {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const parsed = new URL(url ?? '/', 'http://localhost');
    switch (parsed.pathname) {
      case `${this.prefix}/metrics`:
        return this.metrics();
      case `${this.prefix}/health`:
        return this.health();
      case `${this.prefix}/health/pool`:
        return this.poolHealth(parsed.searchParams.get('pool'));
      default:
        return undefined;
    }
  }
}

function json(statusCode: number, value: unknown): RouteAnswer {
  return { statusCode, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

function send(response: ServerResponse, answer: RouteAnswer): void {
  response.writeHead(answer.statusCode, { 'content-type': answer.contentType });
  response.end(answer.body);
}

/** A `node:http` handler: the monitoring routes, 404 for anything else. */
export function monitorHandler(target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>, options: MonitorRoutesOptions = {}) {
  const routes = new MonitorRoutes(target, options);
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const answer = await routes.route(request.method, request.url);
    send(response, answer ?? { statusCode: 404, contentType: 'text/plain', body: 'not found: try /health, /health/pool or /metrics\n' });
  };
}

/** Express (or Connect) middleware: the monitoring routes, and `next()` for every other request. */
export function expressMonitor(target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>, options: MonitorRoutesOptions = {}) {
  const routes = new MonitorRoutes(target, options);
  return (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void): void => {
    // Express keeps the URL from before the app was mounted as originalUrl.
    routes.route(request.method, (request as { originalUrl?: string }).originalUrl ?? request.url).then(
      (answer) => (answer === undefined ? next() : send(response, answer)),
      next,
    );
  };
}
