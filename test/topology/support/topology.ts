import { createEngine, TopologyEngine, type TopologyEngineOptions } from '../../../src/engine/index.js';
import type { RoleChangeEvent } from '../../../src/engine/index.js';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * `{ skip }` for a describe() that needs scratch servers: outside CI a machine without the server
 * binaries skips; in CI that is a failure (the binaries come with the servers CI installs).
 */
export function needsScratch(available: boolean, what: string): { skip: string | false } {
  if (available) return { skip: false };
  if (IN_CI) throw new Error(`CI=true and ${what} cannot be run here`);
  return { skip: `${what} cannot be run here` };
}

/** Engines a test file opened, closed at its end whatever happened. */
export class Engines {
  readonly #open: TopologyEngine[] = [];

  open(url: string, options: TopologyEngineOptions = {}): TopologyEngine {
    const engine = createEngine(url, { acquireTimeoutMs: 5_000, ...options });
    if (!(engine instanceof TopologyEngine)) throw new Error(`createEngine did not make a topology engine for ${engine.url}`);
    this.#open.push(engine);
    return engine;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#open.map((e) => e.close({ timeoutMs: 1_000 })));
  }
}

/** Resolves with the first role-change of `host` to `role` (bounded), from the event, not by polling. */
export function roleChange(engine: TopologyEngine, host: string, role: RoleChangeEvent['role'], timeoutMs = 10_000): Promise<RoleChangeEvent> {
  const current = engine.status().hosts.find((h) => h.host === host);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${host} did not become ${role} within ${timeoutMs} ms (it is ${current?.role})`));
    }, timeoutMs);
    const off = engine.on('role-change', (event) => {
      if (event.host !== host || event.role !== role) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

export { eventually } from '../../support/eventually.js';

/** Prints a figure for the report (stderr, like the fault tests), labelled as indicative. */
export function figure(text: string): void {
  process.stderr.write(`FIGURE (indicative, noisy machine) ${text}\n`);
}
