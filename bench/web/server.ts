/**
 * One app in its own process (argv: <library> <url> <table> <size>): listens on a free port,
 * answers `port` with it, and closes on `close`. See bench/web.ts.
 */
import { serveRequests } from '../lib/child.js';
import { buildApp, webLibraries, type WebLibrary } from './apps.js';

const [library, url, table, size] = process.argv.slice(2) as [WebLibrary, string, string, string];
if (!webLibraries.includes(library) || !url || !table || !(Number(size) > 0)) throw new Error(`bad server arguments: ${process.argv.slice(2).join(' ')}`);

const app = await buildApp(library, { url, table, size: Number(size) });
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as { port: number }).port;

serveRequests(async (request: { op: 'port' | 'close' }) => {
  if (request.op === 'close') await app.close();
  return port;
});
