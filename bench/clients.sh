# The bench scripts' build step (sourced by them, not run): the daemon's jar when there is none, and the load clients
# of bench/java, which are not part of the product jar, compiled against it into target/bench-classes whenever a
# source or the jar is newer than the last compile. Sets app (the daemon's quarkus-app) and bench_cp (the load clients'
# class path: their classes, the daemon's jar for the simulator and the signing code, and its libraries).
#   start_receiver KIND PORT SECRET LOG   starts the bench receiver (bench/java/.../Receiver.java) in its own process,
#                                         sets receiver (its pid) and waits until it listens
#   locked_build MAVEN_ARGS...            ./mvnw -B -q MAVEN_ARGS, under the shared build lock when there is flock

# A build waits for the others' on a shared machine (/tmp/bridge-build.lock, as every build there); not when this bench
# already runs under that lock (`flock /tmp/bridge-build.lock bench/….sh`, as the README suggests): it would wait for
# itself forever.
locked_build() {
  if command -v flock >/dev/null && ! under_build_lock; then
    flock /tmp/bridge-build.lock ./mvnw -B -q "$@"
  else
    ./mvnw -B -q "$@"
  fi
}

# true when a process above this one is `flock /tmp/bridge-build.lock …`
under_build_lock() {
  local p=$$
  while [ -n "$p" ] && [ "$p" -gt 1 ]; do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q '^flock .*/tmp/bridge-build\.lock' && return 0
    p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
  done
  return 1
}

[ -f target/quarkus-app/quarkus-run.jar ] || locked_build package -DskipTests
# BENCH_APP: another build to measure (a copy of target/quarkus-app made before a change), for before/after in one sitting
app=${BENCH_APP:-$PWD/target/quarkus-app}
bench_classes=$PWD/target/bench-classes
if [ ! -f "$bench_classes/.built" ] || [ -n "$(find bench/java "$app/app" -newer "$bench_classes/.built" -type f | head -1)" ]; then
  rm -rf "$bench_classes"
  mkdir -p "$bench_classes"
  javac -nowarn -d "$bench_classes" -cp "$app/app/*:$app/lib/main/*:$app/lib/boot/*" $(find bench/java -name '*.java')
  touch "$bench_classes/.built"
fi
bench_cp="$bench_classes:$app/app/*:$app/lib/main/*:$app/lib/boot/*"

start_receiver() {
  java -Xmx256m -XX:+UseParallelGC -cp "$bench_cp" org.ocfcloudbridge.bench.Receiver "$1" "$2" "$3" "${BENCH_RECEIVER_LOOPS:-2}" >"$4" 2>&1 &
  receiver=$!
  for _ in $(seq 1 300); do
    grep -q '^READY' "$4" && return 0
    kill -0 "$receiver" 2>/dev/null || break
    sleep 0.1
  done
  echo "the bench receiver did not start; see $4" >&2
  cat "$4" >&2
  return 1
}
