// Runs Prometheus's own checker on an exposition. promtool comes from Debian's `prometheus`
// package (scripts/services.sh installs it); with CI=true a missing promtool fails the test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export function promtoolCheck(t: TestContext, text: string): void {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    if (process.env.CI === 'true' || process.env.CI === '1') throw new Error('CI=true and promtool is not installed (scripts/services.sh installs Debian prometheus)');
    t.skip('promtool is not installed');
    return;
  }
  assert.equal(r.status, 0, `promtool check metrics failed:\n${r.stdout}${r.stderr}\n--- the exposition:\n${text}`);
}
