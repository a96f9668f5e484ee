#!/usr/bin/env bash
# Cluster benchmark (issue 14): INSTANCES packaged instances of the PostgreSQL build in cluster mode on one throwaway
# PostgreSQL and one throwaway NATS, all on this machine. DEVICES simulated devices sign in at the first instance; Cloud
# API reads of their resources go at RATE per second through the first instance (local: the device's connection is
# there) and through each other instance (routed: NATS request-reply to the first), each for SECONDS. Prints p50/p99 of
# both next to the bare path of a routed request: NATS request-reply between two connections of the load process.
# The instances share this machine's cores with each other, PostgreSQL, NATS and the load: read the cost of a routed
# request against a local one, not the absolute figures.
#   bench/cluster.sh [INSTANCES] [DEVICES] [RATE] [SECONDS]      (defaults 3 20 200 10)
# Builds the PostgreSQL variant into target/quarkus-app-pg when it is missing (the other benches use target/quarkus-app).
set -euo pipefail
cd "$(dirname "$0")/.."
instances=${1:-3}; devices=${2:-20}; rate=${3:-200}; seconds=${4:-10}
[ "$instances" -ge 2 ] || { echo "bench/cluster.sh: at least 2 instances (one local, one routed)" >&2; exit 2; }
out=$PWD/bench/out
mkdir -p "$out"
. bench/clients.sh
pg_app=$PWD/target/quarkus-app-pg
if [ ! -f "$pg_app/quarkus-run.jar" ] || [ -n "$(find src/main -newer "$pg_app/quarkus-run.jar" -type f | head -1)" ]; then
  ./mvnw -B -q -Ppostgresql package -DskipTests -Dquarkus.package.output-directory=quarkus-app-pg
fi
work=$(mktemp -d "$out/cluster.XXXXXX")
# The database runs as the postgres user, which may not enter the project folder.
servers=$(mktemp -d /tmp/bridge-bench-cluster.XXXXXX)
chmod 755 "$servers"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  scripts/nats-test-server.sh stop "$servers/nats" >/dev/null 2>&1 || true
  scripts/pg-test-cluster.sh stop "$servers/pg" >/dev/null 2>&1 || true
  rm -rf "$servers"
}
trap cleanup EXIT
url=$(scripts/pg-test-cluster.sh start "$servers/pg" 18432)
nats=$(scripts/nats-test-server.sh start "$servers/nats" 18422)
secret=bench-admin-secret-$RANDOM$RANDOM
key=$(head -c 32 /dev/urandom | base64)
bases=()
for i in $(seq 0 $((instances - 1))); do
  mkdir -p "$work/i$i"
  (cd "$work/i$i" && QUARKUS_DATASOURCE_JDBC_URL="$url" QUARKUS_DATASOURCE_USERNAME=postgres exec java -Xmx256m \
      -Dquarkus.http.port=1848$i -Dbridge.coap.tcp-port=1588$i -Dbridge.coap.tls-port=0 -Dbridge.public-url=http://127.0.0.1:18480 \
      -Dbridge.cluster.nats-url="$nats" -Dbridge.data-key="$key" -Dbridge.identity.admin-secret="$secret" -Dquarkus.log.level=WARN \
      -jar "$pg_app/quarkus-run.jar" >"$work/i$i/daemon.log" 2>&1) &
  pids+=($!)
  bases+=("http://127.0.0.1:1848$i")
  if [ "$i" = 0 ]; then
    # The first start migrates the shared database; the others join it.
    for _ in $(seq 1 900); do curl -fs -o /dev/null http://127.0.0.1:18480/q/health/ready && break; sleep 0.1; done
  fi
done
for i in $(seq 0 $((instances - 1))); do
  for _ in $(seq 1 900); do curl -fs -o /dev/null "http://127.0.0.1:1848$i/q/health/ready" && break; sleep 0.1; done
  curl -fs -o /dev/null "http://127.0.0.1:1848$i/q/health/ready" || { echo "instance $i did not get ready:" >&2; tail -5 "$work/i$i/daemon.log" >&2; exit 1; }
done
java -Xmx512m -cp "$bench_cp" org.ocfcloudbridge.bench.ClusterLoad "$secret" coap+tcp://127.0.0.1:15880 "$(IFS=,; echo "${bases[*]}")" \
    "$nats" "$devices" "$rate" "$seconds" | tee "$work/load.log"
read -r _ l50 l99 r50 r99 n50 n99 errors <<<"$(grep '^RESULT' "$work/load.log")"
echo
printf '%-44s %10s %10s\n' "Cloud API GET of a device resource" "p50 ms" "p99 ms"
printf '%-44s %10s %10s\n' "local (instance holding the connection)" "$l50" "$l99"
printf '%-44s %10s %10s\n' "routed (another instance, over NATS)" "$r50" "$r99"
printf '%-44s %10s %10s\n' "bare NATS request-reply, same server" "$n50" "$n99"
echo "errors: $errors; $instances instances, $devices devices, $rate/s for ${seconds}s per path"
