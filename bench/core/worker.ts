/**
 * A benchmark child process: one library, measured on request (see library-process.ts).
 * argv: <library> <clock>. Started with --expose-gc.
 */
import { clocks, type ClockName } from '../lib/clock.js';
import { libraries, type Library } from './adapters.js';
import type { MeasureRequest, WorkerMessage } from './library-process.js';
import { measure } from './measure.js';
import { scenarios } from './scenarios.js';

const [library, clockName] = process.argv.slice(2) as [Library, ClockName];
if (!libraries.includes(library) || !(clockName in clocks)) throw new Error(`bad worker arguments: ${process.argv.slice(2).join(' ')}`);
const clock = clocks[clockName];
const send = (message: WorkerMessage): void => void process.send!(message);

process.on('message', (request: MeasureRequest) => {
  const scenario = scenarios.find((s) => s.name === request.scenario);
  if (scenario === undefined) return send({ id: request.id, error: `unknown scenario ${request.scenario}` });
  measure(scenario, library, clock, request.minMs).then(
    (m) => send({ id: request.id, ...m }),
    (error: unknown) => send({ id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
send({ ready: true });
