import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { HavuzError } from '../../src/core/errors.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { describeOutcome, errorOf, OVERFLOW_MS, SEED, settle, trapUnhandledRejections, type Outcome } from './support/fuzz.js';

/**
 * Issue 9, items 4, 5 and 8: pool options in a URL's query string. SQLAlchemy's names (pool_size,
 * max_overflow, pool_timeout and pool_recycle in seconds, pool_pre_ping) are aliases; a misspelled
 * pool key is refused by name rather than passed to the driver, where it would be silently
 * ignored; the driver's own parameters still pass; durations a timer cannot hold are refused.
 * Every error is coded and shows no password. Seeded.
 */

const trap = trapUnhandledRejections();

const SECRET = 'url-fuzz-S3cret';
const BASES = {
  postgres: `postgres://fuzz:${SECRET}@127.0.0.1:9/fuzz`,
  mysql: `mysql://fuzz:${SECRET}@127.0.0.1:9/fuzz`,
} as const;
const CODES = ['HAVUZ_INVALID_OPTION', 'HAVUZ_INVALID_URL'];

function withQuery(base: string, query: string): string {
  return `${base}?${query}`;
}

/** Creates (no connect) and closes an engine; what the creation gave, and the options its pool resolved. */
async function open(url: string): Promise<{ outcome: Outcome; options?: Record<string, unknown> }> {
  let options: Record<string, unknown> | undefined;
  let engine: Engine | undefined;
  const outcome = await settle(() => {
    engine = createEngine(url);
    options = engine.pool.options as unknown as Record<string, unknown>;
  });
  await engine?.close({ timeoutMs: 0 });
  return { outcome, options };
}

/** A coded havuz error whose message names one of `names` and shows no password; undefined when it is one. */
function codedProblem(outcome: Outcome, names: readonly string[]): string | undefined {
  const error = errorOf(outcome);
  if (!(error instanceof HavuzError) || !CODES.includes(error.code)) return `not a coded error: ${describeOutcome(outcome)}`;
  if (error.message.includes(SECRET) || error.message.includes(encodeURIComponent(SECRET))) return 'the password is in the message';
  if (!names.some((n) => error.message.includes(n))) return `the message names none of ${names.join(', ')}: ${error.message.slice(0, 200)}`;
  return undefined;
}

class Problems {
  readonly list: string[] = [];
  add(problem: string | undefined, what: string): void {
    if (problem !== undefined) this.list.push(`${what}: ${problem}`);
  }
  check(): void {
    assert.deepEqual(this.list, []);
  }
}

/** The option each URL spelling sets: an error may name either. */
const TARGET: Record<string, string> = {
  poolSize: 'size',
  pool_size: 'size',
  max_overflow: 'maxOverflow',
  pool_timeout: 'acquireTimeoutMs',
  pool_recycle: 'maxLifetimeMs',
  pool_pre_ping: 'prePing',
};
/** Checks across options may name one the URL did not set. */
const CROSS_CHECKED = ['minIdle', 'createBackoffMaxMs', 'createBackoffMs', 'size', 'maxOverflow'];

/** What an error about these keys may name: each key, and the option it sets. */
function namesFor(keys: readonly string[]): string[] {
  return keys.flatMap((k) => (TARGET[k] === undefined ? [k] : [k, TARGET[k]]));
}

/** SQLAlchemy's names, each with a value and what the pool must then use. */
const ALIASES: [query: string, option: string, expected: unknown][] = [
  ['pool_size=20', 'size', 20],
  ['pool_size=1', 'size', 1],
  ['max_overflow=5', 'maxOverflow', 5],
  ['max_overflow=0', 'maxOverflow', 0],
  ['pool_timeout=30', 'acquireTimeoutMs', 30_000],
  ['pool_timeout=0.5', 'acquireTimeoutMs', 500],
  ['pool_recycle=3600', 'maxLifetimeMs', 3_600_000],
  ['pool_recycle=1.5', 'maxLifetimeMs', 1_500],
  ['pool_pre_ping=true', 'prePing', true],
  ['pool_pre_ping=false', 'prePing', false],
];

describe('fuzz: SQLAlchemy pool names in a URL', () => {
  for (const [dialect, base] of Object.entries(BASES)) {
    test(`${dialect}: each alias sets its option (seconds become milliseconds)`, async () => {
      const p = new Problems();
      for (const [query, option, expected] of ALIASES) {
        const { outcome, options } = await open(withQuery(base, query));
        if (!('value' in outcome)) p.add(describeOutcome(outcome), `?${query}`);
        else if (options?.[option] !== expected) p.add(`${option} is ${String(options?.[option])}, expected ${String(expected)}`, `?${query}`);
      }
      const { outcome, options } = await open(withQuery(base, 'pool_size=7&max_overflow=3&pool_timeout=2&pool_recycle=60&pool_pre_ping=true'));
      if (!('value' in outcome)) p.add(describeOutcome(outcome), 'all five together');
      else {
        const got = [options?.size, options?.maxOverflow, options?.acquireTimeoutMs, options?.maxLifetimeMs, options?.prePing];
        if (JSON.stringify(got) !== JSON.stringify([7, 3, 2_000, 60_000, true])) p.add(`got ${JSON.stringify(got)}`, 'all five together');
      }
      p.check();
    });
  }

  test('bad values for an alias: refused by name (never passed on, never a raw error)', async () => {
    const p = new Problems();
    const cases = ['pool_size=abc', 'pool_size=', 'pool_size=-1', 'pool_size=1.5', 'pool_size=0', 'max_overflow=-2', 'pool_timeout=-1', 'pool_timeout=abc', 'pool_recycle=abc', 'pool_pre_ping=yes', 'pool_pre_ping=2'];
    for (const query of cases) {
      const key = query.split('=')[0]!;
      const { outcome } = await open(withQuery(BASES.postgres, query));
      p.add('value' in outcome ? 'accepted' : codedProblem(outcome, namesFor([key])), `?${query}`);
    }
    p.check();
  });

  test("SQLAlchemy's own spellings that mean something: applied as meant, or refused by name", async () => {
    // pool_recycle=-1 is SQLAlchemy's default ("never"); pool_pre_ping=True is how Python prints true.
    const p = new Problems();
    const cases: [string, string, unknown[]][] = [
      ['pool_recycle=-1', 'maxLifetimeMs', [0, Infinity]],
      ['pool_pre_ping=True', 'prePing', [true]],
      ['pool_pre_ping=1', 'prePing', [true]],
      ['pool_timeout=Infinity', 'acquireTimeoutMs', [Infinity]],
    ];
    for (const [query, option, meant] of cases) {
      const { outcome, options } = await open(withQuery(BASES.postgres, query));
      if ('value' in outcome) {
        if (!meant.includes(options?.[option])) p.add(`accepted with ${option} ${String(options?.[option])}, meant ${meant.map(String).join(' or ')}`, `?${query}`);
      } else p.add(codedProblem(outcome, namesFor([query.split('=')[0]!])), `?${query}`);
    }
    p.check();
  });
});

/**
 * Misspelled pool keys, each with the option it was meant to set and the value the pool would use
 * for `=7`: refused by name, or (if havuz takes it as another alias) applied. Passed on to the
 * driver, it would be ignored without a word.
 */
const NEAR_MISSES: [key: string, option: string, applied: number][] = [
  ['poolsize', 'size', 7],
  ['PoolSize', 'size', 7],
  ['POOL_SIZE', 'size', 7],
  ['pool-size', 'size', 7],
  ['pool_szie', 'size', 7],
  ['poolSzie', 'size', 7],
  ['pool_sizes', 'size', 7],
  ['maxoverflow', 'maxOverflow', 7],
  ['max_overflw', 'maxOverflow', 7],
  ['max-overflow', 'maxOverflow', 7],
  ['pool_timout', 'acquireTimeoutMs', 7_000],
  ['pooltimeout', 'acquireTimeoutMs', 7_000],
  ['pool_recyle', 'maxLifetimeMs', 7_000],
  ['poolrecycle', 'maxLifetimeMs', 7_000],
  ['acquiretimeoutms', 'acquireTimeoutMs', 7],
  ['acquireTimeoutMS', 'acquireTimeoutMs', 7],
  ['acquire_timeout_ms', 'acquireTimeoutMs', 7],
  ['aquireTimeoutMs', 'acquireTimeoutMs', 7],
  ['idle_timeout_ms', 'idleTimeoutMs', 7],
  ['idleTimeOutMs', 'idleTimeoutMs', 7],
  ['maxLifeTimeMs', 'maxLifetimeMs', 7],
  ['minidle', 'minIdle', 7],
  ['min_idle', 'minIdle', 7],
  ['maxOverFlow', 'maxOverflow', 7],
  ['szie', 'size', 7],
  ['Size', 'size', 7],
];

/** The driver's own parameters: passed on, never mistaken for a misspelled pool key. */
const DRIVER_PARAMS: Record<keyof typeof BASES, string[]> = {
  postgres: ['sslmode=disable', 'application_name=fuzz', 'connect_timeout=5', 'options=-c%20search_path%3Dpublic', 'statement_timeout=1000', 'idle_in_transaction_session_timeout=1000', 'client_encoding=UTF8'],
  mysql: ['charset=utf8mb4', 'timezone=Z', 'connectTimeout=1000', 'dateStrings=true', 'multipleStatements=false'],
};

describe('fuzz: misspelled pool keys in a URL', () => {
  test('each near miss is refused by name (or applied as meant), never passed silently to the driver', async () => {
    const p = new Problems();
    for (const [dialect, base] of Object.entries(BASES)) {
      for (const [key, option, applied] of NEAR_MISSES) {
        const { outcome, options } = await open(withQuery(base, `${key}=7`));
        if ('value' in outcome) {
          if (options?.[option] !== applied) p.add(`accepted, and ${option} is ${String(options?.[option])}: the key went to the driver`, `${dialect} ?${key}=7`);
        } else p.add(codedProblem(outcome, [key]), `${dialect} ?${key}=7`);
      }
    }
    p.check();
  });

  test("the driver's own parameters still pass", async () => {
    const p = new Problems();
    for (const [dialect, params] of Object.entries(DRIVER_PARAMS) as [keyof typeof BASES, string[]][]) {
      for (const query of params) {
        const { outcome } = await open(withQuery(BASES[dialect], query));
        if (!('value' in outcome)) p.add(describeOutcome(outcome), `${dialect} ?${query}`);
      }
    }
    p.check();
  });
});

describe('fuzz: durations in a URL', () => {
  test('2^31 ms and above refused by name, in milliseconds and in seconds', async () => {
    const p = new Problems();
    const cases: [string, string[]][] = [
      [`acquireTimeoutMs=${OVERFLOW_MS}`, ['acquireTimeoutMs']],
      ['acquireTimeoutMs=3e9', ['acquireTimeoutMs']],
      ['idleTimeoutMs=3000000000', ['idleTimeoutMs']],
      ['maxLifetimeMs=1e300', ['maxLifetimeMs']],
      ['failFastAfterMs=3e9', ['failFastAfterMs']],
      ['createTimeoutMs=3e9', ['createTimeoutMs']],
      ['createTimeoutMs=Infinity', ['createTimeoutMs']],
      ['validateTimeoutMs=3e9', ['validateTimeoutMs']],
      ['statementTimeoutMs=3e9', ['statementTimeoutMs']],
      [`statementTimeoutMs=${OVERFLOW_MS}`, ['statementTimeoutMs']],
      ['pool_timeout=3000000', ['pool_timeout', 'acquireTimeoutMs']],
      [`pool_timeout=${Math.ceil(OVERFLOW_MS / 1000)}`, ['pool_timeout', 'acquireTimeoutMs']],
      ['pool_recycle=2147484', ['pool_recycle', 'maxLifetimeMs']],
      ['pool_recycle=1e300', ['pool_recycle', 'maxLifetimeMs']],
    ];
    for (const [query, names] of cases) {
      const { outcome } = await open(withQuery(BASES.postgres, query));
      p.add('value' in outcome ? 'accepted' : codedProblem(outcome, names), `?${query}`);
    }
    p.check();
  });

  test('Infinity where it means no limit; the largest timer value otherwise', async () => {
    const p = new Problems();
    for (const [query, option, expected] of [
      ['acquireTimeoutMs=Infinity', 'acquireTimeoutMs', Infinity],
      ['idleTimeoutMs=Infinity', 'idleTimeoutMs', Infinity],
      ['maxLifetimeMs=Infinity', 'maxLifetimeMs', Infinity],
      ['failFastAfterMs=Infinity', 'failFastAfterMs', Infinity],
      [`createTimeoutMs=${OVERFLOW_MS - 1}`, 'createTimeoutMs', OVERFLOW_MS - 1],
    ] as const) {
      const { outcome, options } = await open(withQuery(BASES.postgres, query));
      if (!('value' in outcome)) p.add(describeOutcome(outcome), `?${query}`);
      else if (options?.[option] !== expected) p.add(`${option} is ${String(options?.[option])}`, `?${query}`);
    }
    p.check();
  });
});

describe('fuzz: random query strings (seeded)', () => {
  test('a coded error naming a key it was given, with no password, or an engine', async () => {
    const keys = [
      'size', 'poolSize', 'maxOverflow', 'acquireTimeoutMs', 'idleTimeoutMs', 'maxLifetimeMs', 'failFastAfterMs', 'prePing', 'order', 'poolClass', 'statementTimeoutMs',
      'pool_size', 'max_overflow', 'pool_timeout', 'pool_recycle', 'pool_pre_ping',
      ...NEAR_MISSES.map(([k]) => k), 'sslmode', 'application_name', 'connect_timeout', 'hasOwnProperty', '__proto__', 'constructor', 'toString',
    ];
    const valueArb = fc.constantFrom('0', '1', '7', '-1', '1.5', '', 'abc', 'true', 'false', 'True', 'Infinity', '3e9', String(OVERFLOW_MS), '1e300', 'lifo', 'queue', 'NaN', '%zz');
    const pairArb = fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }), valueArb);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.values(BASES)), fc.array(pairArb, { maxLength: 4 }), async (base, pairs) => {
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
        const { outcome, options } = await open(withQuery(base, query));
        if ('value' in outcome) {
          // Accepted with a misspelled pool key in it: only if it was taken as that option, with that value.
          for (const [key, value] of pairs) {
            const miss = NEAR_MISSES.find(([k]) => k === key);
            if (miss === undefined) continue;
            const [, option, applied] = miss;
            const n = Number(value);
            assert.ok(value.trim() !== '' && options?.[option] === (n * applied) / 7, `?${query}: accepted, with ${option} ${String(options?.[option])}`);
          }
          return;
        }
        const problem = codedProblem(outcome, [...namesFor(pairs.map(([k]) => k).filter((k) => k !== '')), ...CROSS_CHECKED]);
        // A query that fails to parse at all (a lone %zz) may name the URL rather than a key.
        if (problem !== undefined && !(errorOf(outcome) instanceof HavuzError && (errorOf(outcome) as HavuzError).code === 'HAVUZ_INVALID_URL')) {
          assert.fail(`?${query}: ${problem}`);
        }
        assert.ok(!String((errorOf(outcome) as Error).message).includes(SECRET), `?${query}: the password is in the message`);
      }),
      { seed: SEED, numRuns: 500, verbose: 1 },
    );
  });

  test('the options object beside the URL: it wins, or the conflict is refused by name', async () => {
    const p = new Problems();
    for (const [query, options, option, expected] of [
      ['pool_size=5', { size: 6 }, 'size', 6],
      ['poolSize=5', { size: 6 }, 'size', 6],
      ['pool_timeout=5', { acquireTimeoutMs: 6 }, 'acquireTimeoutMs', 6],
    ] as const) {
      let engine: Engine | undefined;
      const outcome = await settle(() => (engine = createEngine(withQuery(BASES.postgres, query), options)));
      if ('value' in outcome && engine?.pool.options[option] !== expected) p.add(`${option} is ${String(engine?.pool.options[option])}`, `?${query} with ${JSON.stringify(options)}`);
      if (!('value' in outcome)) p.add(codedProblem(outcome, [query.split('=')[0]!, option]), `?${query} with ${JSON.stringify(options)}`);
      await engine?.close({ timeoutMs: 0 });
    }
    p.check();
  });

  test('the same key twice, or an alias beside its option: one of the values, or refused by name', async () => {
    const p = new Problems();
    for (const query of ['pool_size=5&pool_size=6', 'pool_size=5&poolSize=6', 'size=5&pool_size=6', 'poolSize=5&size=6']) {
      const { outcome, options } = await open(withQuery(BASES.postgres, query));
      if ('value' in outcome && ![5, 6].includes(options?.size as number)) p.add(`size is ${String(options?.size)}`, `?${query}`);
      if (!('value' in outcome)) p.add(codedProblem(outcome, ['pool_size', 'poolSize', 'size']), `?${query}`);
    }
    p.check();
  });
});

trap.lastTest();
