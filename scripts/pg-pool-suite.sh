#!/usr/bin/env bash
# Runs node-postgres's own pg-pool test suite (packages/pg-pool/test, mocha) twice on this machine:
# against pg-pool itself, and against havuz's PgPool with nothing between them but a one-line
# re-export. Prints both counts and every test whose outcome differs. Fetches nothing: it takes a
# checkout of https://github.com/brianc/node-postgres and uses this repo's node_modules (mocha, co,
# expect.js, lodash, pg, pg-cursor are devDependencies); the suite is copied to a temp dir, never
# into this repo.
#
# Usage: scripts/pg-pool-suite.sh PATH-TO-NODE-POSTGRES-CHECKOUT
# The suite connects with pg's defaults: set PGHOST, PGPORT, PGUSER, PGDATABASE (and PGPASSWORD)
# for the PostgreSQL to use; defaults here: 127.0.0.1, postgres, database postgres.
set -euo pipefail

checkout=${1:?usage: scripts/pg-pool-suite.sh PATH-TO-NODE-POSTGRES-CHECKOUT}
suite="$checkout/packages/pg-pool/test"
[ -d "$suite" ] && [ -f "$checkout/packages/pg-pool/index.js" ] || { echo "no pg-pool suite under $checkout/packages/pg-pool" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres} PGDATABASE=${PGDATABASE:-postgres}
export NODE_PATH="$repo/node_modules"

if [ ! -f "$repo/dist/compat/index.js" ]; then (cd "$repo" && npm run -s build); fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One run: the suite in $work/$1/test, `require('../')` answering with $2 as index.js.
run() {
  local name=$1 dir="$work/$1"
  mkdir -p "$dir"
  cp -R "$suite" "$dir/test"
  printf '%s\n' "$2" > "$dir/index.js"
  # --exit for both: some tests leave a pool open, and the counts must not wait on a timer.
  (cd "$dir" && timeout 900 "$repo/node_modules/.bin/mocha" --exit --reporter json --reporter-option "output=$work/$name.json" > "$work/$name.log" 2>&1) || true
  [ -f "$work/$name.json" ] || { echo "$name: mocha wrote no results; its output:" >&2; cat "$work/$name.log" >&2; exit 1; }
}

run pg-pool "$(cat "$checkout/packages/pg-pool/index.js")"
run havuz "module.exports = require('$repo/dist/compat/index.js').PgPool"

node - "$work/pg-pool.json" "$work/havuz.json" <<'NODE'
const fs = require('node:fs');
const [ownFile, havuzFile] = process.argv.slice(2);
const outcomes = (file) => {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  const map = new Map();
  for (const [kind, list] of [['pass', r.passes], ['fail', r.failures], ['pending', r.pending]]) {
    for (const t of list) map.set(t.fullTitle, { kind, error: t.err && t.err.message });
  }
  return { stats: r.stats, map };
};
const own = outcomes(ownFile);
const havuz = outcomes(havuzFile);
const line = (name, s) => `${name.padEnd(8)} ${s.passes} passing, ${s.failures} failing, ${s.pending} pending (${s.tests} tests)`;
console.log(line('pg-pool', own.stats));
console.log(line('havuz', havuz.stats));
const titles = new Set([...own.map.keys(), ...havuz.map.keys()]);
const differ = [...titles].filter((t) => own.map.get(t)?.kind !== havuz.map.get(t)?.kind).sort();
console.log(`\n${differ.length} tests differ:`);
for (const t of differ) {
  const o = own.map.get(t), h = havuz.map.get(t);
  console.log(`- ${t}\n    pg-pool: ${o ? o.kind : 'absent'}${o && o.error ? ` (${o.error.split('\n')[0]})` : ''}\n    havuz:   ${h ? h.kind : 'absent'}${h && h.error ? ` (${h.error.split('\n')[0]})` : ''}`);
}
const bothFail = [...titles].filter((t) => own.map.get(t)?.kind === 'fail' && havuz.map.get(t)?.kind === 'fail');
if (bothFail.length > 0) console.log(`\nFailing on both (${bothFail.length}):\n${bothFail.map((t) => `- ${t}: ${own.map.get(t).error.split('\n')[0]}`).join('\n')}`);
NODE
