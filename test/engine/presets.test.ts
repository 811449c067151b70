import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine } from '../../src/engine/index.js';
import { presetNames, presets } from '../../src/sizing/index.js';
import { requireDatabase, urls } from '../support/databases.js';

test('every preset spreads straight into createEngine and serves queries on PostgreSQL', async () => {
  await requireDatabase(urls.postgres);
  for (const name of presetNames) {
    const preset = presets[name];
    const db = createEngine(urls.postgres, { ...preset });
    try {
      const { rows } = await db.query<{ x: number }>('SELECT 1 AS x');
      assert.equal(rows[0]!.x, 1, name);
      const status = db.status();
      assert.equal(status.max, preset.size + preset.maxOverflow, `${name}: size + overflow`);
      assert.ok(status.size >= Math.min(1, preset.minIdle), `${name}: opened its connections`);
    } finally {
      await db.close();
    }
  }
});
