// Shared by test/bench, test/sizing and test/cli: where the machine's databases are, and the rule
// that with CI=true nothing is skipped: a missing database or browser fails the test instead.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

export const PG_URL = process.env.HAVUZ_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.HAVUZ_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const CHROMIUM = process.env.HAVUZ_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const isCI = process.env.CI === 'true' || process.env.CI === '1';

/** For `{ skip: await unlessReachable(url) }`: false when reachable; a reason off CI; a throw on CI. */
export async function unlessReachable(url: string): Promise<string | false> {
  const { hostname, port, protocol } = new URL(url);
  const p = Number(port || (protocol.startsWith('mysql') || protocol.startsWith('mariadb') ? 3306 : 5432));
  const why = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host: hostname, port: p });
    socket.setTimeout(2_000, () => socket.destroy(new Error('no answer in 2 s')));
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error) => resolve(`${hostname}:${p} unreachable (${error.message})`));
  });
  return verdict(why);
}

/** Same rule for the headless browser the report test drives. */
export function unlessChromium(): string | false {
  return verdict(existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

/** Headless Chromium for the page tests: no sandbox (root), nothing fetched in the background. */
export async function launchChromium(): Promise<import('playwright-core').Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

function verdict(why: string | undefined): string | false {
  if (why === undefined) return false;
  if (isCI) throw new Error(`CI=true and ${why}`);
  return why;
}

/** Live processes whose command line mentions `text` (no pgrep: read /proc directly). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
