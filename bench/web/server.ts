/**
 * One app in its own process (argv: <library> <url> <table> <size>): listens on a free port,
 * answers `port` with it, and closes on `close`. See bench/web.ts.
 *
 * `reset` and `stats` say where a slow response spent its time: `handlerP99Ms` is from the moment
 * Fastify read the request to the response (routing, the pool's wait, the statement, the reply),
 * `loopDelayP99Ms` the event loop's delay. A client p99 far above the handler's is time spent
 * before the request was read: in socket backlogs and a saturated event loop, not in the pool.
 */
import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { serveRequests } from '../lib/child.js';
import { buildApp, webLibraries, type WebLibrary } from './apps.js';

export type ServerRequest = { op: 'port' | 'close' | 'reset' | 'stats' };
export interface ServerStats {
  handlerP50Ms: number;
  handlerP99Ms: number;
  loopDelayP99Ms: number;
}

const [library, url, table, size] = process.argv.slice(2) as [WebLibrary, string, string, string];
if (!webLibraries.includes(library) || !url || !table || !(Number(size) > 0)) throw new Error(`bad server arguments: ${process.argv.slice(2).join(' ')}`);

const app = await buildApp(library, { url, table, size: Number(size) });
const handler = createHistogram();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const started = new WeakMap<object, bigint>();
app.addHook('onRequest', async (request) => {
  started.set(request, process.hrtime.bigint());
});
app.addHook('onResponse', async (request) => {
  const t0 = started.get(request);
  if (t0 !== undefined) handler.record(Math.max(1, Number(process.hrtime.bigint() - t0)));
});
// Node's default backlog (511) is below 1,000 connections opened at once: the SYNs beyond it are
// dropped and retried after 1 s, then 3 s, which shows as a multi-second client p99 that no pool causes.
await app.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
const port = (app.server.address() as { port: number }).port;

const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
serveRequests(async (request: ServerRequest): Promise<number | ServerStats> => {
  switch (request.op) {
    case 'close':
      await app.close();
      return port;
    case 'reset':
      handler.reset();
      loop.reset();
      return port;
    case 'stats':
      return { handlerP50Ms: ms(handler.percentile(50)), handlerP99Ms: ms(handler.percentile(99)), loopDelayP99Ms: ms(loop.percentile(99)) };
    default:
      return port;
  }
});
