#!/usr/bin/env bash
# Origin-role benchmark, one daemon running both roles: proxy reads of a device resource through both roles (vendor →
# Origin → Target Cloud API → CoAP → device) at a steady rate, next to a bare HTTP echo and a bare Californium CoAP
# echo measured in the same run; then device change → vendor webhook latency (Target notification → Origin inbox →
# vendor event outbox → webhook), after a warm-up at the same rate, with the daemon's CPU time per change. The webhooks
# (and the bare HTTP echo) are served by the bench receiver, a process of its own that verifies every signature; the
# bare path of the events, signed webhooks from a bare client in the load process to the same receiver in the same run,
# must reach 3x the goal (2500/s) for the event figures to be the daemon's.
#   bench/origin.sh [RATE] [SECONDS] [EVENT_RATE] [EVENT_DEVICES]     (defaults 1000 10 1000 20)
#   BENCH_BARE_CONNECTIONS, BENCH_BARE_IN_FLIGHT, BENCH_BARE_PIPELINING   the bare client's connections, requests in
#                                  flight and requests per connection at once (16, 512, 8)
#   BENCH_RECEIVER_LOOPS           the receiver's event loops (2)
#   BENCH_DB=postgresql            the daemon on a throwaway PostgreSQL 15 (scripts/pg-test-cluster.sh, port 18433)
#                                  instead of its embedded H2: the PostgreSQL build, made into target/quarkus-app-pg
#                                  when missing or older than src/main (BENCH_APP then names a copy of that build)
#   BENCH_PG_FSYNC                 on (the default, as in production: every commit waits for the disk) or off
#   BENCH_WARMUP                   seconds of events at the event rate before the measured ones (10)
#   BENCH_KEEP=1                   keep the run's folder (the daemon's H2 database and log) to look into afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-1000}; seconds=${2:-10}; event_rate=${3:-1000}; event_devices=${4:-20}
heap=${BENCH_XMX:-512m}
out=$PWD/bench/out
mkdir -p "$out"
. bench/profile.sh
. bench/clients.sh
db_env=()
servers=
if [ "${BENCH_DB:-h2}" = postgresql ]; then
  if [ -z "${BENCH_APP:-}" ]; then
    app=$PWD/target/quarkus-app-pg
    if [ ! -f "$app/quarkus-run.jar" ] || [ -n "$(find src/main -newer "$app/quarkus-run.jar" -type f | head -1)" ]; then
      locked_build -Ppostgresql package -DskipTests -Dquarkus.package.output-directory=quarkus-app-pg
    fi
  fi
  # The database runs as the postgres user, which may not enter the project folder.
  servers=$(mktemp -d /tmp/bridge-bench-origin.XXXXXX)
  chmod 755 "$servers"
  db_url=$(PG_FSYNC=${BENCH_PG_FSYNC:-on} scripts/pg-test-cluster.sh start "$servers/pg" 18433)
  db_env=(QUARKUS_DATASOURCE_JDBC_URL="$db_url" QUARKUS_DATASOURCE_USERNAME=postgres)
  bench_cp="$bench_classes:$app/app/*:$app/lib/main/*:$app/lib/boot/*"
  echo "database: PostgreSQL 15 at $db_url, fsync ${BENCH_PG_FSYNC:-on}"
elif [ "${BENCH_DB:-h2}" != h2 ]; then
  echo "bench/origin.sh: BENCH_DB is h2 or postgresql" >&2; exit 2
else
  echo "database: embedded H2"
fi
secret=bench-admin-secret-$RANDOM$RANDOM
hook=18481
hook_secret=whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3
work=$(mktemp -d "$out/origin.XXXXXX")
(cd "$work" && exec env "${db_env[@]}" java -Xmx"$heap" $(daemon_opts origin) -Dquarkus.http.port=18480 -Dbridge.public-url=http://127.0.0.1:18480 \
    -Dbridge.coap.tcp-port=15983 -Dbridge.coap.tls-port=15984 -Dbridge.outbound.allowed-networks=127.0.0.0/8 -Dbridge.identity.admin-secret="$secret" \
    -Dbridge.origin.vendor.embedded-clients=bench-vendor -Dbridge.origin.webhooks.bench.url=http://127.0.0.1:$hook/hook \
    -Dbridge.origin.webhooks.bench.secret=$hook_secret \
    -Dquarkus.log.level=WARN -jar "$app/quarkus-run.jar" >"$work/daemon.log" 2>&1) &
daemon=$!
receiver=
cleanup() {
  kill $daemon $receiver 2>/dev/null || true
  wait $daemon $receiver 2>/dev/null || true
  if [ -n "$servers" ]; then scripts/pg-test-cluster.sh stop "$servers/pg" >/dev/null 2>&1 || true; rm -rf "$servers"; fi
}
trap cleanup EXIT
start_receiver webhooks "$hook" "$hook_secret" "$work/receiver.log"
for _ in $(seq 1 600); do curl -fs -o /dev/null http://127.0.0.1:18480/q/health/ready && break; sleep 0.1; done
curl -fs -o /dev/null http://127.0.0.1:18480/q/health/ready || { echo "the daemon did not get ready; $work/daemon.log says:" >&2; tail -5 "$work/daemon.log" >&2; exit 1; }
db_pid=0
if [ -n "$servers" ]; then db_pid=$(head -1 "$servers/pg/data/postmaster.pid"); fi
java -Xmx1g -Dbench.database.pid="$db_pid" -Dbench.warmup.seconds="${BENCH_WARMUP:-10}" -Dbench.bare.connections="${BENCH_BARE_CONNECTIONS:-16}" -Dbench.bare.in-flight="${BENCH_BARE_IN_FLIGHT:-512}" \
    -Dbench.bare.pipelining="${BENCH_BARE_PIPELINING:-8}" \
    -cp "$bench_cp" org.ocfcloudbridge.bench.OriginLoad http://127.0.0.1:18480 coap+tcp://127.0.0.1:15983 "$secret" \
    "http://127.0.0.1:$hook" "$hook_secret" "$daemon" "$receiver" "$rate" "$seconds" "$event_rate" "$event_devices" | tee "$work/load.log" | phases origin
read -r _ p50 p99 h50 h99 c50 c99 e50 e99 n t50 t99 bare b50 b99 bad <<<"$(grep '^RESULT' "$work/load.log")"
echo
printf '%-44s %12s %12s\n' "" "p50 ms" "p99 ms"
printf '%-44s %12s %12s\n' "proxy through both roles ($rate/s)" "$p50" "$p99"
printf '%-44s %12s %12s\n' "  of which: Target Cloud API alone ($rate/s)" "$t50" "$t99"
printf '%-44s %12s %12s\n' "bare HTTP echo ($rate/s)" "$h50" "$h99"
printf '%-44s %12s %12s\n' "bare CoAP echo (Californium TCP)" "$c50" "$c99"
printf '%-44s %12s %12s\n' "device change -> vendor webhook ($event_rate/s, $event_devices devices)" "$e50" "$e99"
printf '%-44s %12s %12s\n' "bare webhooks to same receiver ($event_rate/s)" "$b50" "$b99"
grep '^daemon CPU per device change' "$work/load.log" || true
echo "bare webhooks to same receiver, burst: $bare verified/s; bad signatures: $bad"
echo "targets: proxy p50 <= 2x and p99 <= 3x (HTTP echo + CoAP echo); event p99 <= 20 ms at 1000 events/s; >= 2500 events/s"
if awk -v r="$bare" 'BEGIN {exit !(r >= 7500)}'; then
  echo "bench: the bare webhook path reaches >= 7500/s (3x the goal): the event figures are the daemon's"
else
  echo "bench: the bare webhook path is below 7500/s (3x the goal): the event figures are partly the bench's"
fi
grep '^RESULT' "$work/load.log"
if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept: $work (the daemon's data folder and logs)"; else rm -rf "$work"; fi
