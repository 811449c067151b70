#!/usr/bin/env bash
# Start PgBouncer in transaction mode on 127.0.0.1:6432 in front of the local PostgreSQL
# (127.0.0.1:5432), for test/faults/pgbouncer.test.ts. Idempotent: does nothing when it already
# answers. Needs the Debian `pgbouncer` package. PgBouncer refuses to run as root, so it runs as
# the `postgres` user; its config, pid file and log live in a temp dir, never in /etc.
# Settings: PGBOUNCER_PORT (6432), PGBOUNCER_DIR (/tmp/havuz-pgbouncer), PG_HOST, PG_PORT.
set -euo pipefail

PORT="${PGBOUNCER_PORT:-6432}"
DIR="${PGBOUNCER_DIR:-/tmp/havuz-pgbouncer}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
RUN_AS="${PGBOUNCER_USER:-postgres}"

answers() {
  psql "host=127.0.0.1 port=$PORT user=postgres dbname=test connect_timeout=2" -tAc 'SELECT 1' 2>/dev/null | grep -qx 1
}

if answers; then
  echo "pgbouncer: already up on 127.0.0.1:$PORT"
  exit 0
fi

BIN="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"
if [ ! -x "$BIN" ]; then
  echo "pgbouncer: not installed (apt-get install -y pgbouncer)" >&2
  exit 1
fi

mkdir -p "$DIR"
# A stale pid file from a killed run would make pgbouncer refuse to start.
if [ -f "$DIR/pgbouncer.pid" ] && ! kill -0 "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null; then
  rm -f "$DIR/pgbouncer.pid"
fi

cat >"$DIR/pgbouncer.ini" <<EOF
[databases]
* = host=$PG_HOST port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 10
reserve_pool_size = 0
server_reset_query =
server_check_delay = 0
ignore_startup_parameters = extra_float_digits,options,statement_timeout
admin_users = postgres
stats_users = postgres
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
EOF
# With auth_type = trust a user must still be listed; the tests use postgres and flt_* roles.
cat >"$DIR/userlist.txt" <<EOF
"postgres" ""
"flt_pgb_user" ""
EOF

if [ "$(id -u)" = "0" ]; then
  chown -R "$RUN_AS" "$DIR"
  runuser -u "$RUN_AS" -- "$BIN" -d "$DIR/pgbouncer.ini"
else
  "$BIN" -d "$DIR/pgbouncer.ini"
fi

for _ in $(seq 1 40); do
  if answers; then
    echo "pgbouncer: up on 127.0.0.1:$PORT (transaction mode)"
    exit 0
  fi
  sleep 0.25
done
echo "pgbouncer: did not come up; log follows" >&2
tail -n 20 "$DIR/pgbouncer.log" >&2 || true
exit 1
