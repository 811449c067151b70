import { InvalidOptionError } from '../core/errors.js';
import { defaults as poolDefaults } from '../core/options.js';
import { ENGINE_KEYS, type EngineOptions } from '../engine/engine.js';

/**
 * Every option name havuz itself reads: the pool core's and the engine's. Not `pipeline`: in a
 * driver-shaped config it is pg's own Client option, and the facades run no `engine.query`.
 */
const HAVUZ_KEYS = new Set<string>([...Object.keys(poolDefaults), 'housekeepingMs', 'logger', 'clock', 'random', ...ENGINE_KEYS.filter((k) => k !== 'pipeline')]);

/**
 * Splits a driver-shaped config (pg.Pool's, mysql2's createPool's) into havuz's own options and
 * the rest, which belongs to the driver. The rest keeps its property descriptors: a password the
 * caller hid (not enumerable) stays hidden and readable.
 */
export function splitHavuzOptions(config: object): { havuz: EngineOptions; rest: Record<string, unknown> } {
  const havuz: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(config))) {
    if (HAVUZ_KEYS.has(key)) havuz[key] = descriptor.value;
    else Object.defineProperty(rest, key, descriptor);
  }
  return { havuz: havuz as EngineOptions, rest };
}

/** A driver option and havuz's name for the same thing may not both be given: which would win is a guess. */
export function checkNoConflicts(driver: Record<string, unknown>, havuz: EngineOptions, pairs: readonly (readonly [string, keyof EngineOptions])[]): void {
  for (const [driverKey, havuzKey] of pairs) {
    if (driver[driverKey] !== undefined && havuz[havuzKey] !== undefined) {
      throw new InvalidOptionError(havuzKey, havuz[havuzKey], `not both ${driverKey} and ${havuzKey}: they set the same thing`);
    }
  }
}

type Check = (value: unknown) => string | undefined;

export const checks = {
  count: ((v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'a whole number >= 0')) as Check,
  positiveCount: ((v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? undefined : 'a whole number >= 1')) as Check,
  duration: ((v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'a finite number >= 0')) as Check,
  boolean: ((v) => (typeof v === 'boolean' ? undefined : 'true or false')) as Check,
  fn: ((v) => (typeof v === 'function' ? undefined : 'a function')) as Check,
};

/** Checks the given (not undefined) values of a driver config by name: bad input fails at the constructor, naming the option. */
export function checkDriverOptions(config: Record<string, unknown>, byKey: Record<string, Check>): void {
  for (const [key, check] of Object.entries(byKey)) {
    const value = config[key];
    if (value === undefined || value === null) continue;
    const expected = check(value);
    if (expected !== undefined) throw new InvalidOptionError(key, value, expected);
  }
}

/**
 * How often the pool's housekeeper runs under a facade: often enough that an idle timeout or a
 * lifetime a driver user set in milliseconds is honoured about as precisely as the driver's own
 * per-connection timers would, without waking more than once a second for the common values.
 */
export function facadeHousekeepingMs(periodsMs: readonly number[]): number | undefined {
  const set = periodsMs.filter((ms) => ms > 0);
  if (set.length === 0) return undefined;
  return Math.max(1, Math.min(1_000, Math.min(...set) / 10));
}
