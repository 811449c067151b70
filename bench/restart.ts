/**
 * The restart benchmark: havuz, pg.Pool and postgres.js, each at its defaults (size 10), under a
 * 50-way load on a scratch PostgreSQL that is restarted (`pg_ctl restart -m fast`, `-m immediate`)
 * or stopped for 2 s. Per library: failed requests and their codes, hung requests, the longest
 * wait, recovery after the server is ready again, connect attempts per second of outage.
 *
 *   npm run bench:restart                  the tables with ratios (stdout), progress on stderr
 *   npm run -s bench:restart -- --json     exactly one JSON object on stdout
 *   options: --runs N (3), --outage fast,immediate,stop-2s, --library havuz,pg-pool,postgres-js,
 *            --workers N (50), --bound S (60: a request unsettled this long is hung), --port N
 *
 * Needs the PostgreSQL server binaries (/usr/lib/postgresql/<v>/bin); as root it runs them as the
 * postgres user. The server is the bench's own, on 127.0.0.1 (a free port, or --port, or one from
 * HAVUZ_TEST_SCRATCH_PORTS=from-to), removed at the end. See bench/README.md.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { measureRestart, OUTAGES, QUERY } from '../test/faults/support/restart-scenario.js';
import { ScratchPostgres } from '../test/faults/support/scratch-postgres.js';
import { LIBRARIES, openSubject } from './restart/libraries.js';
import { versionsOf } from './lib/versions.js';
import { renderReport, toJson, type Samples } from './restart/report.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    outage: { type: 'string', default: OUTAGES.join(',') },
    library: { type: 'string', default: LIBRARIES.join(',') },
    workers: { type: 'string', default: '50' },
    bound: { type: 'string', default: '60' },
    port: { type: 'string' },
  },
});

function wholeNumber(name: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, not ${text}`);
  return n;
}
function pick<T extends string>(name: string, text: string, known: readonly T[]): T[] {
  const chosen = text.split(',').map((s) => s.trim());
  const bad = chosen.filter((c) => !known.includes(c as T));
  if (bad.length > 0) throw new Error(`--${name}: unknown ${bad.join(', ')}; choose from ${known.join(', ')}`);
  return chosen as T[];
}
const runs = wholeNumber('runs', values.runs, 1);
const workers = wholeNumber('workers', values.workers, 1);
const boundMs = wholeNumber('bound', values.bound, 1) * 1000;
const port = values.port === undefined ? undefined : wholeNumber('port', values.port, 1);
const outages = pick('outage', values.outage, OUTAGES);
const libraries = pick('library', values.library, LIBRARIES);

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
log(`bench:restart on node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore}`);

const server = await ScratchPostgres.create({ port });
const samples: Samples = {};
let version = '';
try {
  version = await serverVersion(server.url());
  log(`${version}, scratch server on 127.0.0.1:${server.port}`);
  for (let run = 0; run < runs; run++) {
    for (const outage of outages) {
      // Rotated by one per run, so drift over the run (other load on the machine) falls on every library alike.
      const order = libraries.map((_, i) => libraries[(i + run) % libraries.length]!);
      for (const library of order) {
        const subject = openSubject(library, server.url());
        try {
          const figures = await measureRestart(server, subject, outage, { workers, boundMs, okBefore: 300, okAfter: 100 });
          ((samples[outage] ??= {})[library] ??= []).push(figures);
          log(
            `run ${run + 1}/${runs} ${outage} ${library}: failed ${figures.failed}, hung ${figures.hangs}, ` +
              `recovery ${figures.recoveryMs?.toFixed(0) ?? '-'} ms, ${figures.connects} connects in ${figures.outageMs.toFixed(0)} ms down`,
          );
        } finally {
          await subject.close();
        }
      }
    }
  }
} finally {
  await server.destroy();
}

const elapsed = performance.now() / 1000;
const loadAfter = load();
const header = [
  `havuz restart benchmark: ${workers} workers (each one request at a time, 25 ms pause after a failure), every library at its defaults (size 10),`,
  `${runs} run(s) per outage and library, ${elapsed.toFixed(0)} s in all; hung: unsettled after ${boundMs / 1000} s; statement: ${QUERY}`,
  `node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore} -> ${loadAfter}; ${versionsOf(['pg', 'postgres'])}; ${version}`,
];
const report = renderReport(samples, libraries, header);
if (values.json) {
  log(report);
  process.stdout.write(`${toJson(samples)}\n`);
} else {
  process.stdout.write(`${report}\n`);
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return `PostgreSQL ${rows[0]!.v}`;
  } finally {
    await client.end();
  }
}
