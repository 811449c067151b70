import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import { InvalidOptionError } from '../core/errors.js';

/**
 * What to stop before the databases close: an HTTP server (node:http, https, or any net.Server),
 * an object with `close()` (a Fastify app: its close runs its onClose hooks; its `server` is
 * followed like an HTTP server's), or a function that stops something and resolves when done.
 */
export type Stopper = NetServer | { close(): unknown; server?: unknown } | (() => unknown);

/** A stopper as shutdown drives it. */
export interface Stopping {
  /** Stop taking new work; resolves once what was accepted is answered. */
  stop(): Promise<void>;
  /** The deadline passed: cut what is left (an HTTP server's open connections). */
  cut(): void;
  /** Stop following the server's requests (the handlers are being removed). */
  detach(): void;
}

export function stoppingOf(stopper: Stopper, index: number): Stopping {
  if (typeof stopper === 'function') return { stop: async () => void (await stopper()), cut() {}, detach() {} };
  if (stopper instanceof NetServer) return new HttpStopping(stopper as HttpServer, true);
  if (typeof stopper === 'object' && stopper !== null && typeof stopper.close === 'function') {
    const server = stopper.server instanceof NetServer ? new HttpStopping(stopper.server as HttpServer, false) : undefined;
    return {
      stop: async () => {
        void server?.stop();
        await stopper.close();
      },
      cut: () => server?.cut(),
      detach: () => server?.detach(),
    };
  }
  throw new InvalidOptionError(`stop[${index}]`, stopper, 'an HTTP server, an object with close() (a Fastify app) or a function');
}

/**
 * An HTTP server's graceful stop. `server.close()` alone stops accepting connections, but a
 * keep-alive connection whose request is in flight stays open after its answer (until
 * keepAliveTimeout: 5 s in Node, 72 s in Fastify) and may even bring new requests. So, from the
 * moment shutdown starts, every answer not yet sent says `Connection: close`, and each connection
 * that falls idle is closed at once. Requests already accepted are still answered.
 */
class HttpStopping implements Stopping {
  readonly #server: HttpServer;
  readonly #closeServer: boolean;
  readonly #open = new Set<ServerResponse>();
  #stopping: Promise<void> | undefined;

  constructor(server: HttpServer, closeServer: boolean) {
    this.#server = server;
    this.#closeServer = closeServer;
    // First in line, so the header is set before the app's handler writes its answer.
    server.prependListener('request', this.#onRequest);
  }

  readonly #onRequest = (_request: IncomingMessage, response: ServerResponse): void => {
    if (this.#stopping !== undefined) keepNoAlive(response);
    this.#open.add(response);
    response.once('close', () => {
      this.#open.delete(response);
      // Idle only once the response is fully done: on the next turn.
      if (this.#stopping !== undefined) setImmediate(() => this.#server.closeIdleConnections?.());
    });
  };

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const response of this.#open) keepNoAlive(response);
      const closed = this.#closeServer ? new Promise<void>((resolve) => this.#server.close(() => resolve())) : Promise.resolve();
      this.#server.closeIdleConnections?.();
      await closed;
    })();
    return this.#stopping;
  }

  cut(): void {
    this.#server.closeAllConnections?.();
  }

  detach(): void {
    this.#server.off('request', this.#onRequest);
  }
}

function keepNoAlive(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
