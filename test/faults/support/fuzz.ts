import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { inspect } from 'node:util';
import { HavuzError, InvalidOptionError } from '../../../src/core/errors.js';
import { MAX_TIMER_MS } from '../../../src/core/timeouts.js';

/**
 * What the fuzz files share: the oracle for "a coded error naming what was wrong, or it works",
 * the seed, and the trap for unhandled rejections.
 */

export const SEED = 20_241_124;

/** Names an options object may carry that are Object.prototype's own: never read, always refused. */
export const PROTOTYPE_KEYS = ['hasOwnProperty', 'valueOf', 'constructor', 'toString', '__proto__', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__'];

/** Every timer Node arms fires after 1 ms at or above this (a signed 32-bit delay). */
export const OVERFLOW_MS = MAX_TIMER_MS + 1;

/** `{ key: value }` as JSON makes it: an own property even for `__proto__`, which a literal would not give. */
export function own(key: string, value: unknown): Record<string, unknown> {
  return fromPairs([[key, value]]);
}

/** An object with these own keys, `__proto__` included (defined, not assigned: assigning it would set the prototype). */
export function fromPairs(pairs: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [key, value] of pairs) Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

/** String(value), for anything (a null-prototype object has no toString). */
export function show(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}

/** Values that are not an options object: what `createEngine(url, 5)` and friends must refuse. */
export const NOT_OBJECTS: readonly [string, unknown][] = [
  ['the number 5', 5],
  ['0', 0],
  ['NaN', NaN],
  ['true', true],
  ['false', false],
  ['an empty array', []],
  ['an array of options', [{ size: 2 }]],
  ['a function', () => ({ size: 2 })],
  ['a class', class Options {}],
  ['a string', 'size'],
  ['a URL string', 'postgres://x@127.0.0.1/db'],
  ['a symbol', Symbol('options')],
  ['a bigint', 10n],
  ['a Date', new Date(0)],
  ['a Map', new Map([['size', 2]])],
  ['a class instance', new (class Settings { size = 2 })()],
  ['a boxed number', Object(5)],
];

export type Outcome = { threw: unknown } | { rejected: unknown } | { value: unknown };

/** Calls `fn` and settles what it returns; a synchronous throw is told apart from a rejection. */
export async function settle(fn: () => unknown): Promise<Outcome> {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    return { threw: error };
  }
  try {
    return { value: await result };
  } catch (error) {
    return { rejected: error };
  }
}

export function errorOf(outcome: Outcome): unknown {
  return 'threw' in outcome ? outcome.threw : 'rejected' in outcome ? outcome.rejected : undefined;
}

export function describeOutcome(outcome: Outcome): string {
  if ('value' in outcome) return 'it worked';
  const error = errorOf(outcome);
  const how = 'threw' in outcome ? 'threw' : 'rejected';
  return `${how} ${error instanceof HavuzError ? `${error.code} ` : ''}${inspect(error, { depth: 0 }).split('\n')[0]}`;
}

/**
 * The error is an InvalidOptionError (HAVUZ_INVALID_OPTION) that names one of `names` (as its
 * `option` and in its message). `names` holds what the caller may call the culprit: the key, or
 * the argument itself ('options', 'acquire options').
 */
export function assertNames(error: unknown, names: readonly string[], context: string): asserts error is InvalidOptionError {
  const problem = namingProblem(error, names);
  assert.equal(problem, undefined, `${context}: ${problem}`);
}

/** What is wrong with `error` as the refusal of a bad input called one of `names`; undefined when nothing. */
export function namingProblem(error: unknown, names: readonly string[]): string | undefined {
  if (!(error instanceof InvalidOptionError)) return `not an InvalidOptionError: ${inspect(error, { depth: 0 }).split('\n')[0]}`;
  // A nested key is named by its path: `echo.level` names the echo option's level.
  if (!names.some((n) => error.option === n || error.option.startsWith(`${n}.`))) return `names "${error.option}", expected ${names.map((n) => `"${n}"`).join(' or ')} (${error.message.slice(0, 160)})`;
  if (!error.message.includes(error.option)) return `the message does not name it: ${error.message}`;
  return undefined;
}

/** The outcome as the refusal of a bad input called one of `names`: undefined when it is one, else what happened. */
export function refusalProblem(outcome: Outcome, names: readonly string[]): string | undefined {
  if ('value' in outcome) return 'accepted';
  return namingProblem(errorOf(outcome), names);
}

/**
 * Installs an 'unhandledRejection' trap at once (call it at the top of a file); `lastTest()`, called
 * at the end of the file, registers the test that asserts it never fired.
 */
export function trapUnhandledRejections(): { lastTest(): void } {
  const unhandled: unknown[] = [];
  const trap = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', trap);
  after(() => void process.off('unhandledRejection', trap));
  return {
    lastTest: () =>
      test('no unhandled rejection in this file', async () => {
        // A late rejection from the tests above gets a turn to surface first.
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.deepEqual(unhandled.map((r) => inspect(r).split('\n')[0]), []);
      }),
  };
}

/** Resolves after `ms`: only as an observation window for a timer that must NOT fire (an overflowed one fires after 1 ms). */
export function window(ms = 60): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bad arguments for a call taking `{ keys }`, each with the names its refusal may give. */
export function badArguments(argument: string, keys: readonly string[]): [what: string, value: unknown, names: string[]][] {
  const out: [string, unknown, string[]][] = NOT_OBJECTS.map(([what, value]) => [what, value, [argument]]);
  for (const key of PROTOTYPE_KEYS) out.push([`{ ${key}: 1 } (own key)`, own(key, 1), [key]]);
  out.push([`JSON.parse('{"__proto__": {"timeoutMs": 1}}')`, JSON.parse('{"__proto__": {"timeoutMs": 1}}'), ['__proto__']]);
  out.push(['{ timeout: 5 } (a typo)', { timeout: 5 }, ['timeout']]);
  out.push(['{ timeOutMs: 5 } (a typo)', { timeOutMs: 5 }, ['timeOutMs']]);
  if (keys.includes('timeoutMs')) {
    for (const v of [OVERFLOW_MS, 3e9, 1e300, -1, -Infinity, NaN, '100', null, true]) out.push([`{ timeoutMs: ${show(v)} }`, { timeoutMs: v }, ['timeoutMs']]);
  }
  return out;
}

/** What is wrong with a promise-returning call's outcome for a bad argument: a synchronous throw, or no refusal by name. */
export function callProblem(outcome: Outcome, names: readonly string[]): string | undefined {
  if ('threw' in outcome) return `threw synchronously (a promise-returning call must reject): ${describeOutcome(outcome)}`;
  return refusalProblem(outcome, names);
}
