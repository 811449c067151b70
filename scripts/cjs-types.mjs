// After `tsc`: a CommonJS twin (.d.cts) of every declaration file in dist, so TypeScript in a
// CommonJS project (`require`, moduleResolution node16 or nodenext) reads havuz's types as a
// CommonJS module's. At run time `require('havuz')` loads the same ES module files (Node >= 20.19
// requires ES modules), so there is one copy of havuz in a process, never two.
// Usage: node scripts/cjs-types.mjs [dist]
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? 'dist';

function* declarations(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* declarations(path);
    else if (name.endsWith('.d.ts')) yield path;
  }
}

// Relative specifiers only: `from './x.js'`, `import('./x.js')`, `declare module './x.js'`.
const relative = /((?:from|import\(|module)\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g;
let count = 0;
for (const path of declarations(root)) {
  const text = readFileSync(path, 'utf8').replace(relative, '$1$2.cjs$3');
  writeFileSync(path.replace(/\.d\.ts$/, '.d.cts'), text);
  count++;
}
console.log(`cjs-types: ${count} .d.cts files in ${root}`);
