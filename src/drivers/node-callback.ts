/**
 * Calls a user's Node-style callback from inside a promise reaction. A throw in it must not turn
 * into an unhandled rejection (the driver would have thrown it from its socket handler, as an
 * uncaught exception): it is rethrown from a fresh tick, where the driver's would have surfaced.
 */
export function invokeCallback(callback: (...args: any[]) => unknown, ...args: unknown[]): void {
  try {
    callback(...args);
  } catch (error) {
    process.nextTick(() => {
      throw error;
    });
  }
}

/** Splits `(...args, callback?)` the way pg and mysql2 read their arguments. */
export function popCallback(args: unknown[]): ((...results: any[]) => unknown) | undefined {
  return typeof args[args.length - 1] === 'function' ? (args.pop() as (...results: any[]) => unknown) : undefined;
}
