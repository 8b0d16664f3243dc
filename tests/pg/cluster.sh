#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests: Debian's PostgreSQL 15 server (initdb on PATH, or
# /usr/lib/postgresql/*/bin), in DIR, on a free loopback port, password authentication over TCP.
#   tests/pg/cluster.sh start DIR   -> prints the DSN (postgresql://postgres:PW@127.0.0.1:PORT/jvdb)
#   tests/pg/cluster.sh stop DIR
#   tests/pg/cluster.sh start-again DIR   -> starts a stopped cluster again (same port, data, DSN)
#   tests/pg/cluster.sh restart DIR       -> pg_ctl restart -m fast (connections are dropped)
# initdb refuses to run as root, so as root the cluster runs as the `postgres` user.
# Extra server settings: JVDB_PG_SETTINGS (e.g. "-c fsync=on"); the default turns fsync off,
# which is what a throw-away test cluster wants (benchmarks pass -c fsync=on).
set -euo pipefail
cmd="${1:?usage: cluster.sh start|stop|start-again|restart DIR}"
dir="${2:?usage: cluster.sh start|stop|start-again|restart DIR}"
bindir=""
if ! command -v initdb >/dev/null 2>&1; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir="$d/"; done
  if [ -z "$bindir" ]; then
    echo "cluster.sh: no PostgreSQL server found (apt-get install -y postgresql)" >&2
    exit 1
  fi
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  pw="jvdb-test-$RANDOM$RANDOM"
  printf '%s\n' "$pw" > "$dir/pwfile"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir/pwfile"; fi
  as_owner "${bindir}initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${JVDB_PG_SETTINGS:-}"
  printf '%s\n' "$opts" > "$dir/pg_opts"
  as_owner "${bindir}pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" \
    start >"$dir/pg_ctl.log" 2>&1 || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
  as_owner psql -h "$dir" -p "$port" -U postgres -d postgres -qAt -c 'CREATE DATABASE jvdb' >/dev/null
  echo "$port" > "$dir/port"
  echo "postgresql://postgres:$pw@127.0.0.1:$port/jvdb"
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "${bindir}pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  ;;
start-again)
  as_owner "${bindir}pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/pg_opts")" \
    start >"$dir/pg_ctl.log" 2>&1 || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
  echo "postgresql://postgres:$(cat "$dir/pwfile")@127.0.0.1:$(cat "$dir/port")/jvdb"
  ;;
restart)
  as_owner "${bindir}pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart \
    >"$dir/pg_ctl.log" 2>&1 || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
  ;;
*)
  echo "usage: cluster.sh start|stop|start-again|restart DIR" >&2; exit 2 ;;
esac
