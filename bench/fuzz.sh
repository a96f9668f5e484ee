#!/usr/bin/env bash
# Fuzz benchmark: the fuzz tests (src/test/java/org/ocfcloudbridge/fuzz) with more cases per entry point, against the
# test daemon they start (in-process @QuarkusTest: real sockets, the real database, the log watched). Prints cases per
# second and failing cases per entry point; a failing case is a bug (the test's report names the first five).
#   bench/fuzz.sh [CASES] [SEED]     (defaults 100000, a new seed each run; replay a run with its printed seed)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-100000}
seed=${2:-$RANDOM$RANDOM}
out=$PWD/bench/out
mkdir -p "$out" target
rm -f target/fuzz-results.txt
status=0
flock /tmp/bridge-build.lock ./mvnw -B -o -q test -Dtest='CoapGatewayFuzzTest,HttpEntryPointsFuzzTest' \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.cases="$cases" -Dfuzz.seed="$seed" >"$out/fuzz.log" 2>&1 || status=$?
echo
printf '%-24s %10s %10s %10s %10s %10s\n' "entry point" "cases" "cases/s" "accepted" "closed" "failures"
while read -r _ entry rest; do
    declare -A f=()
    for kv in $rest; do f[${kv%%=*}]=${kv#*=}; done
    printf '%-24s %10s %10s %10s %10s %10s\n' "$entry" "${f[cases]}" "${f[per_second]}" "${f[accepted]}" "${f[closed]}" "${f[failures]}"
done < <(grep '^FUZZ' target/fuzz-results.txt 2>/dev/null || true)
echo "seed: $seed   (full output: $out/fuzz.log; failing cases: target/surefire-reports/org.ocfcloudbridge.fuzz.*.txt)"
echo "replay one failing case by its id: ./mvnw -o test -Dtest=<class>#<method> -Dfuzz.seed=$seed -Dfuzz.only=<id, e.g. w1#517>"
exit $status
