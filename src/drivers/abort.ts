/**
 * Waits for a driver's connect, but rejects as soon as `signal` aborts (the pool's create timeout,
 * or the pool closing) and tears the half-open connection down: drivers only give up on their own
 * connect timeout, and a socket left connecting would keep the process alive.
 */
export function abortable<T>(connecting: Promise<T>, signal: AbortSignal, teardown: () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      teardown();
      reject(signal.reason);
    };
    if (signal.aborted) {
      connecting.catch(() => {});
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    connecting.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
