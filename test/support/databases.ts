// Where the test databases are, and what to do when one is not there: with CI=true an unreachable
// database fails the test (a green run must mean it ran); on a laptop without it, the test skips.
import { connect } from 'node:net';
import type { TestContext } from 'node:test';

const env = process.env;

export const urls = {
  postgres: env.HAVUZ_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: env.HAVUZ_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
  /** `file` is an absolute path; the engine reads sqlite:////abs/path.db (SQLAlchemy's form). */
  sqliteFile: (file: string): string => `sqlite:///${file}`,
  sqliteMemory: 'sqlite::memory:',
  redis: env.HAVUZ_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

const isCI = env.CI === 'true' || env.CI === '1';
const probes = new Map<string, Promise<string | undefined>>();

/**
 * Undefined when the database at `url` accepts TCP connections (SQLite always does), else why not.
 * Probed once per URL.
 */
function probe(url: string): Promise<string | undefined> {
  let result = probes.get(url);
  if (result === undefined) {
    result = reach(url);
    probes.set(url, result);
  }
  return result;
}

function reach(url: string): Promise<string | undefined> {
  if (url.startsWith('sqlite:')) return Promise.resolve(undefined);
  const { hostname, port, protocol } = new URL(url);
  const defaultPort = { 'postgres:': 5432, 'postgresql:': 5432, 'mysql:': 3306, 'mariadb:': 3306, 'redis:': 6379 }[protocol];
  const where = `${hostname}:${port || defaultPort}`;
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || defaultPort) });
    socket.setTimeout(2_000, () => socket.destroy(new Error('no answer in 2 s')));
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error) => resolve(`${protocol.slice(0, -1)} at ${where} is unreachable (${error.message})`));
  });
}

/**
 * For `describe(name, { skip: await skipUnlessReachable(url) }, ...)`: false when the database is
 * there, a skip message when it is not, and a rejection (a failed file) under CI.
 */
export async function skipUnlessReachable(url: string): Promise<string | false> {
  const why = await probe(url);
  if (why === undefined) return false;
  if (isCI) throw new Error(`CI=true and ${why}`);
  return why;
}

/**
 * True when the database is there. When it is not: under CI throws (the test fails); otherwise
 * skips the test through `t` when given, and resolves false so the caller can return early.
 */
export async function requireDatabase(url: string, t?: TestContext): Promise<boolean> {
  const why = await skipUnlessReachable(url);
  if (why === false) return true;
  t?.skip(why);
  return false;
}
