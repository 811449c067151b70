import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import pg from 'pg';
import { resolvePoolOptions } from '../../src/core/index.js';
import { makeTarget } from '../../src/bench/target.js';
import { closestPreset, physicalCores, presetNames, presets, readServerFacts, recommend, type AdvisorInput } from '../../src/sizing/index.js';
import { MYSQL_URL, PG_URL, unlessReachable } from '../bench/helpers.js';

const base: AdvisorInput = { dialect: 'postgres', cores: 4, spindles: 1, instances: 1, maxConnections: 100, reserved: { count: 3, detail: 'superuser_reserved_connections 3' } };

describe('recommend', () => {
  it('no load measured: the formula, within max_connections', () => {
    const r = recommend(base);
    assert.deepEqual([r.size, r.maxOverflow, r.acquireTimeoutMs, r.preset], [9, 5, 5000, 'mediumTraffic']);
    assert.match(r.reasoning[0]!, /4 x 2 \+ 1 = 9 connections/);
    assert.match(r.reasoning[1]!, /max_connections 100 - 3 reserved \(superuser_reserved_connections 3\) - 10 kept free .* = 87 for the app/);
    assert.match(r.reasoning[2]!, /87 \/ 1 = 87/);
    assert.match(r.reasoning.join('\n'), /No load measured: size = the formula share, 9/);
    assert.deepEqual(r.warnings, []);
  });

  it("measured demand: Little's law plus headroom, shared by instances", () => {
    const r = recommend({ ...base, cores: 8, spindles: 0, instances: 4, demand: { qps: 800, meanHoldMs: 12, source: 'test' }, p99Ms: 40 });
    // 800 q/s x 12 ms = 9.6 busy, +25% = 12; budget (100 - 3 - 10) / 4 = 21; overflow ceil(12 / 2) = 6; timeout max(1 s, 20 x 40 ms).
    assert.deepEqual([r.size, r.maxOverflow, r.acquireTimeoutMs], [12, 6, 1000]);
    const text = r.reasoning.join('\n');
    assert.match(text, /Formula share per instance: 16 \/ 4 instances = 4/);
    assert.match(text, /800 q\/s x 12\.0 ms mean hold = 9\.6 connections busy on average; \+ 25% headroom = 12/);
    assert.match(text, /above the formula share \(4\)/);
    assert.match(text, /Per instance: 87 \/ 4 = 21/);
  });

  it('caps at the per-instance budget and warns', () => {
    const r = recommend({ ...base, instances: 10, demand: { qps: 2000, meanHoldMs: 10, source: 'test' } });
    assert.equal(r.size, 8); // 87 / 10
    assert.equal(r.maxOverflow, 0); // no room left
    assert.match(r.reasoning.join('\n'), /Capped by the per-instance limit: size 25 -> 8/);
    assert.equal(r.warnings.length, 1);
  });

  it('more instances than connections: one each, and a pooler suggested', () => {
    const r = recommend({ ...base, instances: 200 });
    assert.equal(r.size, 1);
    assert.equal(r.maxOverflow, 0);
    assert.match(r.warnings[0]!, /PgBouncer/);
  });

  it('a measured knee sizes the pool when there is no demand figure', () => {
    const r = recommend({ ...base, knee: { poolSize: 16, threshold: 0.9, source: 'sweep' }, p99Ms: 120 });
    assert.deepEqual([r.size, r.maxOverflow, r.acquireTimeoutMs, r.preset], [16, 8, 2400, 'highTraffic']);
  });

  it('says so when throughput was still rising at the largest size tried', () => {
    const r = recommend({ ...base, knee: { poolSize: 32, threshold: 0.9, source: 'sweep', largestTried: 32 } });
    assert.match(r.reasoning.join('\n'), /still rising at the largest size tried \(32\)/);
    const plateau = recommend({ ...base, knee: { poolSize: 16, threshold: 0.9, source: 'sweep', largestTried: 64 } });
    assert.doesNotMatch(plateau.reasoning.join('\n'), /still rising/);
  });

  it('a server that drops idle connections: idle timeout below it, and pre-ping', () => {
    const r = recommend({ ...base, dialect: 'mysql', reserved: { count: 0, detail: '' }, maxConnections: 151, serverIdleTimeoutMs: 28_800_000 });
    assert.equal(r.idleTimeoutMs, 600_000);
    assert.equal(r.prePing, true);
    const short = recommend({ ...base, serverIdleTimeoutMs: 60_000 });
    assert.equal(short.idleTimeoutMs, 30_000);
  });

  it('SQLite: one connection', () => {
    const r = recommend({ dialect: 'sqlite', cores: 8, instances: 1 });
    assert.deepEqual([r.size, r.maxOverflow], [1, 0]);
  });

  it('rejects impossible input', () => {
    assert.throws(() => recommend({ ...base, cores: 0 }), { code: 'HAVUZ_INVALID_OPTION' });
    assert.throws(() => recommend({ ...base, instances: 1.5 }), { code: 'HAVUZ_INVALID_OPTION' });
    assert.throws(() => recommend({ ...base, demand: { qps: -1, meanHoldMs: 1, source: '' } }), { code: 'HAVUZ_INVALID_OPTION' });
  });

  it('closestPreset by shape', () => {
    assert.equal(closestPreset(2, 1, 5000), 'lowTraffic');
    assert.equal(closestPreset(10, 5, 5000), 'mediumTraffic');
    assert.equal(closestPreset(30, 15, 2000), 'highTraffic');
    assert.equal(closestPreset(5, 20, 1000), 'burstTraffic');
  });
});

describe('presets', () => {
  it('are valid core pool options and use only core option names', () => {
    const allowed = new Set(['size', 'maxOverflow', 'acquireTimeoutMs', 'idleTimeoutMs', 'maxLifetimeMs', 'prePing', 'minIdle']);
    assert.deepEqual(presetNames, ['lowTraffic', 'mediumTraffic', 'highTraffic', 'burstTraffic']);
    for (const name of presetNames) {
      for (const key of Object.keys(presets[name])) assert.ok(allowed.has(key), `${name}.${key}`);
      const resolved = resolvePoolOptions({ ...presets[name] });
      assert.equal(resolved.max, presets[name].size + presets[name].maxOverflow);
    }
  });

  it('burst is a small pool with a large overflow and short timeouts', () => {
    const { burstTraffic: b, mediumTraffic: m } = presets;
    assert.ok(b.size < m.size && b.maxOverflow > b.size * 2);
    assert.ok(b.acquireTimeoutMs < m.acquireTimeoutMs && b.idleTimeoutMs < m.idleTimeoutMs);
  });

  it('are frozen, so spreading is the only way to change one', () => {
    assert.ok(Object.isFrozen(presets) && Object.isFrozen(presets.highTraffic));
  });
});

describe('physicalCores', () => {
  it('counts distinct (physical id, core id) pairs: hyper-threads once', () => {
    const block = (p: number, c: number, n: number) => `processor\t: ${n}\nphysical id\t: ${p}\ncore id\t\t: ${c}\n`;
    const info = [block(0, 0, 0), block(0, 1, 1), block(0, 0, 2), block(0, 1, 3), block(1, 0, 4), block(1, 1, 5)].join('\n');
    assert.equal(physicalCores(info), 4);
    assert.ok(physicalCores() >= 1);
  });
});

const pgSkip = await unlessReachable(PG_URL);
const mysqlSkip = await unlessReachable(MYSQL_URL);

describe('server facts from real databases', () => {
  it('PostgreSQL: max_connections and the reserved slots', { skip: pgSkip }, async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const expected = await client.query("SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS su, coalesce(current_setting('reserved_connections', true), '0')::int AS roles");
    await client.end();
    const { max, su, roles } = expected.rows[0];
    const target = makeTarget(PG_URL, { size: 1 });
    try {
      const facts = await readServerFacts('postgres', (sql) => target.query(sql));
      assert.equal(facts.maxConnections, max);
      assert.equal(facts.reserved?.count, su + roles);
      assert.match(facts.version ?? '', /^PostgreSQL \d+/);
      assert.ok((facts.openConnections ?? 0) >= 1);
      const r = recommend({ ...base, maxConnections: facts.maxConnections, reserved: facts.reserved });
      assert.match(r.reasoning[1]!, new RegExp(`max_connections ${max} - ${su + roles} reserved`));
    } finally {
      await target.close();
    }
  });

  it('MySQL/MariaDB: max_connections, nothing reserved, wait_timeout', { skip: mysqlSkip }, async () => {
    const target = makeTarget(MYSQL_URL, { size: 1 });
    try {
      const { rows } = await target.query("SELECT @@max_connections AS max, @@wait_timeout AS wait");
      const facts = await readServerFacts('mysql', (sql) => target.query(sql));
      assert.equal(facts.maxConnections, Number(rows[0]!.max));
      assert.equal(facts.reserved?.count, 0);
      assert.equal(facts.idleTimeoutMs, Number(rows[0]!.wait) * 1000);
      assert.match(facts.version ?? '', /^(MariaDB|MySQL) /);
    } finally {
      await target.close();
    }
  });
});
