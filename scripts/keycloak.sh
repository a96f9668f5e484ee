#!/usr/bin/env bash
# Fetches, starts and stops a throwaway Keycloak (start-dev, H2 database under data/) on 127.0.0.1 for the OIDC
# integration tests. Every start wipes Keycloak's data/ and imports the realm file(s) from src/test/resources/keycloak/
# afresh, so each run begins with a clean realm. The distribution comes from Maven Central (via ./mvnw) into
# ${KEYCLOAK_CACHE:-$HOME/.cache/ocf-bridge/keycloak}, once; the server log and pid file live there too.
# Master realm admin: admin / admin.
#   scripts/keycloak.sh start [PORT]   -> prints the issuer URL http://127.0.0.1:PORT/realms/ocf (management: PORT+1)
#   scripts/keycloak.sh stop
set -euo pipefail
version=26.7.3
cmd=${1:?usage: $0 start [PORT] | stop}
port=${2:-18180}
realm=${KEYCLOAK_REALM:-ocf}
cache=${KEYCLOAK_CACHE:-$HOME/.cache/ocf-bridge/keycloak}
home=$cache/keycloak-$version
zip=$cache/keycloak-quarkus-dist-$version.zip
pidfile=$cache/keycloak.pid
log=$cache/keycloak.log
root=$(cd "$(dirname "$0")/.." && pwd)
realm_src=$root/src/test/resources/keycloak
timeout=180

# True if the pid in the pid file is alive and is our Keycloak (guards against a recycled pid).
running() {
  local pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ps -o args= -p "$pid" 2>/dev/null | grep -qF "$home"
}

stop_keycloak() {
  local pid i
  if running; then
    pid=$(cat "$pidfile")
    # The server was started with setsid, so its pid is also its process group: kc.sh and the JVM stop together.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  rm -f "$pidfile"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

fetch() {
  [ -x "$home/bin/kc.sh" ] && return 0
  mkdir -p "$cache"
  if [ ! -s "$zip" ]; then
    echo "Downloading Keycloak $version (about 177 MB) into $cache" >&2
    # The project's Maven wrapper: the one Maven a fresh machine is sure to have.
    "$root/mvnw" -q -B dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$version:zip" \
      -DoutputDirectory="$cache" >&2
  fi
  local tmp=$cache/unzip.$$
  rm -rf "$tmp"
  unzip -q "$zip" -d "$tmp"
  mv "$tmp/keycloak-$version" "$home"
  rm -rf "$tmp"
}

case "$cmd" in
  start)
    [[ $port =~ ^[0-9]+$ ]] || { echo "bad port: $port" >&2; exit 2; }
    mport=$((port + 1))
    ls "$realm_src"/*.json >/dev/null 2>&1 || { echo "no realm files in $realm_src" >&2; exit 2; }
    stop_keycloak
    for p in "$port" "$mport"; do
      if port_busy "$p"; then echo "port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
    done
    fetch
    # Keycloak is a Quarkus application too: a QUARKUS_* variable meant for the bridge (say its PostgreSQL URL) would
    # configure Keycloak's own database instead.
    for v in $(env | grep -o '^QUARKUS_[A-Za-z0-9_]*' || true); do unset "$v"; done
    # Clean realm every start: drop the dev-mode H2 database and everything else under data/.
    rm -rf "$home/data"
    mkdir -p "$home/data/import"
    cp "$realm_src"/*.json "$home/data/import/"
    issuer="http://127.0.0.1:$port/realms/$realm"
    (
      cd "$home"
      KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
        exec setsid "$home/bin/kc.sh" start-dev --import-realm \
          --http-host=127.0.0.1 --http-port="$port" --http-management-port="$mport" \
          --hostname="http://127.0.0.1:$port" --health-enabled=true
    ) </dev/null >"$log" 2>&1 &
    echo $! >"$pidfile"
    deadline=$((SECONDS + timeout))
    until curl -fsS -o /dev/null --max-time 5 "$issuer/.well-known/openid-configuration" 2>/dev/null; do
      if ! running; then
        echo "Keycloak exited during startup; last lines of $log:" >&2
        tail -n 60 "$log" >&2
        rm -f "$pidfile"
        exit 1
      fi
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "Keycloak did not answer $issuer within ${timeout}s; last lines of $log:" >&2
        tail -n 60 "$log" >&2
        stop_keycloak
        exit 1
      fi
      sleep 1
    done
    echo "$issuer"
    ;;
  stop)
    stop_keycloak
    ;;
  *)
    echo "usage: $0 start [PORT] | stop" >&2; exit 2 ;;
esac
