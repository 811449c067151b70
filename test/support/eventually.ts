import type { TestContext } from 'node:test';

/**
 * Polls (bounded) until `check` holds. Only for what has no event: a replica's lag, replication
 * catching up, a statement seen running on the server. Fails the test with `what` when it does
 * not hold in time.
 */
export async function eventually(t: TestContext | undefined, what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${t?.name ?? 'test'}: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
