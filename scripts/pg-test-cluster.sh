#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 cluster on a loopback port, for the test suite and for trying the
# PostgreSQL build by hand. Needs Debian's postgresql-15 package. As root it runs the server as the postgres user.
#   scripts/pg-test-cluster.sh start [DIR] [PORT]   -> prints the JDBC URL of database "bridge"
#   scripts/pg-test-cluster.sh stop  [DIR]
#   PG_FSYNC=on|off   whether commits wait for the disk (off, the default: the tests' data is thrown away; the
#                     benches turn it on to measure what production pays)
set -euo pipefail
cmd=${1:?usage: $0 start|stop [DIR] [PORT]}
dir=${2:-/tmp/ocf-bridge-pg}
port=${3:-55432}
case "${PG_FSYNC:-off}" in on|off) ;; *) echo "PG_FSYNC is on or off" >&2; exit 2 ;; esac
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || { echo "PostgreSQL 15 server binaries not found in $bin (apt-get install postgresql)" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi
}

case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then as_owner "$bin/pg_ctl -D '$dir/data' -m fast stop" >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    as_owner "$bin/initdb -U postgres -A trust -E UTF8 -D '$dir/data'" >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl -w -t 60 -D '$dir/data' -l '$dir/server.log' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}\" start" >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb -h 127.0.0.1 -p $port -U postgres bridge"
    echo "jdbc:postgresql://127.0.0.1:$port/bridge"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl -D '$dir/data' -m fast stop" >/dev/null 2>&1 || true; fi
    ;;
  *)
    echo "usage: $0 start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
