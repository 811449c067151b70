// Prisma 7 through @prisma/adapter-pg given a PgPool. The client is generated here, offline:
// Prisma's CLI insists on downloading its schema engine (binaries.prisma.sh, unreachable from CI)
// although `generate` never runs it, so PRISMA_SCHEMA_ENGINE_BINARY points at a stand-in. The
// table is made with SQL (migrations would need the real engine), in a schema of its own per run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PgPool } from '../../src/compat/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { pgConfig, table } from './support.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('Prisma 7 on PgPool (@prisma/adapter-pg)', () => {
  const schema = table('cmp_prisma');
  let pool: PgPool;
  let prisma: any;
  before(async () => {
    await requireDatabase(urls.postgres);
    await run(process.execPath, [join(root, 'node_modules/prisma/build/index.js'), 'generate', '--schema', join(root, 'test/compat/prisma/schema.prisma')], {
      cwd: root,
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
      timeout: 60_000,
    });
    const { PrismaClient } = await import(pathToFileURL(join(root, 'node_modules/.cache/havuz-prisma-client/client.ts')).href);
    pool = new PgPool({ ...pgConfig(), max: 3 });
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}."Person" (id SERIAL PRIMARY KEY, name TEXT NOT NULL)`);
    prisma = new PrismaClient({ adapter: new PrismaPg(pool as unknown as pg.Pool, { schema }) });
  });
  after(async () => {
    await prisma?.$disconnect();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  test('the adapter takes the PgPool as a pg.Pool (not as a config to build its own)', () => {
    assert.ok(pool instanceof pg.Pool);
  });

  test('create, find, an interactive transaction that rolls back, raw SQL: all on the PgPool', async () => {
    const before = pool.engine.status().counters.acquired;
    await prisma.person.create({ data: { name: 'ada' } });
    await assert.rejects(
      prisma.$transaction(async (tx: any) => {
        await tx.person.create({ data: { name: 'ghost' } });
        throw new Error('abort');
      }),
      /abort/,
    );
    const people = await prisma.person.findMany({ select: { name: true } });
    assert.deepEqual(people, [{ name: 'ada' }]);
    const [{ n }] = await prisma.$queryRawUnsafe('SELECT count(*)::int AS n FROM ' + schema + '."Person"');
    assert.equal(n, 1);
    assert.ok(pool.engine.status().counters.acquired >= before + 4, 'every statement went through the havuz pool');
    assert.equal(pool.engine.status().inUse, 0);
  });
});
