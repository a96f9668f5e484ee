#!/usr/bin/env bash
# Notification benchmark: simulated devices change a temperature; the daemon observes it, stores it, and notifies one
# resource-level subscription per device; a receiver in the load process verifies every signature. Prints verified
# notifications per second (a burst) and device change -> receiver latency p50/p99 at a steady rate, next to a bare
# HTTP client driving the same receiver in the same run.
#   bench/notifications.sh [DEVICES] [BURST] [RATE] [SECONDS]     (defaults 50 20000 1000 10)
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-50}; burst=${2:-20000}; rate=${3:-1000}; seconds=${4:-10}
heap=${BENCH_XMX:-512m}
out=$PWD/bench/out
mkdir -p "$out"
. bench/profile.sh
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
app=$PWD/target/quarkus-app
secret=bench-admin-secret-$RANDOM$RANDOM
work=$(mktemp -d "$out/notifications.XXXXXX")
(cd "$work" && exec java -Xmx"$heap" $(daemon_opts notifications) -Dquarkus.http.port=18380 -Dbridge.coap.tcp-port=15883 -Dbridge.coap.tls-port=15884 \
    -Dbridge.outbound.allowed-networks=127.0.0.0/8 -Dbridge.identity.admin-secret="$secret" -Dquarkus.log.level=WARN -jar "$app/quarkus-run.jar" >"$work/daemon.log" 2>&1) &
daemon=$!
trap 'kill $daemon 2>/dev/null || true; wait $daemon 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -fs -o /dev/null http://127.0.0.1:18380/q/health/ready && break; sleep 0.1; done
java -Xmx1g -cp "$app/app/*:$app/lib/main/*:$app/lib/boot/*" org.ocfcloudbridge.simulator.NotificationLoad \
    http://127.0.0.1:18380 coap+tcp://127.0.0.1:15883 "$secret" "$devices" "$burst" "$rate" "$seconds" | tee "$work/load.log" | phases notifications
result=$(grep '^RESULT' "$work/load.log")
read -r _ rate_ours p50 p99 rate_echo e50 e99 bad <<<"$result"
echo
printf '%-28s %14s %14s %14s\n' "" "verified/s" "p50 ms" "p99 ms"
printf '%-28s %14s %14s %14s\n' "daemon (device -> receiver)" "$rate_ours" "$p50" "$p99"
printf '%-28s %14s %14s %14s\n' "bare HTTP to same receiver" "$rate_echo" "$e50" "$e99"
echo "bad signatures: $bad"
echo "targets: >= 5000 verified notifications/s, p99 <= 20 ms at 1000/s"
rm -rf "$work"
