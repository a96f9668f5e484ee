#!/usr/bin/env bash
# Cluster benchmark (issue 14): for N = 1, 2, … INSTANCES, N packaged instances of the PostgreSQL build in cluster mode
# (-Xmx256m each) on one throwaway PostgreSQL and one throwaway NATS, with the bench receiver in a process of its own,
# all on this machine. For each N (bench/java/.../ClusterLoad.java):
#   - DEVICES simulated devices spread evenly over the N (device i signs in at instance i % N's CoAP port), one
#     resource-level subscription per device's temperature at the receiver, which verifies every signature;
#   - a warm-up burst of N × BURST temperature changes, then a measured one of BURST: verified notifications per
#     second, and the instances' CPU per change delivered, summed over the N (CPU ms of all instance pids, from the
#     first change to the last arrival, / changes delivered), also net of what they use when idle (measured in the
#     quiet after it);
#   - Cloud API reads of the devices at RATE per second for SECONDS, round-robin through the N instances as behind a
#     load balancer ((N-1)/N of them routed over NATS to the device's instance): p50/p99.
#     The instances' CPU per read too.
# At N = INSTANCES (>= 2) also each device read through its own instance (local) and through each other instance
# (routed), RATE per second for SECONDS each, next to the bare path of a routed request: NATS request-reply between two
# connections of the load process. At the end a table of the N, what three 2-core nodes would carry on paper (from
# N = 3's CPU per change), and the bare path of the receiver: a bare client driving it at the start (which also warms it
# up), so that the reader knows the receiver is not the limit; each N's receiver CPU per change is in the table too.
# The instances share this machine's cores with each other, PostgreSQL, NATS, the receiver and the load: read the CPU
# per change and the cost of a routed request against a local one, not the absolute rates.
#   bench/cluster.sh [INSTANCES] [DEVICES] [RATE] [SECONDS] [BURST]      (defaults 3 30 100 10 5000)
#     INSTANCES      the largest N: runs N = 1 .. INSTANCES, each on fresh instances and a fresh database
#     DEVICES        simulated devices, spread evenly over the N (at least one per instance)
#     RATE SECONDS   Cloud API reads per second and for how long, per path (round-robin; local; each routed step).
#                    A read costs the instances 4-7 ms of CPU and the load process (HTTP client, simulated devices)
#                    about as much again (2026-12-04): 200/s saturated the two cores at N = 3 (p50 1.3 s), hence 100
#     BURST          device changes in the measured burst of each N (after a warm-up burst of N × BURST: each
#                    instance has then seen as many changes as the one of N = 1)
#   BENCH_CLUSTER_SUBSCRIBE=home   make each device's subscription through its own instance, which then delivers it
#                  itself, instead of through the instances in turn (spread, the default: as behind a load balancer,
#                  (N-1)/N of the subscriptions are delivered by another instance than the device's)
# It takes about a minute per N plus the instances' start-ups (a few minutes with the defaults).
# Ports: instance i HTTP 18480+i, CoAP 15880+i; receiver 18470; PostgreSQL 18432; NATS 18422 (monitor 18423).
# Builds the PostgreSQL variant into target/quarkus-app-pg when it is missing or older than src/main (the other
# benches use target/quarkus-app), under the shared build lock (bench/clients.sh: locked_build).
set -euo pipefail
cd "$(dirname "$0")/.."
instances=${1:-3}; devices=${2:-30}; rate=${3:-100}; seconds=${4:-10}; burst=${5:-5000}
[ "$instances" -ge 1 ] || { echo "bench/cluster.sh: at least 1 instance" >&2; exit 2; }
[ "$devices" -ge "$instances" ] || { echo "bench/cluster.sh: at least one device per instance" >&2; exit 2; }
http_port=18480; coap_port=15880; receiver_port=18470; pg_port=18432; nats_port=18422
out=$PWD/bench/out
mkdir -p "$out"
. bench/clients.sh
pg_app=$PWD/target/quarkus-app-pg
if [ ! -f "$pg_app/quarkus-run.jar" ] || [ -n "$(find src/main -newer "$pg_app/quarkus-run.jar" -type f | head -1)" ]; then
  locked_build -Ppostgresql package -DskipTests -Dquarkus.package.output-directory=quarkus-app-pg
fi
work=$(mktemp -d "$out/cluster.XXXXXX")
# The database runs as the postgres user, which may not enter the project folder.
servers=$(mktemp -d /tmp/bridge-bench-cluster.XXXXXX)
chmod 755 "$servers"
pids=()
receiver=

# alive PID: the process runs (a child that exited stays a zombie until waited for; that one is gone)
alive() {
  [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

# stop_instances: SIGTERM to each instance (a clean stop gives its devices and claims back), then waits until all are
# gone, at most 60 s, before SIGKILL: the next N must not share the cores with this one's stragglers.
stop_instances() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 600); do
    local running=0
    for p in "${pids[@]}"; do alive "$p" && running=1; done
    [ "$running" = 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do
    if alive "$p"; then echo "instance pid $p did not stop within 60 s: killed" >&2; kill -9 "$p" 2>/dev/null || true; fi
    wait "$p" 2>/dev/null || true
  done
  pids=()
}

cleanup() {
  stop_instances
  if [ -n "$receiver" ]; then kill "$receiver" 2>/dev/null || true; wait "$receiver" 2>/dev/null || true; fi
  scripts/nats-test-server.sh stop "$servers/nats" >/dev/null 2>&1 || true
  scripts/pg-test-cluster.sh stop "$servers/pg" >/dev/null 2>&1 || true
  rm -rf "$servers"
}
trap cleanup EXIT

# await_ready I: until instance I answers ready, at most 180 s (three starting at once on two busy cores are slow);
# fails at once when its process is gone (count: start_instances' N)
await_ready() {
  local port=$((http_port + $1))
  for _ in $(seq 1 1800); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/q/health/ready" && return 0
    alive "${pids[$1]}" || break
    sleep 0.1
  done
  echo "instance $1 of $count did not get ready; $work/n$count/i$1/daemon.log says:" >&2
  tail -5 "$work/n$count/i$1/daemon.log" >&2
  exit 1
}

# start_instances N URL: N instances on the database at URL; the first one migrates it, the others then start together
start_instances() {
  local count=$1 db=$2 i
  for i in $(seq 0 $((count - 1))); do
    mkdir -p "$work/n$count/i$i"
    (cd "$work/n$count/i$i" && QUARKUS_DATASOURCE_JDBC_URL="$db" QUARKUS_DATASOURCE_USERNAME=postgres exec java -Xmx256m \
        -Dquarkus.http.port=$((http_port + i)) -Dbridge.coap.tcp-port=$((coap_port + i)) -Dbridge.coap.tls-port=0 \
        -Dbridge.public-url=http://127.0.0.1:$http_port -Dbridge.cluster.nats-url="$nats" -Dbridge.data-key="$key" \
        -Dbridge.identity.admin-secret="$secret" -Dbridge.outbound.allowed-networks=127.0.0.0/8 -Dquarkus.log.level=WARN \
        -jar "$pg_app/quarkus-run.jar" >"$work/n$count/i$i/daemon.log" 2>&1) &
    pids+=($!)
    if [ "$i" = 0 ]; then await_ready 0; fi
  done
  for i in $(seq 0 $((count - 1))); do await_ready "$i"; done
}

echo "bench/cluster.sh $instances $devices $rate $seconds $burst; at the start: load average$(uptime | sed 's/.*load average//')"
url=$(scripts/pg-test-cluster.sh start "$servers/pg" "$pg_port")
nats=$(scripts/nats-test-server.sh start "$servers/nats" "$nats_port")
secret=bench-admin-secret-$RANDOM$RANDOM
key=$(head -c 32 /dev/urandom | base64)
signing=bench-secret-$RANDOM$RANDOM-0123456789abcdef
start_receiver notifications "$receiver_port" "$signing" "$work/receiver.log"
# The receiver's bare path, first: its rounds also warm the receiver up (BareClient.warmUp: ~100,000 requests until
# both JVMs have compiled the path), so that every N's notifications meet a compiled receiver.
java -Xmx512m -cp "$bench_cp" org.ocfcloudbridge.bench.BareClient notifications "http://127.0.0.1:$receiver_port" "$signing" \
    20000 16 512 6 | tee "$work/bare.log"
bare_rate=$(awk '/^RESULT/ {print $2}' "$work/bare.log")

for n in $(seq 1 "$instances"); do
  # Each N on a database of its own in the same PostgreSQL: the earlier N's users, devices, subscriptions, claims and
  # journal would otherwise stay in the tables the instances scan, and each N would start from a different state.
  # A new database is quicker than a new PostgreSQL, and the instances of the earlier N are gone by now.
  createdb -h 127.0.0.1 -p "$pg_port" -U postgres "bridge_n$n"
  start_instances "$n" "${url%/*}/bridge_n$n"
  coaps=(); bases=()
  for i in $(seq 0 $((n - 1))); do
    coaps+=("coap+tcp://127.0.0.1:$((coap_port + i))"); bases+=("http://127.0.0.1:$((http_port + i))")
  done
  routed=
  if [ "$n" = "$instances" ] && [ "$n" -ge 2 ]; then routed=--routed; fi
  echo
  java -Xmx512m -Dbench.subscribe-at="${BENCH_CLUSTER_SUBSCRIBE:-spread}" -cp "$bench_cp" org.ocfcloudbridge.bench.ClusterLoad \
      "$secret" "$(IFS=,; echo "${coaps[*]}")" "$(IFS=,; echo "${bases[*]}")" "$(IFS=,; echo "${pids[*]}")" "$nats" \
      "http://127.0.0.1:$receiver_port" "$signing" "$receiver" "$devices" "$burst" "$rate" "$seconds" $routed | tee "$work/load-n$n.log"
  stop_instances
done

echo
fmt='%-3s %11s %20s %11s %14s %19s %12s %12s %12s %12s\n'
printf "$fmt" "N" "verified/s" "CPU ms/change (sum)" "above idle" "idle CPU ms/s" "receiver ms/change" "read p50 ms" "read p99 ms" \
  "CPU ms/read" "read errors"
grep -h '^ROUND' "$work"/load-n*.log | while read -r _ n rate_n cpu rcpu p50 p99 errors _ idle above per_read; do
  printf "$fmt" "$n" "$rate_n" "$cpu" "$above" "$idle" "$rcpu" "$p50" "$p99" "$per_read" "$errors"
done
bad=$(grep -h '^ROUND' "$work"/load-n*.log | awk '{s += $9} END {print s + 0}')
echo "bad signatures: $bad; $devices devices, subscriptions made ${BENCH_CLUSTER_SUBSCRIBE:-spread}, bursts of $burst changes" \
  "(after N × $burst to warm up), reads $rate/s for ${seconds}s round-robin through the N"
echo "bare path of the receiver (bare client -> receiver, same signatures): $bare_rate verified/s"
# Each change is observed, stored and notified by one instance (the one holding the device, and the one delivering its
# subscription), so while the CPU per change stays flat the capacity grows with the cores.
paper_n=$(( instances < 3 ? instances : 3 ))
paper=$(awk -v n="$paper_n" '$1 == "ROUND" && $2 == n {print $4}' "$work/load-n$paper_n.log")
awk -v c="$paper" -v n="$paper_n" 'BEGIN {
  if (c + 0 <= 0) { print "on paper: no CPU per change measured at N=" n; exit }
  printf "on paper: three 2-core nodes carry ≈ 3 × (2000 ms / %.2f ms) ≈ %.0f changes/s (the CPU per change of N=%d%s)\n",
    c, 3 * 2000 / c, n, n == 3 ? "" : "; run with 3 instances for N=3"
}'

if [ "$instances" -ge 2 ]; then
  read -r _ l50 l99 r50 r99 n50 n99 errors <<<"$(grep '^RESULT' "$work/load-n$instances.log")"
  echo
  printf '%-44s %10s %10s\n' "Cloud API GET of a device resource" "p50 ms" "p99 ms"
  printf '%-44s %10s %10s\n' "local (instance holding the connection)" "$l50" "$l99"
  printf '%-44s %10s %10s\n' "routed (another instance, over NATS)" "$r50" "$r99"
  printf '%-44s %10s %10s\n' "bare NATS request-reply, same server" "$n50" "$n99"
  echo "errors: $errors; $instances instances, $devices devices spread over them, $rate/s for ${seconds}s per path"
fi
echo "at the end: load average$(uptime | sed 's/.*load average//')"
