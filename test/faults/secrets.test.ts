import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import { bounded } from './support/load.js';
import { PasswordServer } from './support/password-server.js';
import { Admin, PG_URL, reachable, skipUnless } from './support/postgres.js';
import { freePort } from './support/scratch-postgres.js';
import { SilentServer } from './support/silent-server.js';

/**
 * A recognisable password goes into engines whose URLs fail in every way we can make them fail,
 * and into ones that work; then everything a user could print or log is searched for it.
 */

const PASSWORD = `hv-S3cret-${randomBytes(4).toString('hex')}`;
// Characters users forget to encode; in the URL it is percent-encoded, as it must be.
const SPECIAL = `${PASSWORD}/?#@:%`;
const ROLE = `flt_secret_${process.pid}`;

/** Every form the secret could take in text: raw, percent-encoded, base64 (as in a Basic header). */
function forms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
}

function hits(texts: readonly string[], secret: string): string[] {
  const found: string[] = [];
  for (const text of texts) for (const form of forms(secret)) if (text.includes(form)) found.push(text.slice(0, 400));
  return found;
}

/** Everything about an engine and its failures that can end up in a log or a bug report. */
async function exposure(url: string, options: EngineOptions = {}): Promise<{ texts: string[]; failed: boolean; passwordSent?: boolean }> {
  const texts: string[] = [];
  const logger = {
    debug: (f: object, m: string) => texts.push(m, inspect(f, { depth: Infinity })),
    info: (f: object, m: string) => texts.push(m, inspect(f, { depth: Infinity })),
    warn: (f: object, m: string) => texts.push(m, inspect(f, { depth: Infinity })),
    error: (f: object, m: string) => texts.push(m, inspect(f, { depth: Infinity })),
  };
  let engine: Engine | undefined;
  let failed = false;
  const record = (error: unknown): void => {
    failed = true;
    const e = error as Error;
    texts.push(String(e?.message), String(e?.stack), inspect(error, { depth: Infinity }), inspect(error, { showHidden: true, depth: 4 }));
    try {
      texts.push(JSON.stringify(error));
    } catch {
      // circular: inspect above has it
    }
  };
  try {
    engine = createEngine(url, { createTimeoutMs: 500, acquireTimeoutMs: 1_500, logger, ...options });
  } catch (error) {
    record(error);
    return { texts, failed };
  }
  engine.on('connection-error', (e) => texts.push(inspect(e, { depth: Infinity })));
  const look = (): void => {
    texts.push(JSON.stringify(engine!.status()), JSON.stringify(engine), inspect(engine), inspect(engine!.pool, { depth: Infinity }), String(engine!.url));
  };
  look();
  const result = await bounded(engine.query('SELECT current_user AS u'), 5_000);
  assert.ok(!result.hang, 'the query hung');
  if (result.error !== undefined) record(result.error);
  const conn = await bounded(engine.connect(), 5_000);
  if (conn.error !== undefined) record(conn.error);
  if (conn.value !== undefined) {
    texts.push(inspect(conn.value, { depth: Infinity }));
    const bad = await conn.value.query('SELECT * FROM flt_no_such_table').catch((e: unknown) => e);
    record(bad);
    conn.value.release();
  }
  look();
  await engine.close({ timeoutMs: 500 });
  look();
  return { texts, failed };
}

const up = await reachable(PG_URL);

describe('secrets never leak', { ...skipUnless(up, 'PostgreSQL'), timeout: 60_000 }, () => {
  let admin: Admin;
  let silent: SilentServer;
  let passwords: PasswordServer;
  let closedPort: number;

  before(async () => {
    admin = await Admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
    silent = await SilentServer.start();
    passwords = await PasswordServer.start();
    closedPort = await freePort();
  });
  after(async () => {
    await admin?.query(`DROP ROLE IF EXISTS ${ROLE}`).catch(() => {});
    await admin?.close();
    await silent?.close();
    await passwords?.close();
  });

  const cases: Array<{ name: string; url: () => string; secret?: string; options?: EngineOptions; fails: boolean }> = [
    { name: 'wrong port (refused)', url: () => `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${closedPort}/test`, fails: true },
    { name: 'wrong host (127.0.0.2, nothing there)', url: () => `postgres://${ROLE}:${PASSWORD}@127.0.0.2:5432/test`, fails: true },
    { name: 'a host that never answers (connect timeout)', url: () => `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${silent.port}/test`, fails: true },
    {
      name: 'a host that never answers, failFast off (PoolTimeoutError with the last connect error)',
      url: () => `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${silent.port}/test`,
      options: { failFast: false },
      fails: true,
    },
    { name: 'wrong user (no such role)', url: () => `postgres://flt_no_such_role:${PASSWORD}@127.0.0.1:5432/test`, fails: true },
    { name: 'wrong database', url: () => `postgres://${ROLE}:${PASSWORD}@127.0.0.1:5432/flt_no_such_db`, fails: true },
    { name: 'wrong password (server asks for it in clear text and refuses it)', url: () => `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${passwords.port}/test`, fails: true },
    { name: 'bad option in the URL', url: () => `postgres://${ROLE}:${PASSWORD}@127.0.0.1:5432/test?size=lots`, fails: true },
    { name: 'bad port in the URL', url: () => `postgres://${ROLE}:${PASSWORD}@127.0.0.1:99999/test`, fails: true },
    { name: 'password with special characters, encoded, refused', url: () => `postgres://${ROLE}:${encodeURIComponent(SPECIAL)}@127.0.0.1:${passwords.port}/test`, secret: SPECIAL, fails: true },
    // The user@server user names of some hosted PostgreSQL services, unencoded as users write them.
    { name: "an unencoded '@' in the user name (user@server:password@host)", url: () => `postgres://${ROLE}@myserver:${PASSWORD}@127.0.0.1:${closedPort}/test`, fails: true },
    { name: 'the right password (works)', url: () => `postgres://${ROLE}:${PASSWORD}@127.0.0.1:5432/test`, fails: false },
    { name: 'the password as a query parameter (works)', url: () => `postgres://${ROLE}@127.0.0.1:5432/test?password=${PASSWORD}`, fails: false },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const secret = c.secret ?? PASSWORD;
      const before = passwords.passwords.length;
      const { texts, failed } = await exposure(c.url(), c.options);
      assert.equal(failed, true, 'nothing failed: the case did not exercise an error path');
      if (!c.fails) {
        // It worked: the only failure is the deliberate bad statement, so the connection was real.
        assert.ok(texts.some((t) => t.includes('flt_no_such_table')), 'the working case never reached the database');
      }
      if (c.url().includes(`:${passwords.port}/`)) {
        assert.ok(passwords.passwords.length > before, 'the password never reached the server');
        assert.equal(passwords.passwords.at(-1), secret);
      }
      assert.ok(texts.length >= 4, `only ${texts.length} renderings collected`);
      assert.deepEqual(hits(texts, secret), [], `the password shows in ${hits(texts, secret).length} place(s)`);
    });
  }
});
