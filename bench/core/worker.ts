/**
 * A benchmark child process: one library, measured on request (see library-process.ts).
 * argv: <library> <clock>. Started with --expose-gc.
 */
import { serveRequests } from '../lib/child.js';
import { clocks, type ClockName } from '../lib/clock.js';
import { libraries, type Library } from './adapters.js';
import type { MeasureRequest } from './library-process.js';
import { measure } from './measure.js';
import { scenarios } from './scenarios.js';

const [library, clockName] = process.argv.slice(2) as [Library, ClockName];
if (!libraries.includes(library) || !(clockName in clocks)) throw new Error(`bad worker arguments: ${process.argv.slice(2).join(' ')}`);
const clock = clocks[clockName];

serveRequests(async (request: MeasureRequest) => {
  const scenario = scenarios.find((s) => s.name === request.scenario);
  if (scenario === undefined) throw new Error(`unknown scenario ${request.scenario}`);
  return measure(scenario, library, clock);
});
