#!/usr/bin/env bash
# Device gateway benchmark: N devices (default 1000 and 10000) sign up, sign in and publish 5 links each against the
# daemon on its embedded defaults; prints time to all signed in, daemon RSS idle and with N connections, RSS per
# device, and Ping round trips next to a bare Californium CoAP-over-TCP echo measured in the same client run.
#   bench/devices.sh [N ...]          (the daemon and the load client run as separate processes)
# Also prints the daemon's CPU per device over the storm (every thread of it, from /proc: JIT and GC included).
# With BENCH_RECONNECT=1 the daemon is then stopped (SIGTERM) and started again on the same database, and the same N
# devices reconnect at once: sign in with the token they were given (which the new process has not seen) and publish
# their links again, as devices do after a restart; printed as a second line "N reconnect".
# With BENCH_JFR=1 (bench/profile.sh) the daemon is also recorded (bench/out/devices-N.jfr), runs with native memory
# tracking, and its class histogram and native memory summary are written idle and with all N devices signed in
# (bench/out/devices-N.{histo,nmt}-{idle,loaded}.txt; taken after the RSS readings, as the histogram forces a full GC).
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 10000)
heap=${BENCH_XMX:-512m}
out=$PWD/bench/out
mkdir -p "$out"
. bench/profile.sh
. bench/clients.sh
secret=bench-admin-secret-$RANDOM$RANDOM
ulimit -n 20000 2>/dev/null || true

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# snapshot PID NAME STATE: the heap's live classes and the JVM's native memory by area, when profiling
snapshot() {
  profiling || return 0
  jcmd "$1" GC.class_histogram >"$out/$2.histo-$3.txt" 2>&1 || true
  jcmd "$1" VM.native_memory summary >"$out/$2.nmt-$3.txt" 2>&1 || true
}
histo_bytes() { awk '/^Total/ {print $3}' "$out/$1.histo-$2.txt" 2>/dev/null; }

printf '%-8s %10s %16s %10s %10s %10s %14s %14s %10s\n' devices "signin s" "sign-up p99 ms" "idle MB" "loaded MB" "KB/device" "ping p50/p99" "echo p50/p99" "CPU ms/dev"
tick=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# start_daemon WORK NAME: the daemon on its embedded defaults in WORK (its data folder there); sets daemon, waits ready
start_daemon() {
  local opts
  opts=$(daemon_opts "$2")
  profiling && opts="$opts -XX:NativeMemoryTracking=summary"
  (cd "$1" && exec java -Xmx"$heap" $opts -Dquarkus.http.port=18280 -Dbridge.coap.tcp-port=15783 -Dbridge.coap.tls-port=15784 \
      -Dbridge.outbound.allowed-networks=127.0.0.0/8 -Dbridge.identity.admin-secret="$secret" -Dquarkus.log.level=WARN -jar "$app/quarkus-run.jar" >>"$1/daemon.log" 2>&1) &
  daemon=$!
  for _ in $(seq 1 600); do curl -fs -o /dev/null http://127.0.0.1:18280/q/health/ready && break; sleep 0.1; done
  sleep 2
}

# storm WORK N LABEL LOAD_ARGS...: runs the load client; sets result (its RESULT line), cpu_ms (daemon CPU per device
# from the clock's start to the result), loaded (RSS MB with the N connections held)
storm() {
  local work=$1 n=$2 label=$3
  shift 3
  java -Xmx1g -cp "$bench_cp" org.ocfcloudbridge.bench.LoadDevices \
      127.0.0.1 15783 "$n" http://127.0.0.1:18280 "$secret" 256 --hold "$@" >"$work/load-$label.log" 2>&1 &
  load=$!
  # The clock starts once the device codes are fetched (their admin API calls are set-up, not the storm).
  for _ in $(seq 1 6000); do grep -qE 'device codes from|reconnect with their saved' "$work/load-$label.log" && break; kill -0 "$load" 2>/dev/null || break; sleep 0.1; done
  local t0
  t0=$(cpu_ticks "$daemon")
  for _ in $(seq 1 6000); do grep -q '^RESULT' "$work/load-$label.log" && break; kill -0 "$load" 2>/dev/null || break; sleep 0.1; done
  cpu_ms=$(awk -v a="$(cpu_ticks "$daemon")" -v b="$t0" -v t="$tick" -v n="$n" 'BEGIN {printf "%.2f", (a-b)/t*1000/n}')
  sleep 2
  loaded=$(rss_mb "$daemon")
  result=$(grep '^RESULT' "$work/load-$label.log" || true)
}

for n in "${counts[@]}"; do
  work=$(mktemp -d "$out/devices.XXXXXX")
  start_daemon "$work" "devices-$n"
  idle=$(rss_mb "$daemon")
  snapshot "$daemon" "devices-$n" idle
  save=()
  [ "${BENCH_RECONNECT:-0}" = 1 ] && save=(--save "$work/tokens.txt")
  storm "$work" "$n" signup "${save[@]}"
  snapshot "$daemon" "devices-$n" loaded
  kill "$load" 2>/dev/null || true; wait "$load" 2>/dev/null || true
  kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true
  if [ -z "$result" ]; then
    echo "n=$n: the load client did not finish; see $work/load-signup.log and $work/daemon.log" >&2
    tail -5 "$work/load-signup.log" >&2
    continue
  fi
  read -r _ done failed secs p50 p99 b50 b99 up99 late <<<"$result"
  per=$(awk -v a="$loaded" -v b="$idle" -v n="$n" 'BEGIN {printf "%.1f", (a-b)*1024/n}')
  printf '%-8s %10s %16s %10s %10s %10s %14s %14s %10s\n' "$n${failed/#0/}" "$secs" "$up99" "$idle" "$loaded" "$per" "$p50/$p99 us" "$b50/$b99 us" "$cpu_ms"
  grep -E 'round trip: p50|after the 2 s deadline' "$work/load-signup.log" | sed 's/^/  /'
  [ "$failed" = 0 ] || echo "  ($failed devices failed; see $work/load-signup.log)"
  if profiling; then
    hi=$(histo_bytes "devices-$n" idle); hl=$(histo_bytes "devices-$n" loaded)
    [ -z "$hi" ] || [ -z "$hl" ] || awk -v a="$hl" -v b="$hi" -v n="$n" \
        'BEGIN {printf "  live heap after full GC: %.0f MB idle, %.0f MB loaded, %.1f KB per device\n", b/1048576, a/1048576, (a-b)/1024/n}'
    cp "$work/load-signup.log" "$out/devices-$n.load.log"
  fi
  if [ "${BENCH_RECONNECT:-0}" = 1 ] && [ -s "$work/tokens.txt" ]; then
    start_daemon "$work" "devices-$n-reconnect"
    idle2=$(rss_mb "$daemon")
    storm "$work" "$n" reconnect --reconnect "$work/tokens.txt"
    kill "$load" 2>/dev/null || true; wait "$load" 2>/dev/null || true
    kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true
    if [ -z "$result" ]; then
      echo "n=$n reconnect: the load client did not finish; see $work/load-reconnect.log" >&2
      failed=1
    else
      read -r _ done failed2 secs p50 p99 b50 b99 _ _ <<<"$result"
      printf '%-8s %10s %16s %10s %10s %10s %14s %14s %10s\n' "$n reconnect" "$secs" "-" "$idle2" "$loaded" "-" "$p50/$p99 us" "$b50/$b99 us" "$cpu_ms"
      grep -E 'sign-in +round trip|publish +round trip' "$work/load-reconnect.log" | sed 's/^/  /'
      [ "$failed2" = 0 ] || { echo "  ($failed2 devices failed to reconnect; see $work/load-reconnect.log)"; failed=$failed2; }
    fi
  fi
  # Kept when devices failed: the line above points at its logs.
  [ "$failed" != 0 ] || rm -rf "$work"
done
echo "targets: 10000 devices with 5 links signed in within 10 s, daemon RSS <= 200 MB (-Xmx$heap)"
