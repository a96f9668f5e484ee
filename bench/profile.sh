# Opt-in profiling for the bench scripts (sourced by them, not run).
#   BENCH_JFR=1            record the daemon with Java Flight Recorder into bench/out/<name>.jfr, written when the daemon
#                          stops (settings=profile: CPU samples every 10-20 ms, allocation samples, monitor waits and parks
#                          over 10 ms, GC pauses, thread counts); also a time-stamped copy of the load log in
#                          bench/out/<name>.phases, to cut the recording into the load's phases
#   BENCH_JFR_SETTINGS=X   another .jfc (default profile)
#   BENCH_DAEMON_OPTS=...  any further JVM options for the daemon, in every script
# Only the daemon is recorded: the figures are about it, and the load client's own costs would blur its profile.
# Recording costs a few per cent of CPU under load and seconds at start-up: a profiled run's figures are not the ones
# to quote, its shares are.

profiling() { [ "${BENCH_JFR:-0}" = 1 ]; }

# resolved now: the daemons are started from their own working directories
profile_out=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/out

# daemon_opts NAME -> the extra JVM options of the daemon whose recording is called NAME
daemon_opts() {
  local opts=${BENCH_DAEMON_OPTS:-}
  if profiling; then
    opts="$opts -XX:StartFlightRecording=name=bench,settings=${BENCH_JFR_SETTINGS:-profile},dumponexit=true,filename=$profile_out/$1.jfr"
  fi
  echo "$opts"
}

# phases NAME: passes stdin through; when profiling, also keeps a copy with a UTC time in front of every line (the
# recording's timestamps are UTC too), so each line of the load log marks the end of a phase in the recording
phases() {
  if profiling; then
    local file=$profile_out/$1.phases
    : >"$file"
    while IFS= read -r line; do printf '%s %s\n' "$(date -u +%H:%M:%S.%3N)" "$line" >>"$file"; printf '%s\n' "$line"; done
  else
    cat
  fi
}
