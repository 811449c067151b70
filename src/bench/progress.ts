/** What a scenario reports while it runs; the CLI picks the rendering. */
export interface ProgressSink {
  /** A new phase with `total` units (queries, or milliseconds for timed runs). */
  start(label: string, total: number): void;
  update(done: number): void;
  /** The phase ended; `summary` is its one-line result. */
  finish(summary: string): void;
}

export const silentProgress: ProgressSink = { start() {}, update() {}, finish() {} };

interface Stream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/**
 * A redrawn bar on a terminal, plain lines elsewhere (a CI log or a pipe would otherwise fill with
 * carriage returns). Redraws at most every 100 ms so the bar costs nothing measurable.
 */
export function streamProgress(stream: Stream, prefix = 'havuz bench'): ProgressSink {
  return stream.isTTY ? new BarProgress(stream, prefix) : new LineProgress(stream, prefix);
}

class LineProgress implements ProgressSink {
  #label = '';
  constructor(
    readonly stream: Stream,
    readonly prefix: string,
  ) {}
  start(label: string): void {
    this.#label = label;
  }
  update(): void {}
  finish(summary: string): void {
    this.stream.write(`${this.prefix}: ${this.#label}: ${summary}\n`);
  }
}

class BarProgress implements ProgressSink {
  #label = '';
  #total = 1;
  #drawnAt = 0;
  constructor(
    readonly stream: Stream,
    readonly prefix: string,
  ) {}

  start(label: string, total: number): void {
    this.#label = label;
    this.#total = Math.max(1, total);
    this.#drawnAt = 0;
    this.update(0);
  }

  update(done: number): void {
    const now = performance.now();
    if (done !== 0 && done < this.#total && now - this.#drawnAt < 100) return;
    this.#drawnAt = now;
    this.stream.write(`\r\x1b[2K${renderBar(done / this.#total, this.#label, this.stream.columns ?? 80)}`);
  }

  finish(summary: string): void {
    this.stream.write(`\r\x1b[2K${this.prefix}: ${this.#label}: ${summary}\n`);
  }
}

/** `[#######.............]  35%  label`, fitted to the terminal width. */
export function renderBar(fraction: number, label: string, columns: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const width = Math.max(10, Math.min(30, columns - label.length - 10));
  const filled = Math.round(f * width);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${label}`;
  return line.slice(0, Math.max(1, columns - 1));
}
