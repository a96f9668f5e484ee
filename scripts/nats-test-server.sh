#!/usr/bin/env bash
# Starts or stops a throwaway NATS server with JetStream on a loopback port, for the test suite's cluster tests and
# for trying cluster mode by hand. Needs Debian's nats-server package (2.9.10).
#   scripts/nats-test-server.sh start [DIR] [PORT]   -> prints the URL nats://127.0.0.1:PORT
#   scripts/nats-test-server.sh stop  [DIR]
# Its JetStream files, log and pid live in DIR; the monitoring port is PORT+1 (ready when /healthz answers).
set -euo pipefail
cmd=${1:?usage: $0 start|stop [DIR] [PORT]}
dir=${2:-/tmp/ocf-bridge-nats}
port=${3:-54222}
monitor=$((port + 1))
bin=$(command -v nats-server || echo /usr/sbin/nats-server)
[ -x "$bin" ] || { echo "nats-server not found (apt-get install nats-server)" >&2; exit 2; }

stop() {
  if [ -f "$dir/nats.pid" ]; then
    pid=$(cat "$dir/nats.pid")
    if kill "$pid" 2>/dev/null; then
      # Stopped when the process is gone (JetStream flushes its files first): at most 10 s, then killed.
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/nats.pid"
  fi
}

case "$cmd" in
  start)
    stop
    rm -rf "$dir"
    mkdir -p "$dir/jetstream"
    "$bin" -a 127.0.0.1 -p "$port" -m "$monitor" -js -sd "$dir/jetstream" -l "$dir/server.log" -P "$dir/nats.pid" \
      </dev/null >/dev/null 2>&1 &
    server=$!
    # Ready when the monitoring endpoint says so (JetStream included); gone early means it failed (port taken ...).
    for _ in $(seq 1 300); do
      if curl -fsS -o /dev/null "http://127.0.0.1:$monitor/healthz" 2>/dev/null; then
        echo "nats://127.0.0.1:$port"
        exit 0
      fi
      if ! kill -0 "$server" 2>/dev/null; then
        cat "$dir/server.log" >&2 2>/dev/null || true
        echo "nats-server did not start on 127.0.0.1:$port" >&2
        exit 1
      fi
      sleep 0.1
    done
    kill "$server" 2>/dev/null || true
    echo "nats-server did not become healthy on 127.0.0.1:$monitor within 30 s" >&2
    cat "$dir/server.log" >&2 2>/dev/null || true
    exit 1
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: $0 start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
