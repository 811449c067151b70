// A minimal Server-Sent Events reader for the tests: every byte received (to search for secrets)
// and the events parsed, with a wait for the next one matching.
import { request, type IncomingMessage } from 'node:http';

export interface SseEvent {
  event: string;
  data: any;
}

export class SseReader {
  readonly events: SseEvent[] = [];
  raw = '';
  ended = false;
  status = 0;
  #buffer = '';
  #response: IncomingMessage | undefined;
  #waiters: (() => void)[] = [];

  static open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const reader = new SseReader();
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        reader.status = res.statusCode ?? 0;
        reader.#response = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => reader.#take(chunk));
        res.on('end', () => reader.#end());
        res.on('close', () => reader.#end());
        resolve(reader);
      });
      req.on('error', reject);
      req.end();
    });
  }

  #take(chunk: string): void {
    this.raw += chunk;
    this.#buffer += chunk;
    let at: number;
    while ((at = this.#buffer.indexOf('\n\n')) !== -1) {
      const block = this.#buffer.slice(0, at);
      this.#buffer = this.#buffer.slice(at + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      this.events.push({ event, data: data === '' ? undefined : JSON.parse(data) });
    }
    this.#wake();
  }

  #end(): void {
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** The first event (from `from` on) that matches, waiting up to `timeoutMs` for it. */
  async next(match: (e: SseEvent) => boolean, timeoutMs = 10_000, from = 0): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.events.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.ended) throw new Error(`the stream ended without the event (got ${this.events.map((e) => e.event).join(', ')})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event in ${timeoutMs} ms (got ${this.events.map((e) => e.event).join(', ')})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitEnd(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('the stream did not end');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.#response?.destroy();
  }
}
