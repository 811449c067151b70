import { fileURLToPath } from 'node:url';
import { BenchChild } from '../lib/child.js';
import type { ClockName } from '../lib/clock.js';
import type { Library } from './adapters.js';
import type { Measurement } from './measure.js';

/** Parent to child: measure one scenario. */
export interface MeasureRequest {
  scenario: string;
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** One pool library in its own process (why: lib/child.ts). */
export class LibraryProcess extends BenchChild<MeasureRequest, Measurement> {
  readonly library: Library;

  constructor(library: Library, clock: ClockName) {
    super(library, WORKER, [library, clock]);
    this.library = library;
  }

  measure(scenario: string): Promise<Measurement> {
    return this.request({ scenario });
  }
}
