import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { adviseCommand, adviseFlags, adviseHelp } from './advise-command.js';
import { benchCommand, benchFlags, benchHelp } from './bench-command.js';
import { monitorCommand, monitorFlags, monitorHelp } from './monitor-command.js';
import { CleanupRegistry, installSignalHandlers } from './cleanup.js';
import { UsageError } from '../core/errors.js';
import { EXIT, describeError, scrubSecrets } from './errors.js';
import type { Io } from './io.js';

const help = `Usage: havuz <command> [options]

Commands:
  bench     measure pooling on a real database (pool vs none, load test, pool-size sweep)
  advise    recommend pool size, overflow and timeout for your database and load
  monitor   watch databases' pools live in the browser (the dashboard)

Run havuz <command> --help for its options.`;

/** Runs one command; returns the exit code. Never exits the process itself (run() does). */
export async function main(argv: readonly string[], io: Io, registry: CleanupRegistry, signal: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  const commands = {
    bench: { flags: benchFlags, help: benchHelp, run: benchCommand },
    advise: { flags: adviseFlags, help: adviseHelp, run: adviseCommand },
    monitor: { flags: monitorFlags, help: monitorHelp, run: monitorCommand },
  } as const;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${help}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const spec = (commands as Record<string, (typeof commands)[keyof typeof commands]>)[command];
  if (spec === undefined) throw new UsageError(`unknown command "${command}" (try: havuz bench, havuz advise, havuz monitor)`);
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...rest], options: { ...spec.flags, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see havuz ${command} --help)`);
  }
  if (values.help) {
    io.stdout.write(`${spec.help}\n`);
    return EXIT.ok;
  }
  return spec.run(values as never, io, registry, signal);
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The process entry point: the only place that reads argv and exits. */
export function run(): void {
  const registry = new CleanupRegistry();
  const controller = new AbortController();
  const io: Io = { stdout: process.stdout, stderr: process.stderr };
  const exit = (code: number): void => {
    registry.runAllSync();
    process.exitCode = code;
    // Let piped output (the JSON) drain before exiting; exit anyway if a reader never takes it.
    setTimeout(() => process.exit(code), 5_000).unref();
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  };
  // On a terminal, the interrupted line replaces a half-drawn progress bar.
  const write = (line: string): boolean => process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[2K' : ''}${line}`);
  installSignalHandlers({ registry, controller, write, exit });
  const secrets = passwordsIn(process.argv);
  main(process.argv.slice(2), io, registry, controller.signal).then(
    (code) => exit(code),
    (error: unknown) => {
      if (controller.signal.aborted) return; // the signal handler is cleaning up and will exit
      const usage = error instanceof UsageError;
      // A database or pool error mid-run gets its one line too; anything else is a bug: show the stack.
      const known = usage || typeof (error as { code?: unknown })?.code === 'string';
      const text = known ? describeError(error) : `internal error: ${(error as Error)?.stack ?? String(error)}`;
      process.stderr.write(`havuz: ${scrubSecrets(text, secrets)}\n`);
      exit(usage ? EXIT.usage : EXIT.bug);
    },
  );
}

/** Passwords given on the command line, so no message can echo them. */
function passwordsIn(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    for (const m of arg.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]*)@/gi)) {
      if (m[1]) out.push(m[1], safeDecode(m[1]));
    }
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
