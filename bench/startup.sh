#!/usr/bin/env bash
# Start-up to ready, and idle memory, of the daemon on its embedded defaults against a bare Quarkus application
# (bench/baseline: quarkus-rest and one endpoint), both measured in this run on this machine.
#   bench/startup.sh [RUNS]      (default 5; builds what is missing; the heap is fixed so RSS figures compare)
# "ready" is the first HTTP 200 from /q/health/ready (daemon) or /hello (baseline), timed from process spawn.
# With BENCH_JFR=1 (bench/profile.sh) each daemon run is recorded (bench/out/startup-I.jfr) and its log, with the
# start-up timestamps, kept as bench/out/startup-I.log; the recording itself slows start-up (14.2 s against 10.9 s
# here on 2026-12-03), so read its shares, not its seconds.
# With BENCH_CDS=1 the daemon starts with the AppCDS archive bin/bridge uses (target/quarkus-app/app-cds.jsa, made by
# bin/cds-archive when missing or older than the build); BENCH_DAEMON_OPTS="-XX:+UseSerialGC -Xms32m" adds
# bin/bridge's default JVM options (the heap stays fixed by -Xmx so RSS figures compare).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
heap=${BENCH_XMX:-256m}
out=bench/out
mkdir -p "$out"
. bench/profile.sh

[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
[ -f bench/baseline/target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q -f bench/baseline/pom.xml package

now_ms() { date +%s%3N; }

# one_run NAME JAR URL PORT [JVM_OPTS [LOG_COPY]] -> prints "ready_ms rss_kb"
one_run() {
  local name=$1 jar=$2 path=$3 port=$4 opts=${5:-} keep=${6:-} work
  work=$(mktemp -d "$PWD/$out/$name.XXXXXX")
  local t0; t0=$(now_ms)
  (cd "$work" && exec java -Xmx"$heap" $opts -Dquarkus.http.port="$port" -jar "$jar" >"$work/log" 2>&1) &
  local pid=$!
  local ready=""
  for _ in $(seq 1 3000); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port$path"; then ready=$(( $(now_ms) - t0 )); break; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.01
  done
  sleep 3
  local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -z "$keep" ] || cp "$work/log" "$keep"
  rm -rf "$work"
  [ -n "$ready" ] || { echo "$name never became ready" >&2; exit 1; }
  echo "$ready $rss"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

daemon_jar=$(pwd)/target/quarkus-app/quarkus-run.jar
cds_opts=""
if [ "${BENCH_CDS:-0}" = 1 ]; then
  cds=$(pwd)/target/quarkus-app/app-cds.jsa
  if [ ! -f "$cds" ] || [ "$daemon_jar" -nt "$cds" ]; then
    bin/cds-archive "$daemon_jar" "$cds" ${BENCH_DAEMON_OPTS:-} || { echo "no class archive could be made" >&2; exit 1; }
  fi
  cds_opts="-XX:SharedArchiveFile=$cds -Xlog:cds=off -Xlog:cds+dynamic=off"
fi
base_jar=$(pwd)/bench/baseline/target/quarkus-app/quarkus-run.jar
: >"$out/daemon.txt"; : >"$out/baseline.txt"
for i in $(seq 1 "$runs"); do
  one_run baseline "$base_jar" /hello 18181 >>"$out/baseline.txt"
  keep=""; profiling && keep="$out/startup-$i.log"
  one_run daemon "$daemon_jar" /q/health/ready 18182 "$cds_opts $(daemon_opts "startup-$i")" "$keep" >>"$out/daemon.txt"
done

b_ready=$(awk '{print $1}' "$out/baseline.txt" | median); b_rss=$(awk '{print $2}' "$out/baseline.txt" | median)
d_ready=$(awk '{print $1}' "$out/daemon.txt" | median); d_rss=$(awk '{print $2}' "$out/daemon.txt" | median)
echo "runs: $runs each, -Xmx$heap, $(nproc) cores, medians; daemon options: ${cds_opts:+AppCDS }${BENCH_DAEMON_OPTS:-none}"
printf '%-26s %10s %10s\n' "" "ready ms" "RSS MB"
printf '%-26s %10s %10.0f\n' "bare Quarkus (baseline)" "$b_ready" "$(echo "$b_rss / 1024" | bc -l)"
printf '%-26s %10s %10.0f\n' "OCF Cloud Bridge (H2)" "$d_ready" "$(echo "$d_rss / 1024" | bc -l)"
printf '%-26s %10.2f %10.2f\n' "ratio daemon / baseline" "$(echo "$d_ready / $b_ready" | bc -l)" "$(echo "$d_rss / $b_rss" | bc -l)"
echo "targets: ready <= 1500 ms, RSS <= 150 MB"
