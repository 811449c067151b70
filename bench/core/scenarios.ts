import type { Scenario } from './scenario.js';
import { contended } from './scenarios/contended.js';
import { queued } from './scenarios/queued.js';
import { sequential } from './scenarios/sequential.js';

/** Every scenario, in report order. Each file's header says exactly what it does and how it is configured. */
export const scenarios: readonly Scenario[] = [sequential, contended, queued(10), queued(1000), queued(100_000)];

/** The queued scenarios, smallest queue first: the flatness check compares their cost per acquire. */
export const queueScenarios = ['queued-10', 'queued-1000', 'queued-100000'] as const;
