import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection between measurements, so one library's garbage is not collected on
 * another's time. `npm run bench:core` runs plain `node --import tsx`, without --expose-gc, so the
 * flag is switched on at run time and `gc` is taken from a fresh context, where V8 installs it.
 */
export const collectGarbage: () => void = (() => {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing !== undefined) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
