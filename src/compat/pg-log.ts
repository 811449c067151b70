import type { CloseReason } from '../core/events.js';

/** pg-pool's own log lines for the closes it logs, so a `log` option that greps them keeps working. */
export function pgPoolLogLine(reason: CloseReason): string | undefined {
  switch (reason) {
    case 'idle-timeout':
      return 'remove idle client';
    case 'max-uses':
      return 'remove expended client';
    case 'max-lifetime':
      return 'remove expired client';
    default:
      return undefined;
  }
}
