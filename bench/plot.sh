#!/usr/bin/env bash
# Latency against rate, for the README: runs bench/origin.sh once per rate (proxy reads through both roles, and device
# change -> vendor webhook, each at that rate) and draws p50 and p99 of both against the rate with gnuplot.
#   bench/plot.sh [RATES] [SECONDS] [EVENT_DEVICES]      (defaults "100 200 400 800" 10 20)
# Writes bench/plots/latency-vs-rate.{dat,png}. Run it alone (under /tmp/bridge-build.lock on a shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."
rates=${1:-100 200 400 800}; seconds=${2:-10}; devices=${3:-20}
command -v gnuplot >/dev/null || { echo "bench/plot.sh needs gnuplot (Debian package gnuplot-nox)" >&2; exit 1; }
mkdir -p bench/plots
dat=bench/plots/latency-vs-rate.dat
echo "# rate proxy_p50 proxy_p99 event_p50 event_p99 (ms); $(date -u +%F) $(git rev-parse --short HEAD 2>/dev/null || echo '?'), H2, $(nproc) cores" >"$dat"
for r in $rates; do
  line=$(bash bench/origin.sh "$r" "$seconds" "$r" "$devices" | grep '^RESULT' | tail -1)
  # RESULT p50 p99 h50 h99 c50 c99 e50 e99 ...
  read -r _ p50 p99 _ _ _ _ e50 e99 _ <<<"$line"
  echo "$r $p50 $p99 $e50 $e99" | tee -a "$dat"
done
gnuplot <<GP
set terminal pngcairo size 900,500 font ",10"
set output "bench/plots/latency-vs-rate.png"
set title "OCF Cloud Bridge, one instance (H2, $(nproc) cores): latency against rate"
set xlabel "requests or device changes per second"
set ylabel "latency, ms (log scale)"
set logscale y
set grid
set key top left
plot "$dat" using 1:2 with linespoints title "proxy GET p50", \
     "$dat" using 1:3 with linespoints title "proxy GET p99", \
     "$dat" using 1:4 with linespoints title "device change -> webhook p50", \
     "$dat" using 1:5 with linespoints title "device change -> webhook p99"
GP
echo "wrote bench/plots/latency-vs-rate.png"
