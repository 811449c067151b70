import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock } from '../core/clock.js';
import { HavuzError, HealthTimeoutError, messageOf } from '../core/errors.js';
import { within } from '../core/timeouts.js';
import type { PoolStatus } from '../core/stats.js';
import type { Engine } from '../engine/engine.js';
import { redactUrl } from '../engine/redact.js';
import type { PoolCollector } from './collector.js';
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from './prometheus.js';
import { topologyPrometheusText } from './topology.js';

export interface HealthReport {
  name: string;
  /** The URL with its password redacted. */
  url: string;
  status: 'up' | 'down';
  /** Round trip of the check (checkout plus `SELECT 1`). */
  latencyMs: number;
  pool: PoolStatus;
  error?: { code: string | undefined; message: string };
}

export interface HealthOptions {
  /** The check fails after this long, whether waiting for a connection or for the answer. Default 2 s. */
  timeoutMs?: number;
}

/**
 * Checks one engine end to end: a checkout from its pool and a `SELECT 1`, bounded by `timeoutMs`.
 * It never throws; a failure is a `down` report whose message has no password in it.
 */
export async function checkHealth(engine: Engine, options: HealthOptions = {}): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const started = performance.now();
  const report = (error?: unknown): HealthReport => ({
    name: engine.pool.name,
    url: engine.url,
    status: error === undefined ? 'up' : 'down',
    latencyMs: Math.round((performance.now() - started) * 100) / 100,
    pool: engine.status(),
    ...(error === undefined
      ? {}
      : { error: { code: error instanceof HavuzError ? error.code : (error as { code?: string }).code, message: redactUrl(messageOf(error)) } }),
  });
  try {
    const check = (async () => {
      await using connection = await engine.connect({ timeoutMs });
      await connection.query('SELECT 1');
    })();
    check.catch(() => undefined); // settled later than the deadline: already reported
    await within(check, timeoutMs, systemClock, () => new HealthTimeoutError(timeoutMs));
    return report();
  } catch (error) {
    return report(error);
  }
}

/**
 * A `node:http` handler for many databases: `GET /health` answers 200 when every engine is up and
 * 503 otherwise, with one report per engine; `GET /metrics` serves the collectors to Prometheus.
 */
export function monitorHandler(engines: readonly Engine[], collectors: readonly PoolCollector[] = [], options: HealthOptions = {}) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
      response.end(prometheusText(collectors) + topologyPrometheusText(engines));
      return;
    }
    if (path === '/health') {
      const reports = await Promise.all(engines.map((e) => checkHealth(e, options)));
      const up = reports.every((r) => r.status === 'up');
      response.writeHead(up ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: up ? 'up' : 'down', databases: reports }));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found: try /health or /metrics\n');
  };
}
