import { fileURLToPath } from 'node:url';
import { BenchChild } from '../lib/child.js';
import type { Measurement, MeasureRequest } from './measure.js';
import type { Library } from './scenarios.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * One client library in its own process (why: lib/child.ts). Here it matters twice over: pg's
 * Client sits under havuz, pg-pool and no-pool alike, and each would run on code shaped by the others.
 */
export class LibraryProcess extends BenchChild<MeasureRequest, Measurement> {
  readonly library: Library;

  constructor(library: Library) {
    super(library, WORKER, [library]);
    this.library = library;
  }

  measure(request: MeasureRequest): Promise<Measurement> {
    return this.request(request);
  }
}
