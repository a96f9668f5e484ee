#!/usr/bin/env bash
# Notification benchmark: simulated devices change a temperature; the daemon observes it, stores it, and notifies one
# resource-level subscription per device; the bench receiver, a process of its own, verifies every signature. Prints
# verified notifications per second (a burst) and device change -> receiver latency p50/p99 at a steady rate, next to
# the bare path: a bare HTTP client in the load process driving the same receiver in the same run, which must reach
# 3x the goal for the daemon's figure to be the daemon's. Also the CPU the daemon, the receiver and the load process
# used in each burst.
#   bench/notifications.sh [DEVICES] [BURST] [RATE] [SECONDS]     (defaults 50 20000 1000 10)
#   BENCH_BARE_CONNECTIONS, BENCH_BARE_IN_FLIGHT, BENCH_BARE_PIPELINING   the bare client's connections, requests in
#                                  flight and requests per connection at once (16, 512, 8)
#   BENCH_RECEIVER_LOOPS           the receiver's event loops (2)
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-50}; burst=${2:-20000}; rate=${3:-1000}; seconds=${4:-10}
heap=${BENCH_XMX:-512m}
out=$PWD/bench/out
mkdir -p "$out"
. bench/profile.sh
. bench/clients.sh
secret=bench-admin-secret-$RANDOM$RANDOM
work=$(mktemp -d "$out/notifications.XXXXXX")
(cd "$work" && exec java -Xmx"$heap" $(daemon_opts notifications) -Dquarkus.http.port=18380 -Dbridge.coap.tcp-port=15883 -Dbridge.coap.tls-port=15884 \
    -Dbridge.outbound.allowed-networks=127.0.0.0/8 -Dbridge.identity.admin-secret="$secret" -Dquarkus.log.level=WARN -jar "$app/quarkus-run.jar" >"$work/daemon.log" 2>&1) &
daemon=$!
receiver=
trap 'kill $daemon $receiver 2>/dev/null || true; wait $daemon $receiver 2>/dev/null || true' EXIT
signing=bench-secret-$RANDOM$RANDOM-0123456789abcdef
start_receiver notifications 18381 "$signing" "$work/receiver.log"
for _ in $(seq 1 600); do curl -fs -o /dev/null http://127.0.0.1:18380/q/health/ready && break; sleep 0.1; done
curl -fs -o /dev/null http://127.0.0.1:18380/q/health/ready || { echo "the daemon did not get ready; $work/daemon.log says:" >&2; tail -5 "$work/daemon.log" >&2; exit 1; }
java -Xmx1g -Dbench.bare.connections="${BENCH_BARE_CONNECTIONS:-16}" -Dbench.bare.in-flight="${BENCH_BARE_IN_FLIGHT:-512}" \
    -Dbench.bare.pipelining="${BENCH_BARE_PIPELINING:-8}" \
    -cp "$bench_cp" org.ocfcloudbridge.bench.NotificationLoad http://127.0.0.1:18380 coap+tcp://127.0.0.1:15883 "$secret" \
    http://127.0.0.1:18381 "$signing" "$daemon" "$receiver" "$devices" "$burst" "$rate" "$seconds" | tee "$work/load.log" | phases notifications
result=$(grep '^RESULT' "$work/load.log")
read -r _ rate_ours p50 p99 rate_echo e50 e99 bad <<<"$result"
echo
printf '%-28s %14s %14s %14s\n' "" "verified/s" "p50 ms" "p99 ms"
printf '%-28s %14s %14s %14s\n' "daemon (device -> receiver)" "$rate_ours" "$p50" "$p99"
printf '%-28s %14s %14s %14s\n' "bare HTTP to same receiver" "$rate_echo" "$e50" "$e99"
echo "bad signatures: $bad"
echo "targets: >= 5000 verified notifications/s, p99 <= 20 ms at 1000/s"
if awk -v r="$rate_echo" 'BEGIN {exit !(r >= 15000)}'; then
  echo "bench: the bare path reaches >= 15000/s (3x the goal): the daemon's figure is the daemon's"
else
  echo "bench: the bare path is below 15000/s (3x the goal): the figures above are partly the bench's"
fi
rm -rf "$work"
