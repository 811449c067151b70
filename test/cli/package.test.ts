import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  exports: Record<string, { import: { types: string; default: string }; require: { types: string; default: string } }>;
};

describe('packaging: npx havuz after npm run build', () => {
  it('the bin entry is an executable script that loads the built CLI', () => {
    assert.equal(pkg.bin.havuz, './bin/havuz.mjs');
    const bin = join(ROOT, 'bin', 'havuz.mjs');
    accessSync(bin, constants.X_OK);
    const text = readFileSync(bin, 'utf8');
    assert.match(text, /^#!\/usr\/bin\/env node\n/);
    assert.match(text, /'\.\.\/dist\/cli\/bin\.js'/);
    assert.ok(existsSync(join(ROOT, 'src', 'cli', 'bin.ts')), 'dist/cli/bin.js is built from src/cli/bin.ts');
  });

  it('exports ./sizing and ./bench from their built index files', () => {
    for (const name of ['sizing', 'bench']) {
      assert.deepEqual(pkg.exports[`./${name}`], {
        import: { types: `./dist/${name}/index.d.ts`, default: `./dist/${name}/index.js` },
        require: { types: `./dist/${name}/index.d.cts`, default: `./dist/${name}/index.js` },
      });
      assert.ok(existsSync(join(ROOT, 'src', name, 'index.ts')));
    }
  });

  it('runs the build when there is one, and says to build when there is not', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'havuz.mjs'), '--help'], { encoding: 'utf8', cwd: ROOT });
    if (existsSync(join(ROOT, 'dist', 'cli', 'bin.js'))) {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Usage: havuz <command>/);
    } else {
      assert.equal(r.status, 2);
      assert.match(r.stderr, /run `npm run build`/);
    }
  });
});
