/**
 * Compares two `npm run -s bench:core -- --json` outputs taken back to back:
 *
 *   npm run -s bench:core -- --json > first.json && npm run -s bench:core -- --json > second.json
 *   node --import tsx bench/core-compare.ts first.json second.json
 *
 * Prints each library's second median over its first (the target: within 10%) and havuz ÷ the
 * fastest peer in each run (the target: 2x or more in both).
 */
import { readFileSync } from 'node:fs';
import { compareRuns } from './core/compare.js';
import type { Medians } from './core/report.js';

const [first, second] = process.argv.slice(2);
if (first === undefined || second === undefined) throw new Error('usage: bench/core-compare.ts first.json second.json');
const read = (path: string): Medians => (JSON.parse(readFileSync(path, 'utf8')) as { scenarios: Medians }).scenarios;
process.stdout.write(`${compareRuns(read(first), read(second)).text}\n`);
