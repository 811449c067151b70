/**
 * A benchmark child process: one library, measured on request (see library-process.ts).
 * argv: <library>. Started with --expose-gc and the advanced IPC serialization (typed arrays).
 */
import { serveRequests } from '../lib/child.js';
import { measure, type MeasureRequest } from './measure.js';
import { libraries, type Library } from './scenarios.js';

const library = process.argv[2] as Library;
if (!libraries.includes(library)) throw new Error(`bad worker argument: ${process.argv.slice(2).join(' ')}`);

serveRequests((request: MeasureRequest) => measure(library, request));
