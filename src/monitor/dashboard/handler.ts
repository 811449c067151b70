import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidOptionError } from '../../core/errors.js';
import { registryOf, type MetricsRegistry } from '../registry.js';
import type { MonitorTarget } from '../source.js';
import { DashboardHub, type DashboardStreamOptions } from './hub.js';
import { PAGE_CSP, renderDashboardPage } from './page.js';
import { tokenChecker, tokenOf } from './token.js';

export interface DashboardOptions extends DashboardStreamOptions {
  /** Mount point: the page at `<prefix>/`, the stream at `<prefix>/events`. Default `/havuz`; `''` for the root. */
  prefix?: string;
  /** Require this bearer token (header `Authorization: Bearer …`, or `?token=` in the page's URL). */
  token?: string;
  /** The page's heading. */
  title?: string;
}

/**
 * The live dashboard, framework-free: `GET <prefix>/` is the page (uPlot inline, no other asset),
 * `GET <prefix>/events` its Server-Sent Events stream. `handle()` answers those and returns false
 * for anything else, so any server can mount it. Nothing served carries a password: pools are
 * named, URLs are redacted, errors are messages run through the redactor. Call `close()` before
 * closing the server: open streams would hold `server.close()` up.
 */
export class Dashboard {
  readonly registry: MetricsRegistry;
  readonly prefix: string;
  readonly hub: DashboardHub;
  readonly #authorized: (token: string | undefined) => boolean;
  readonly #page: string;

  constructor(target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>, options: DashboardOptions = {}) {
    const prefix = options.prefix ?? '/havuz';
    if (typeof prefix !== 'string' || (prefix !== '' && !/^\/[\w\-./]*$/.test(prefix))) throw new InvalidOptionError('prefix', prefix, "a path like '/havuz' (or '' for the root)");
    if (options.intervalMs !== undefined && !(Number.isInteger(options.intervalMs) && options.intervalMs >= 50 && options.intervalMs <= 60_000)) {
      throw new InvalidOptionError('intervalMs', options.intervalMs, 'a whole number of ms from 50 to 60000');
    }
    if (options.history !== undefined && !(Number.isInteger(options.history) && options.history >= 0 && options.history <= 3_600)) {
      throw new InvalidOptionError('history', options.history, 'a whole number of ticks from 0 to 3600');
    }
    if (options.maxViewers !== undefined && !(Number.isInteger(options.maxViewers) && options.maxViewers >= 1 && options.maxViewers <= 10_000)) {
      throw new InvalidOptionError('maxViewers', options.maxViewers, 'a whole number of streams from 1 to 10000');
    }
    this.#authorized = tokenChecker(options.token);
    this.registry = registryOf(target);
    this.prefix = prefix.replace(/\/+$/, '');
    this.hub = new DashboardHub(this.registry, options);
    this.#page = renderDashboardPage(options.title);
  }

  /** Whether a path is the dashboard's (for frameworks that route by prefix). */
  owns(path: string): boolean {
    return path === this.prefix || path === `${this.prefix}/` || path === `${this.prefix}/events`;
  }

  /** Answers the dashboard's requests; false (nothing written) for any other path or method. */
  handle(request: IncomingMessage, response: ServerResponse, url = (request as { originalUrl?: string }).originalUrl ?? request.url): boolean {
    const parsed = new URL(url ?? '/', 'http://localhost');
    if (!this.owns(parsed.pathname)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return true;
    }
    if (!this.#authorized(tokenOf(request, parsed))) {
      response.writeHead(401, { 'www-authenticate': 'Bearer realm="havuz"', 'content-type': 'text/plain', 'cache-control': 'no-store' });
      response.end('a bearer token is required: open the page as ...?token=<token>\n');
      return true;
    }
    if (parsed.pathname === `${this.prefix}/events`) {
      if (request.method === 'HEAD') response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' }).end();
      else this.hub.attach(response);
      return true;
    }
    if (parsed.pathname === this.prefix && this.prefix !== '') {
      // The page's relative links need the trailing slash.
      response.writeHead(308, { location: `${this.prefix}/${parsed.search}` }).end();
      return true;
    }
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': PAGE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    response.end(request.method === 'HEAD' ? undefined : this.#page);
    return true;
  }

  /** Ends every open stream and stops watching the pools (they stay open: they are the app's). */
  close(): void {
    this.hub.close();
  }
}

/** A `node:http` handler: the dashboard, 404 for anything else. `handler.dashboard.close()` ends its streams. */
export function dashboardHandler(target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>, options: DashboardOptions = {}) {
  const dashboard = new Dashboard(target, options);
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    if (!dashboard.handle(request, response, request.url)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: the dashboard is at ${dashboard.prefix}/\n`);
    }
  };
  return Object.assign(handler, { dashboard, close: () => dashboard.close() });
}

/** Express (or Connect) middleware: the dashboard, `next()` for every other request. `middleware.close()` ends its streams. */
export function expressDashboard(target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>, options: DashboardOptions = {}) {
  const dashboard = new Dashboard(target, options);
  const middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void): void => {
    if (!dashboard.handle(request, response)) next();
  };
  return Object.assign(middleware, { dashboard, close: () => dashboard.close() });
}
