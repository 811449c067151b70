/** Where a command writes: process.stdout/stderr in the CLI, buffers in tests. */
export interface Io {
  stdout: { write(chunk: string): boolean };
  stderr: { write(chunk: string): boolean; isTTY?: boolean; columns?: number };
}
