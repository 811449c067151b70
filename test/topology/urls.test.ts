import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { InvalidOptionError, InvalidUrlError } from '../../src/core/errors.js';
import { Engine, TopologyEngine, createEngine, parseTopologyUrl } from '../../src/engine/index.js';
import { isTopologyUrl } from '../../src/engine/topology/hosts.js';

/**
 * Multi-host URLs and topology options, read without connecting anywhere: an engine connects only
 * when first used, so these tests need no server. What the engine does with real servers is in
 * postgres.test.ts and mariadb.test.ts.
 */

const SECRET = 'p@ss:w/rd#1';
const ENCODED = encodeURIComponent(SECRET);

describe('multi-host URLs, as libpq reads them', () => {
  test('a host list: each host with its port or the default, IPv6 in brackets, in URL order', () => {
    const parsed = parseTopologyUrl(`postgresql://app:${ENCODED}@db1:5433,db2,[::1]:6000/shop?sslmode=disable&target_session_attrs=read-write`);
    assert.equal(parsed.dialect, 'postgres');
    assert.deepEqual(parsed.hosts.map((h) => h.label), ['db1:5433', 'db2:5432', '[::1]:6000']);
    assert.deepEqual(parsed.params, { target_session_attrs: 'read-write' });
    // Each host's own URL keeps credentials, database and driver parameters, and drops the topology's.
    assert.equal(parsed.hostUrl(1), `postgresql://app:${ENCODED}@db2:5432/shop?sslmode=disable`);
    assert.equal(parsed.hostUrl(2), `postgresql://app:${ENCODED}@[::1]:6000/shop?sslmode=disable`);
    assert.ok(!parsed.redacted.includes(SECRET) && !parsed.redacted.includes(ENCODED), parsed.redacted);
  });

  test('MySQL and MariaDB take the same host list, with 3306 as the default port', () => {
    const parsed = parseTopologyUrl('mariadb://app@m1,m2:3307/app');
    assert.equal(parsed.dialect, 'mysql');
    assert.deepEqual(parsed.hosts.map((h) => h.label), ['m1:3306', 'm2:3307']);
  });

  test('what makes a URL a topology: several hosts or a topology parameter; one plain host is not', () => {
    assert.equal(isTopologyUrl('postgres://a,b/db'), true);
    assert.equal(isTopologyUrl('postgres://a/db?target_session_attrs=any'), true);
    assert.equal(isTopologyUrl('mysql://a/db?load_balance_hosts=random'), true);
    assert.equal(isTopologyUrl('postgres://a/db?maxReplicaLagMs=100'), true);
    assert.equal(isTopologyUrl('postgres://a:5432/db?sslmode=require'), false);
    assert.equal(isTopologyUrl('postgres://u:a,b@h/db'), false, 'a comma in the password is not a host list');
    assert.equal(isTopologyUrl('sqlite:///x.db'), false);
  });

  test('bad host lists are InvalidUrlError naming the problem, with the password redacted', () => {
    const cases: [string, RegExp][] = [
      [`postgres://u:${ENCODED}@a,,b/db`, /empty host/],
      [`postgres://u:${ENCODED}@a:99999,b/db`, /port of "a:99999" must be 1 to 65535/],
      [`postgres://u:${ENCODED}@a:x,b/db`, /cannot read host "a:x"/],
      [`postgres://u:${ENCODED}@a:5432,a/db`, /a host is named twice/],
      ['sqlite:///a,b', /SQLite has no hosts/],
      ['redis://a,b', /expected postgresql:\/\//],
    ];
    for (const [url, reason] of cases) {
      assert.throws(
        () => parseTopologyUrl(url),
        (e: unknown) => e instanceof InvalidUrlError && e.code === 'HAVUZ_INVALID_URL' && reason.test(e.message) && !e.message.includes(SECRET) && !e.message.includes(ENCODED),
        url,
      );
    }
  });
});

describe('createEngine over a topology (nothing connects until first use)', () => {
  test('several hosts or a target_session_attrs give a TopologyEngine with a pool per host; one plain host an Engine', async () => {
    const topology = createEngine(`postgres://app:${ENCODED}@127.0.0.1:1,127.0.0.1:2/db`, { name: 'orders' });
    const single = createEngine('postgres://app@127.0.0.1:1/db');
    const byAttrs = createEngine('postgres://127.0.0.1:1/db?target_session_attrs=read-write');
    const byOption = createEngine('mysql://127.0.0.1:1/db', { maxReplicaLagMs: 500 });
    try {
      assert.ok(topology instanceof TopologyEngine && topology instanceof Engine);
      assert.ok(byAttrs instanceof TopologyEngine && byOption instanceof TopologyEngine);
      assert.ok(!(single instanceof TopologyEngine));
      assert.equal(single.replica(), single, 'a single host is its own replica engine');
      assert.equal((byAttrs as TopologyEngine).status().name, 'postgres:db');
      const named = createEngine('postgres://127.0.0.1:1,127.0.0.1:2/db?name=orders');
      assert.deepEqual([named.status().name, ...(named as TopologyEngine).hosts.map((h) => h.engine.pool.name)], ['orders', 'orders@127.0.0.1:1', 'orders@127.0.0.1:2']);
      await named.close();
      const status = (topology as TopologyEngine).status();
      assert.equal(status.name, 'orders');
      assert.equal(status.targetSessionAttrs, 'read-write');
      assert.deepEqual(status.hosts.map((h) => [h.host, h.role, h.pool.name]), [
        ['127.0.0.1:1', 'unknown', 'orders@127.0.0.1:1'],
        ['127.0.0.1:2', 'unknown', 'orders@127.0.0.1:2'],
      ]);
      assert.equal(topology.replica().url, topology.url);
      for (const text of [inspect(topology), JSON.stringify(topology), topology.url, inspect(topology.replica())]) {
        assert.ok(!text.includes(SECRET) && !text.includes(ENCODED), text);
      }
    } finally {
      await Promise.all([topology.close(), single.close(), byAttrs.close(), byOption.close()]);
    }
  });

  test('topology options from the URL or the options object are checked by name', () => {
    const bad: [string, object, string][] = [
      ['postgres://a,b/db?target_session_attrs=writable', {}, 'targetSessionAttrs'],
      ['postgres://a,b/db', { targetSessionAttrs: 'master' }, 'targetSessionAttrs'],
      ['postgres://a,b/db?load_balance_hosts=roundrobin', {}, 'loadBalanceHosts'],
      ['postgres://a,b/db?maxReplicaLagMs=soon', {}, 'maxReplicaLagMs'],
      ['postgres://a,b/db', { maxReplicaLagMs: -1 }, 'maxReplicaLagMs'],
      ['postgres://a,b/db', { hostRecheckMs: 2 ** 31 }, 'hostRecheckMs'],
      ['postgres://a,b/db', { hostCheckTimeoutMs: 0 }, 'hostCheckTimeoutMs'],
      ['postgres://a,b/db', { size: 0 }, 'size'],
    ];
    for (const [url, options, option] of bad) {
      assert.throws(() => createEngine(url, options), (e: unknown) => e instanceof InvalidOptionError && e.option === option, `${url} ${JSON.stringify(options)}`);
    }
    assert.throws(() => new TopologyEngine('postgres://a,b/db', 5 as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'options');
  });

  test('routing options are checked at the call: readOnly must be a boolean, acquire options known', async () => {
    const db = createEngine('postgres://127.0.0.1:1,127.0.0.1:2/db');
    try {
      await assert.rejects(db.query('SELECT 1', [], { readOnly: 'yes' as never }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'readOnly');
      await assert.rejects(db.connect({ readOnly: 1 as never }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'readOnly');
      await assert.rejects(db.connect({ timeoutMs: -5 }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'timeoutMs');
      await assert.rejects(db.connect({ priority: 1 } as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'priority');
    } finally {
      await db.close();
    }
  });

  test('no host reachable: the acquire fails within its timeout, naming every host and why, and the engine closes cleanly', async () => {
    const db = createEngine(`postgres://app:${ENCODED}@127.0.0.1:1,127.0.0.1:2/db`, { acquireTimeoutMs: 1_500, hostCheckTimeoutMs: 1_000 });
    try {
      await assert.rejects(db.query('SELECT 1'), (e: unknown) => {
        const message = (e as Error).message;
        return (
          (e as { code?: string }).code === 'HAVUZ_ACQUIRE_TIMEOUT' &&
          /127\.0\.0\.1:1 down, 127\.0\.0\.1:2 down/.test(message) &&
          /ECONNREFUSED/.test(message) &&
          !message.includes(SECRET) &&
          !message.includes(ENCODED)
        );
      });
      const status = (db as TopologyEngine).status();
      assert.deepEqual(status.hosts.map((h) => [h.role, h.error?.code]), [
        ['down', 'HAVUZ_CREATE_FAILED'],
        ['down', 'HAVUZ_CREATE_FAILED'],
      ]);
    } finally {
      await db.close();
    }
    await assert.rejects(db.query('SELECT 1'), (e: unknown) => (e as { code?: string }).code === 'HAVUZ_POOL_CLOSED');
  });
});
