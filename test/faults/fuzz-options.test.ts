import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { HavuzError } from '../../src/core/errors.js';
import { POOL_OPTION_NAMES } from '../../src/core/options.js';
import { Pool } from '../../src/core/pool.js';
import { MysqlPool, PgPool } from '../../src/compat/index.js';
import { createEngine } from '../../src/engine/index.js';
import { FakeFactory } from '../support/fake-factory.js';
import {
  assertNames,
  describeOutcome,
  errorOf,
  fromPairs,
  namingProblem,
  NOT_OBJECTS,
  OVERFLOW_MS,
  own,
  PROTOTYPE_KEYS,
  refusalProblem,
  SEED,
  settle,
  trapUnhandledRejections,
} from './support/fuzz.js';

/**
 * Issue 9, items 4, 5 and 8: options objects. Every entry point that takes options refuses an
 * options value that is not a plain object, a key that is not an option of its own (prototype
 * names and a JSON `__proto__` included), and a duration a timer cannot hold (2^31 ms and above;
 * Infinity only where it means "no limit"), each with InvalidOptionError naming the culprit; what
 * it accepts it uses. Seeded, so CI runs the same cases every time.
 */

const trap = trapUnhandledRejections();

const PG_URL = 'postgres://fuzz:fuzz-secret@127.0.0.1:9/fuzz';
const MYSQL_URL = 'mysql://fuzz:fuzz-secret@127.0.0.1:9/fuzz';
const ENGINE_KEYS = ['poolClass', 'initSql', 'init', 'statementTimeoutMs', 'maxQueries', 'fullReset', 'echo', 'echoPool', 'pipeline'];
/** Checks across options may name one the caller left at its default. */
const CROSS_CHECKED = ['minIdle', 'createBackoffMaxMs', 'createBackoffMs'];

/** Each duration, and whether Infinity is documented for it ("no limit", "never"). */
const POOL_DURATIONS: Record<string, boolean> = {
  acquireTimeoutMs: true,
  idleTimeoutMs: true,
  maxLifetimeMs: true,
  failFastAfterMs: true,
  createTimeoutMs: false,
  validateTimeoutMs: false,
  prePingBypassMs: false,
  createBackoffMs: false,
  createBackoffMaxMs: false,
  leakDetectionMs: false,
  housekeepingMs: false,
};
const HUGE = [OVERFLOW_MS, 3e9, 2 ** 32, 2 ** 53, 1e300, Number.MAX_VALUE];

/** One way in that takes options; `open` builds with them and returns what to close. */
interface Entry {
  name: string;
  keys: readonly string[];
  /** The name the entry gives the options argument itself when it is not an object. */
  argument: string;
  open(options: unknown): { close(): Promise<unknown>; resolved?: Record<string, unknown> };
}

function poolEntry(): Entry & { factory: () => FakeFactory } {
  let factory = new FakeFactory();
  return {
    name: 'new Pool(factory, options)',
    keys: POOL_OPTION_NAMES,
    argument: 'options',
    factory: () => factory,
    open(options) {
      factory = new FakeFactory();
      const pool = new Pool(factory, options as never);
      return { close: () => pool.close({ timeoutMs: 0 }), resolved: pool.options as unknown as Record<string, unknown> };
    },
  };
}

function engineEntry(poolClass?: string): Entry {
  return {
    name: `createEngine(url, options)${poolClass ? ` with poolClass ${poolClass}` : ''}`,
    keys: [...POOL_OPTION_NAMES, ...ENGINE_KEYS],
    argument: 'options',
    open(options) {
      // Spread keeps an own `__proto__` key as a key, so the prototype-key cases reach the engine intact.
      const given = poolClass === undefined ? options : { poolClass, ...(options as object) };
      const engine = createEngine(PG_URL, given as never);
      return { close: () => engine.close({ timeoutMs: 0 }) };
    },
  };
}

const facades: Entry[] = [
  {
    name: 'new PgPool(url, options)',
    keys: [...POOL_OPTION_NAMES, ...ENGINE_KEYS],
    argument: 'options',
    open: (options) => {
      const pool = new PgPool(PG_URL, options as never);
      return { close: () => pool.end() };
    },
  },
  {
    name: 'new MysqlPool(url, options)',
    keys: [...POOL_OPTION_NAMES, ...ENGINE_KEYS],
    argument: 'options',
    open: (options) => {
      const pool = new MysqlPool(MYSQL_URL, options as never);
      return { close: () => pool.engine.close({ timeoutMs: 0 }) };
    },
  },
];

/** Where the options argument itself arrives as given. */
const argumentEntries: Entry[] = [poolEntry(), engineEntry(), ...facades];
/** And the engine's other pool classes, for the keys inside an options object. */
const entries: Entry[] = [...argumentEntries, ...['null', 'static', 'context', 'assertion'].map(engineEntry)];

/** Opens and closes; the outcome of opening. Whatever opened is closed again. */
async function attempt(entry: Entry, options: unknown): Promise<{ outcome: Awaited<ReturnType<typeof settle>>; resolved?: Record<string, unknown> }> {
  let resolved: Record<string, unknown> | undefined;
  const outcome = await settle(() => {
    const opened = entry.open(options);
    resolved = opened.resolved;
    return opened.close();
  });
  return { outcome, resolved };
}

/**
 * Collects every case of a test that is not refused as it must be, so a failing test lists them
 * all (input and what happened), not only the first.
 */
class Refusals {
  readonly problems: string[] = [];

  async expect(entry: Entry, options: unknown, names: readonly string[], what: string): Promise<void> {
    const { outcome } = await attempt(entry, options);
    const problem = refusalProblem(outcome, names);
    if (problem !== undefined) this.problems.push(`${entry.name} with ${what}: ${problem}`);
  }

  /** Accepted, or refused by one of `names`. */
  async acceptOrRefuse(entry: Entry, options: unknown, names: readonly string[], what: string): Promise<Awaited<ReturnType<typeof attempt>>> {
    const result = await attempt(entry, options);
    const problem = 'value' in result.outcome ? undefined : namingProblem(errorOf(result.outcome), names);
    if (problem !== undefined) this.problems.push(`${entry.name} with ${what}: ${problem}`);
    return result;
  }

  add(problem: string): void {
    this.problems.push(problem);
  }

  check(): void {
    assert.deepEqual(this.problems, []);
  }
}

describe('fuzz: options that are not a plain object', () => {
  for (const entry of argumentEntries) {
    test(`${entry.name}: refused, naming the argument`, async () => {
      const r = new Refusals();
      for (const [what, value] of NOT_OBJECTS) await r.expect(entry, value, [entry.argument], what);
      r.check();
    });
  }

  test('undefined and null: no options (or a coded error), never a raw TypeError', async () => {
    const r = new Refusals();
    for (const entry of argumentEntries) for (const value of [undefined, null]) await r.acceptOrRefuse(entry, value, [entry.argument], String(value));
    r.check();
  });

  test('the facades refuse a first argument that is neither a URL, a config object nor an engine of their database', async () => {
    const cases: [string, () => unknown][] = [
      // new PgPool() and new PgPool({}) are pg.Pool's own forms (pg's defaults and PG* variables apply): accepted.
      ['new PgPool(5)', () => new PgPool(5 as never)],
      ['new PgPool(mysql URL)', () => new PgPool(MYSQL_URL)],
      ['new PgPool(mysql engine)', () => new PgPool(createEngine(MYSQL_URL) as never)],
      ['new MysqlPool(5)', () => new MysqlPool(5 as never)],
      ['new MysqlPool(postgres URL)', () => new MysqlPool(PG_URL)],
    ];
    const failures: string[] = [];
    for (const [what, make] of cases) {
      const outcome = await settle(make);
      const error = errorOf(outcome);
      if ('value' in outcome) failures.push(`${what}: accepted`);
      else if (!(error instanceof HavuzError && ['HAVUZ_INVALID_OPTION', 'HAVUZ_INVALID_URL'].includes(error.code))) failures.push(`${what}: ${describeOutcome(outcome)}`);
      else if (error.message.includes('fuzz-secret')) failures.push(`${what}: the password is in the message`);
    }
    assert.deepEqual(failures, []);
  });
});

describe('fuzz: option keys that are not options of their own', () => {
  for (const entry of entries) {
    test(`${entry.name}: prototype names and a JSON __proto__ are refused by name; nothing is polluted`, async () => {
      const r = new Refusals();
      for (const key of PROTOTYPE_KEYS) {
        for (const [what, value] of [['1', 1], ['{ size: 3 }', { size: 3 }], ['a function', () => 1], ['"x"', 'x']] as const) {
          await r.expect(entry, own(key, value), [key], `{ ${key}: ${what} } (own key)`);
        }
      }
      // Exactly what JSON.parse makes of a request body.
      for (const json of ['{"__proto__": {"size": 3, "acquireTimeoutMs": 1}}', '{"size": 2, "__proto__": {"size": 3}}', '{"__proto__": null}']) {
        await r.expect(entry, JSON.parse(json), ['__proto__'], `JSON.parse('${json}')`);
      }
      if (({} as Record<string, unknown>).size !== undefined) r.add('Object.prototype was polluted');
      r.check();
    });
  }

  test('an inherited option is not read: only own keys count', async () => {
    const entry = poolEntry();
    const inherited = Object.create({ size: 3 }) as Record<string, unknown>;
    const { outcome, resolved } = await attempt(entry, inherited);
    if ('value' in outcome) assert.equal(resolved?.size, 10, 'read an inherited size');
    else assertNames(errorOf(outcome), ['options'], 'an object with an inherited size');
  });
});

describe('fuzz: durations a timer cannot hold', () => {
  const pool = poolEntry();
  const engine = engineEntry();
  for (const [key, infinite] of Object.entries(POOL_DURATIONS)) {
    test(`${key}: 2^31 ms and above refused by name; Infinity ${infinite ? 'means no limit' : 'refused'}; 2^31 - 1 accepted or refused`, async () => {
      const r = new Refusals();
      for (const entry of [pool, engine]) {
        for (const value of HUGE) await r.expect(entry, { [key]: value }, [key, ...CROSS_CHECKED], `{ ${key}: ${value} }`);
        for (const value of [-1, -Infinity, NaN, '100', null, true]) await r.expect(entry, { [key]: value }, [key], `{ ${key}: ${String(value)} }`);
        if (!infinite) await r.expect(entry, { [key]: Infinity }, [key, ...CROSS_CHECKED], `{ ${key}: Infinity }`);
      }
      if (infinite) {
        const { outcome, resolved } = await attempt(pool, { [key]: Infinity });
        if (!('value' in outcome)) r.add(`{ ${key}: Infinity } (documented: no limit): ${describeOutcome(outcome)}`);
        else if (resolved?.[key] !== Infinity) r.add(`{ ${key}: Infinity }: the pool uses ${String(resolved?.[key])}`);
      }
      const max = OVERFLOW_MS - 1;
      const given = { [key]: max, ...(key === 'createBackoffMs' ? { createBackoffMaxMs: max } : {}) };
      const { outcome, resolved } = await r.acceptOrRefuse(pool, given, [key], `{ ${key}: 2^31 - 1 }`);
      if ('value' in outcome && resolved?.[key] !== max) r.add(`{ ${key}: 2^31 - 1 }: the pool uses ${String(resolved?.[key])}`);
      r.check();
    });
  }

  test('statementTimeoutMs (engine): 2^31 ms and above refused by name; Infinity no limit or refused', async () => {
    const r = new Refusals();
    for (const value of [...HUGE, -1, NaN, '100']) await r.expect(engine, { statementTimeoutMs: value }, ['statementTimeoutMs'], `{ statementTimeoutMs: ${value} }`);
    await r.acceptOrRefuse(engine, { statementTimeoutMs: Infinity }, ['statementTimeoutMs'], '{ statementTimeoutMs: Infinity }');
    r.check();
  });
});

describe('fuzz: random options objects (seeded)', () => {
  const snake = ['pool_size', 'max_overflow', 'pool_timeout', 'pool_recycle', 'pool_pre_ping'];
  const value = fc.oneof(
    fc.integer({ min: -3, max: 40 }),
    fc.constantFrom(0, 1, 2 ** 31 - 1, OVERFLOW_MS, 3e9, 1e300, Infinity, -Infinity, NaN, '', '10', 'lifo', 'queue', true, false, null, undefined),
    fc.anything({ maxDepth: 1 }),
  );
  const optionsArb = (keys: readonly string[]) =>
    fc
      .array(
        fc.tuple(
          fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom(...keys) },
            { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
            { weight: 1, arbitrary: fc.constantFrom(...snake) },
            { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
          ),
          value,
        ),
        { maxLength: 5 },
      )
      .map(fromPairs);

  /**
   * The oracle: refused with a name the caller gave (or a cross-checked one); accepted only when
   * every key is an option of its own with an acceptable duration, and then what was given is
   * what the pool uses.
   */
  async function check(entry: Entry, options: Record<string, unknown>, tame: boolean): Promise<void> {
    const keys = Object.keys(options);
    const opened = tame && typeof options.minIdle === 'number' && options.minIdle > 20 ? { ...options, minIdle: 20 } : options;
    const { outcome, resolved } = await attempt(entry, opened);
    if (!('value' in outcome)) {
      assertNames(errorOf(outcome), [...keys, ...CROSS_CHECKED], `${entry.name} with ${describeKeys(options)}`);
      return;
    }
    const context = `${entry.name} accepted ${describeKeys(options)}`;
    for (const key of keys) {
      if (options[key] === undefined) continue;
      assert.ok(entry.keys.includes(key) || snake.includes(key), `${context}: "${key}" is not an option`);
      const v = options[key];
      if (key in POOL_DURATIONS || key === 'statementTimeoutMs') {
        assert.ok(typeof v === 'number' && (v < OVERFLOW_MS || (v === Infinity && (POOL_DURATIONS[key] || key === 'statementTimeoutMs'))), `${context}: ${key} ${String(v)}`);
      }
      if (resolved !== undefined && POOL_OPTION_NAMES.includes(key)) assert.equal(resolved[key], opened[key], `${context}: ${key} was not used as given`);
    }
  }

  test('core Pool', async () => {
    const entry = poolEntry();
    await fc.assert(
      fc.asyncProperty(optionsArb(POOL_OPTION_NAMES), async (options) => {
        await check(entry, options, true);
        assert.equal(entry.factory().open, 0, 'a connection leaked');
      }),
      { seed: SEED, numRuns: 400, verbose: 1 },
    );
  });

  test('createEngine', async () => {
    await fc.assert(
      fc.asyncProperty(optionsArb([...POOL_OPTION_NAMES, ...ENGINE_KEYS]), async (options) => check(engineEntry(), options, true)),
      { seed: SEED, numRuns: 400, verbose: 1 },
    );
  });
});

function describeKeys(options: Record<string, unknown>): string {
  return `{ ${Object.keys(options)
    .map((k) => `${k}: ${typeof options[k] === 'number' || typeof options[k] === 'boolean' ? String(options[k]) : typeof options[k]}`)
    .join(', ')} }`;
}

trap.lastTest();
