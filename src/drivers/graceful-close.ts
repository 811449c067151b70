/** How long a polite close may wait for the server's goodbye before the socket is cut. */
export const closeGraceMs = 1_000;

/**
 * Ends a connection politely, but never waits on the network for it: pg's `end()` and mysql2's
 * resolve only when the server closes the socket, which a black-holed network never does, and a
 * pool whose close hangs keeps the process alive. After the grace period the socket is destroyed.
 */
export function endWithin(end: () => Promise<unknown>, destroy: () => void, graceMs = closeGraceMs): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      destroy();
      resolve();
    }, graceMs);
    timer.unref();
    end().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        destroy();
        resolve();
      },
    );
  });
}
