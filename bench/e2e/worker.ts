/**
 * A benchmark child process: one library, measured on request (see library-process.ts).
 * argv: <library>. Started with --expose-gc and the advanced IPC serialization (typed arrays).
 */
import type { WorkerMessage } from './library-process.js';
import { measure, type MeasureRequest } from './measure.js';
import { libraries, type Library } from './scenarios.js';

const library = process.argv[2] as Library;
if (!libraries.includes(library)) throw new Error(`bad worker argument: ${process.argv.slice(2).join(' ')}`);
const send = (message: WorkerMessage): void => void process.send!(message);

process.on('message', (request: MeasureRequest) => {
  measure(library, request).then(
    (measurement) => send({ measurement }),
    (error: unknown) => send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
send({ ready: true });
