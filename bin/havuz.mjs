#!/usr/bin/env node
// The `havuz` command. It runs the compiled CLI, so build first: npm ci && npm run build.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('havuz: dist/ is missing; run `npm run build` in the havuz folder first\n');
  process.exit(2);
}
await import(entry.href);
