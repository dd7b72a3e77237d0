#!/usr/bin/env bash
# The run command: installs what is missing, builds, starts a local Redis (AOF, free loopback
# port) and runs wisseld with the example configuration of Gemeente Wisseloord.
# Stop with Ctrl-C: wisseld drains, then Redis is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${WISSEL_BUILD_DIR:-$ROOT/build}
STATE=${WISSEL_STATE_DIR:-$ROOT/.run}

scripts/install-deps.sh
# ccache keys on paths relative to the checkout, so a clone in another folder reuses the cache.
export CCACHE_BASEDIR="$ROOT"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWISSEL_BUILD_TESTS=OFF \
  -DWISSEL_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$BUILD" -j2 --target wisseld wisselctl

mkdir -p "$STATE/redis"
# A development CA and certificates (the example configuration reads them from .run/tls; wisselctl
# finds them there without flags).
scripts/dev-certs.sh "$ROOT/.run/tls"
# Development secrets for the example tenants, kept so pseudonyms stay stable across runs.
# In production the secrets come from the environment (see config/example/wissel.yaml).
for tenant in WISSELOORD SPOORWIJK; do
  var="WISSEL_PSEUDONYM_SECRET_${tenant}"
  if [[ -z "${!var:-}" ]]; then
    file="$STATE/secret-${tenant,,}"
    [[ -s "$file" ]] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file")
    export "$var=$(cat "$file")"
  fi
done

REDIS_PORT=${WISSEL_REDIS_PORT:-$(scripts/free-port.sh)}
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$STATE/redis" \
  --appendonly yes --appendfsync everysec --save "" --daemonize no \
  --logfile "$STATE/redis/redis.log" &
REDIS_PID=$!
trap 'kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/${REDIS_PORT}") 2>/dev/null && break
  sleep 0.1
done

LISTEN=${WISSEL_LISTEN:-127.0.0.1:7450}
cat <<MSG
Redis (AOF everysec) on 127.0.0.1:${REDIS_PORT}, pid ${REDIS_PID}, data in ${STATE}/redis
Starting wisseld on ${LISTEN} (TLS, certificates in .run/tls) with config/example/wissel.yaml.
In a second terminal, a demo handler from the roster that accepts whatever it is offered:

  $BUILD/router/cli/wisselctl --router=${LISTEN} handler demo \\
      --tenant=gemeente-wisseloord --id=mw-0101

In a third, a web form (no opening hours: the demo handler gets it), then a phone call that
"digitaal, tenzij" steers to the digital alternative, then what is waiting (README: First steps):

  $BUILD/router/cli/wisselctl --router=${LISTEN} route \\
      --tenant=gemeente-wisseloord --channel=web_form --topic=huwelijk --bsn=111222333
  $BUILD/router/cli/wisselctl --router=${LISTEN} route \\
      --tenant=gemeente-wisseloord --channel=phone --topic=paspoort --bsn=111222333
  $BUILD/router/cli/wisselctl --router=${LISTEN} queues --tenant=gemeente-wisseloord

MSG
"$BUILD/router/daemon/wisseld" --config=config/example/wissel.yaml --listen="$LISTEN" \
  --redis_port="$REDIS_PORT" "$@"
