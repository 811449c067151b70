/**
 * Where havuz's client-side time goes on PostgreSQL, layer by layer: the CPU this process spends
 * per `SELECT 1`, one query at a time, through each way of sending it. The differences between
 * neighbouring rows are the cost of one layer; the database's own time is not in these figures.
 *
 *   node --import tsx bench/e2e/layers.ts [--queries 5000] [--rounds 5] [--pg-url URL]
 *
 * | row                        | what runs per query                                                    |
 * |----------------------------|------------------------------------------------------------------------|
 * | pg.Client query(string)    | pg alone, as pg.Pool calls it                                          |
 * | pg.Client query({text})    | pg alone, as havuz's postgres dialect calls it (pg clones the object)  |
 * | dialect.query              | havuz's postgres dialect on a client it opened (no pool)               |
 * | pool acquire+release       | havuz's pool checkout and return around the dialect query              |
 * | engine.query               | the whole havuz path: Engine, Connection, pool, dialect                |
 * | pg.Pool query              | pg-pool, the peer, for comparison                                      |
 *
 * Rounds interleave the rows, so drift on this shared machine falls on all alike; the median of
 * the rounds is shown. CPU time (process.cpuUsage) rather than wall time: the database's work and
 * other programs' do not count.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { postgresDialect, type PgClient } from '../../src/drivers/postgres/dialect.js';
import { createEngine } from '../../src/engine/index.js';
import { median, renderTable } from '../lib/stats.js';
import { collectGarbage } from '../lib/gc.js';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '5' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const queries = Number(values.queries);
const rounds = Number(values.rounds);
const url = values['pg-url'];

const client = new pg.Client({ connectionString: url });
await client.connect();
const engine = createEngine<PgClient>(url, { size: 1 });
const held = await engine.connect();
const raw = held.raw;
held.release();
const pool = new pg.Pool({ connectionString: url, max: 1 });

const rows: [string, () => Promise<unknown>][] = [
  ['pg.Client query(string)', () => client.query('SELECT 1')],
  ['pg.Client query({text})', () => client.query({ text: 'SELECT 1', values: undefined })],
  ['dialect.query', () => postgresDialect.query(raw, 'SELECT 1')],
  [
    'pool acquire+release',
    async () => {
      const lease = await engine.pool.acquire();
      try {
        return await postgresDialect.query(lease.connection, 'SELECT 1');
      } finally {
        lease.release();
      }
    },
  ],
  ['engine.query', () => engine.query('SELECT 1')],
  ['pg.Pool query', () => pool.query('SELECT 1')],
];

const cpuUs = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

const samples = new Map<string, number[]>(rows.map(([name]) => [name, []]));
for (let round = -1; round < rounds; round++) {
  for (const [name, run] of rows) {
    // Round -1 warms the JIT and is not kept.
    const n = round < 0 ? Math.min(queries, 1000) : queries;
    collectGarbage();
    const start = cpuUs();
    for (let i = 0; i < n; i++) await run();
    if (round >= 0) samples.get(name)!.push((cpuUs() - start) / n);
  }
}
await Promise.all([client.end(), engine.close(), pool.end()]);

const base = median(samples.get(rows[0]![0])!);
process.stdout.write(
  `${renderTable([
    ['client CPU per SELECT 1 (sequential)', 'µs/query', 'vs pg.Client query(string)'],
    ...rows.map(([name]) => {
      const us = median(samples.get(name)!);
      return [name, us.toFixed(1), `${us - base >= 0 ? '+' : ''}${(us - base).toFixed(1)} µs`];
    }),
  ])}\n(median of ${rounds} rounds of ${queries} queries each)\n`,
);
