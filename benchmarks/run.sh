#!/usr/bin/env bash
# The end-to-end benchmark of issue #6: wisseld against the "one gRPC call + one Redis round
# trip" floor (wissel-floor) and the gRPC no-op server (wissel-floor --noop), all driven by
# wissel-load on this machine, against a real redis-server (AOF on, appendfsync everysec).
#
#   benchmarks/run.sh [compare]  RouteContact only (no handlers) at concurrency 1, 16 and 64
#                                against noop, floor, the record floor (the floor's design
#                                writing the router's own contact record) and wisseld; prints
#                                the table and the Redis commands and round trips per call
#   benchmarks/run.sh security   RouteContact at c=16 and 64 without TLS and access control,
#                                against the same with TLS and a bearer token (issue 14), and
#                                the CPU per call of wisseld and wissel-load; with
#                                BENCH_SECURITY_SPLIT=1 also TLS alone (anonymous callers)
#   benchmarks/run.sh metrics    RouteContact at c=64 with wisseld's Prometheus endpoint off
#                                against on (HTTPS, a token, scraped every second during the
#                                run), alternating (issue 15); the ratio of the medians and the
#                                CPU per call of wisseld
#   benchmarks/run.sh handlers   wisseld with simulated handlers: contact-to-offer latency
#   benchmarks/run.sh memory     100 000 handlers signed in (away) + 100 000 queued contacts:
#                                wisseld RSS and Redis bytes per queued contact
#   benchmarks/run.sh soak       10 minutes open loop at half the measured maximum (with
#                                handlers), wisseld RSS every 10 s (contact retention
#                                SOAK_RETENTION, default 2m, so Redis reaches a steady state)
#   benchmarks/run.sh wait       one replica attached: asynchronous replication against WAIT
#                                mode (redis.min_replica_acks: 1), the cost of the stricter mode
#   benchmarks/run.sh cpu        where the machine's CPU goes: per RouteContact, the CPU time
#                                of the server, of Redis and of wissel-load, and the machine's
#                                idle share, for noop, floor, record floor and wisseld (no
#                                warm-up, so every call is counted; BENCH_CONCURRENCY defaults
#                                to "16 64" here)
#   benchmarks/run.sh baseline   RouteContact at c=16 and 64 with the wisseld of another build
#                                (BENCH_BASELINE_BUILD_DIR, e.g. the commit before a change,
#                                built by this script's rules into another folder) against this
#                                build's, alternating BASELINE_ROUNDS [3] times: throughput ratio,
#                                CPU per call of wisseld, and AOF bytes per contact
#   benchmarks/run.sh handover   two wisselds on one Redis: the deciding one drains (SIGTERM)
#                                at a random point of the other's lease round; how many calls
#                                the survivor refuses, and how long until it serves one
#                                (wisselctl queues back to back; BENCH_HANDOVER_ROUNDS [5])
#
# Environment (defaults in brackets): BENCH_DURATION [10s], BENCH_WARMUP [2s],
# BENCH_CONCURRENCY ["1 16 64"], BENCH_CHANNELS [4], BENCH_HANDLERS [1000],
# BENCH_HANDLERS_RATE [1000], BENCH_HANDLE_TIME [50ms], BENCH_MEMORY_N [100000],
# SOAK_DURATION [10m], SOAK_RATE [half the measured max], SOAK_HANDLERS [1000],
# SECURITY_ROUNDS [3], BENCH_SECURITY_CONCURRENCY ["16 64"], BENCH_SECURITY_SPLIT [0],
# METRICS_ROUNDS [3], BENCH_METRICS_CONCURRENCY ["64"], BENCH_METRICS_SCRAPE_INTERVAL [1],
# BENCH_REDIS_ARGS [none: more redis-server options],
# WISSEL_BENCH_BUILD_DIR [build-bench], BENCH_KEEP=1 keeps the logs in the state folder.
#
# Every process this script starts is stopped by its PID on exit. Every phase starts from an
# empty Redis and a fresh wisseld: without handlers every routed contact stays queued, so the
# queues grow during a run (fine for a few seconds; the memory phase measures exactly that).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PHASE=${1:-compare}
BUILD=${WISSEL_BENCH_BUILD_DIR:-$ROOT/build-bench}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
CONCURRENCY=${BENCH_CONCURRENCY:-"1 16 64"}
CHANNELS=${BENCH_CHANNELS:-4}
CONFIG=$ROOT/benchmarks/load/bench.yaml
STATE=$(mktemp -d "${TMPDIR:-/tmp}/wissel-bench.XXXXXX")

PIDS=()
cleanup() {
  local pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[i]}
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then echo "logs kept in $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT

# Stops one process started here, by PID, and forgets it.
stop_pid() {
  local pid=$1 keep=() p
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do [[ "$p" == "$pid" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

build() {
  # ccache keys on paths relative to the checkout, so other checkouts share the cache.
  export CCACHE_BASEDIR="$ROOT"
  if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWISSEL_BUILD_TESTS=OFF \
      -DWISSEL_BUILD_BENCHMARKS=ON >/dev/null
  fi
  cmake --build "$BUILD" -j2 --target wisseld wissel-floor wissel-load wisselctl >/dev/null
}

# Waits until "listening on port" appears in log $1; prints the port.
wait_listening() {
  local log=$1 pid=$2
  for _ in $(seq 1 300); do
    if grep -q "listening on port" "$log" 2>/dev/null; then
      sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$log" | head -1
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "server did not start, see $log:" >&2
  tail -5 "$log" >&2
  return 1
}

REDIS_PORT=
REDIS_PID=
start_redis() {
  REDIS_PORT=$(scripts/free-port.sh)
  mkdir -p "$STATE/redis"
  # BENCH_REDIS_ARGS: more redis-server options, e.g. "--auto-aof-rewrite-percentage 0".
  # shellcheck disable=SC2086
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$STATE/redis" \
    --appendonly yes --appendfsync everysec --save "" --daemonize no \
    --logfile "$STATE/redis/redis.log" ${BENCH_REDIS_ARGS:-} &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 1 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server did not start" >&2
  return 1
}
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
# Empties Redis and rewrites its append-only file, so that every measured run starts with the
# same small file: otherwise what the previous run wrote brings Redis's next automatic rewrite
# (a fork, and stalls) into the next run.
empty_redis() {
  rcli flushall >/dev/null
  rcli bgrewriteaof >/dev/null
  for _ in $(seq 1 100); do
    [[ "$(info_field persistence aof_rewrite_in_progress)" == 0 &&
      "$(info_field persistence aof_rewrite_scheduled)" == 0 ]] && return 0
    sleep 0.1
  done
}

# Copies the benchmark configurations into the state folder, so that a variant written there
# sits next to the files it names (handlers_file is relative to the configuration).
stage_configs() { cp "$(dirname "$CONFIG")"/*.yaml "$STATE/"; }

# A throw-away pseudonym secret: benchmark contacts are random and deleted afterwards.
export WISSEL_PSEUDONYM_SECRET_WISSELOORD
WISSEL_PSEUDONYM_SECRET_WISSELOORD=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

WISSELD_PID=
WISSELD_PORT=
# Starts a wisseld logging to $1; sets STARTED_PID and STARTED_PORT.
start_replica() {
  local log=$1
  LD_PRELOAD=${BENCH_WISSELD_PRELOAD:-} "${WISSELD_BIN:-$BUILD/router/daemon/wisseld}" --config="$CONFIG" \
    --listen=127.0.0.1:0 --redis_port="$REDIS_PORT" >"$log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
  STARTED_PORT=$(wait_listening "$log" "$STARTED_PID")
}
start_wisseld() {
  start_replica "$STATE/wisseld.log"
  WISSELD_PID=$STARTED_PID
  WISSELD_PORT=$STARTED_PORT
}
# A fresh wisseld on an empty Redis.
fresh_wisseld() {
  [[ -n "$WISSELD_PID" ]] && stop_pid "$WISSELD_PID"
  WISSELD_PID=
  empty_redis
  start_wisseld
}
stop_wisseld() {
  [[ -n "$WISSELD_PID" ]] && stop_pid "$WISSELD_PID"
  WISSELD_PID=
}

FLOOR_PORT=
FLOOR_PID=
NOOP_PORT=
NOOP_PID=
# The floor's design writing the router's own contact record (wissel-floor --contact_record).
RECORD_PORT=
RECORD_PID=
start_floors() {
  "$BUILD/benchmarks/floor/wissel-floor" --listen=127.0.0.1:0 --redis_port="$REDIS_PORT" \
    >"$STATE/floor.log" 2>&1 &
  FLOOR_PID=$!
  PIDS+=("$FLOOR_PID")
  FLOOR_PORT=$(wait_listening "$STATE/floor.log" "$FLOOR_PID")
  "$BUILD/benchmarks/floor/wissel-floor" --listen=127.0.0.1:0 --noop >"$STATE/noop.log" 2>&1 &
  NOOP_PID=$!
  PIDS+=("$NOOP_PID")
  NOOP_PORT=$(wait_listening "$STATE/noop.log" "$NOOP_PID")
  "$BUILD/benchmarks/floor/wissel-floor" --listen=127.0.0.1:0 --redis_port="$REDIS_PORT" \
    --contact_record >"$STATE/record.log" 2>&1 &
  RECORD_PID=$!
  PIDS+=("$RECORD_PID")
  RECORD_PORT=$(wait_listening "$STATE/record.log" "$RECORD_PID")
}

# Runs wissel-load; its report goes to the terminal, the SUMMARY line into $SUMMARY.
SUMMARY=
load() {
  local out="$STATE/load.out"
  "$BUILD/benchmarks/load/wissel-load" --channels="$CHANNELS" ${LOAD_TLS:---plaintext} "$@" \
    >"$out" 2>"$STATE/load.err" ||
    true
  sed 's/^/    /' "$out"
  SUMMARY=$(grep '^SUMMARY' "$out" | tail -1 || true)
  if [[ -z "$SUMMARY" ]]; then
    echo "wissel-load failed:" >&2
    cat "$STATE/load.err" >&2
    return 1
  fi
}
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
info_field() { rcli info "$1" | tr -d '\r' | sed -n "s/^$2:\([0-9]*\).*/\1/p"; }
cmdstat_calls() {
  rcli info commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\).*/\1/p"
}
# Redis CPU per call of a command (µs, as INFO commandstats reports it): for evalsha, the cost
# of the state scripts inside Redis.
cmdstat_usec_per_call() {
  rcli info commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:.*usec_per_call=\([0-9.]*\).*/\1/p"
}
rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'), AOF on," \
    "appendfsync everysec; duration $DURATION after warm-up $WARMUP; $CHANNELS channels"
}

phase_compare() {
  start_redis
  start_floors
  machine
  local rows=() c noop floor record wissel cmds evals writes total
  for c in $CONCURRENCY; do
    local common=(--concurrency="$c" --warmup="$WARMUP" --duration="$DURATION")
    echo "== concurrency $c: no-op gRPC server"
    load --target=127.0.0.1:$NOOP_PORT --label=noop "${common[@]}"
    noop=$SUMMARY
    echo "== concurrency $c: floor (one EVALSHA per call)"
    empty_redis
    load --target=127.0.0.1:$FLOOR_PORT --label=floor "${common[@]}"
    floor=$SUMMARY
    echo "== concurrency $c: record floor (the router's contact record, one round trip per call)"
    empty_redis
    load --target=127.0.0.1:$RECORD_PORT --label=record "${common[@]}"
    record=$SUMMARY
    echo "== concurrency $c: wisseld (fresh state)"
    fresh_wisseld
    rcli config resetstat >/dev/null
    load --target=127.0.0.1:$WISSELD_PORT --label=wissel "${common[@]}"
    wissel=$SUMMARY
    # Every Redis command and every write to a client (one per reply batch, so about one per
    # round trip) since the reset, over every successful RouteContact of the run.
    total=$(field "$wissel" total_ok)
    cmds=$(info_field stats total_commands_processed)
    writes=$(info_field stats total_writes_processed)
    evals=$(cmdstat_calls evalsha)
    echo "    Redis per RouteContact: $(ratio "$cmds" "$total") commands" \
      "($(ratio "${evals:-0}" "$total") EVALSHA), $(ratio "$writes" "$total") round trips" \
      "(total_writes_processed $writes over $total calls);" \
      "EVALSHA $(cmdstat_usec_per_call evalsha) µs of Redis CPU per call"
    echo "    wisseld RSS $(rss_kib "$WISSELD_PID") KiB"
    stop_wisseld
    rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' \
      "$c" "$(field "$wissel" rps)" "$(field "$wissel" p50_us)" "$(field "$wissel" p99_us)" \
      "$(field "$floor" rps)" "$(field "$floor" p50_us)" "$(field "$floor" p99_us)" \
      "$(field "$noop" rps)" "$(field "$record" rps)" \
      "$(ratio "$(field "$wissel" rps)" "$(field "$floor" rps)")" \
      "$(ratio "$(field "$wissel" rps)" "$(field "$noop" rps)")" \
      "$(ratio "$(field "$wissel" p99_us)" "$(field "$floor" p99_us)")" \
      "$(ratio "$writes" "$total")" \
      "$(ratio "$(field "$wissel" rps)" "$(field "$record" rps)")")")
  done
  echo
  echo "RouteContact, routing only (no handlers); latencies in µs; errors: see the reports above"
  echo
  echo "| c | Wissel rps | p50 | p99 | floor rps | p50 | p99 | no-op rps | record floor rps |" \
    "Wissel/floor rps | Wissel/no-op rps | Wissel p99 / floor p99 |" \
    "Redis round trips per call | Wissel/record floor rps |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" \
    "---: |"
  printf '%s\n' "${rows[@]}"
}

# CPU time (user + system) of process $1 in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Idle and total clock ticks of the whole machine.
machine_ticks() { awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

# One closed-loop run against port $2 served by process $3, labelled $1, at concurrency $4;
# prints a table row: rps, then µs of CPU per call of the server, Redis and wissel-load, their
# sum, and the machine's idle share.
cpu_row() {
  local label=$1 port=$2 pid=$3 c=$4 hz server0 redis0 idle0 all0 server1 redis1 idle1 all1
  local times="$STATE/load.times" total
  hz=$(getconf CLK_TCK)
  server0=$(cpu_ticks "$pid")
  redis0=$(cpu_ticks "$REDIS_PID")
  read -r idle0 all0 < <(machine_ticks)
  TIMEFORMAT='%U %S'
  { time load --target=127.0.0.1:"$port" --label="$label" --concurrency="$c" --warmup=0s \
    --duration="$DURATION" >/dev/null; } 2>"$times"
  server1=$(cpu_ticks "$pid")
  redis1=$(cpu_ticks "$REDIS_PID")
  read -r idle1 all1 < <(machine_ticks)
  total=$(field "$SUMMARY" total_ok)
  awk -v label="$label" -v c="$c" -v rps="$(field "$SUMMARY" rps)" -v n="$total" -v hz="$hz" \
    -v s="$((server1 - server0))" -v r="$((redis1 - redis0))" -v i="$((idle1 - idle0))" \
    -v a="$((all1 - all0))" -v t="$(tail -1 "$times")" 'BEGIN {
      split(t, lt, " "); us = 1e6 / hz / n; load = (lt[1] + lt[2]) * 1e6 / n
      printf "| %s | %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.0f %% |\n", c, label, rps, s * us,
        r * us, load, s * us + r * us + load, 100 * i / a }'
}

phase_cpu() {
  start_redis
  start_floors
  machine
  local rows=() c
  for c in ${BENCH_CONCURRENCY:-16 64}; do
    echo "== concurrency $c"
    rows+=("$(cpu_row noop "$NOOP_PORT" "$NOOP_PID" "$c")")
    empty_redis
    rows+=("$(cpu_row floor "$FLOOR_PORT" "$FLOOR_PID" "$c")")
    empty_redis
    rows+=("$(cpu_row record "$RECORD_PORT" "$RECORD_PID" "$c")")
    fresh_wisseld
    rows+=("$(cpu_row wissel "$WISSELD_PORT" "$WISSELD_PID" "$c")")
    stop_wisseld
  done
  echo
  echo "CPU per RouteContact (µs, user + system), no warm-up: every call of the run counted;" \
    "the three processes share the machine's $(nproc) cores"
  echo
  echo "| c | server | rps | server µs | Redis µs | wissel-load µs | sum µs | machine idle |"
  echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
}

phase_handlers() {
  start_redis
  machine
  local handlers=${BENCH_HANDLERS:-1000} rate=${BENCH_HANDLERS_RATE:-1000}
  local handle=${BENCH_HANDLE_TIME:-50ms}
  fresh_wisseld
  echo "== wisseld with $handlers simulated handlers (accept at once, handle $handle)," \
    "open loop at $rate contacts/s"
  load --target=127.0.0.1:$WISSELD_PORT --rate="$rate" --handlers="$handlers" \
    --handle_time="$handle" --warmup="$WARMUP" --duration="$DURATION"
  echo "    wisseld RSS $(rss_kib "$WISSELD_PID") KiB"
  fresh_wisseld
  echo "== the same, closed loop at concurrency 64 (the maximum with handlers)"
  load --target=127.0.0.1:$WISSELD_PORT --concurrency=64 --handlers="$handlers" \
    --handle_time="$handle" --warmup="$WARMUP" --duration="$DURATION"
  stop_wisseld
}

phase_memory() {
  start_redis
  machine
  local n=${BENCH_MEMORY_N:-100000}
  fresh_wisseld
  local rss0 mem0 keys0 rss1 mem1 keys1 rss2 mem2 keys2 queued
  sleep 1
  rss0=$(rss_kib "$WISSELD_PID")
  mem0=$(info_field memory used_memory)
  echo "== $n handlers sign in, presence away (they take no contacts)"
  load --target=127.0.0.1:$WISSELD_PORT --handlers="$n" --presence=away --sign_out=false \
    --contacts=1 --concurrency=1 --duration=600s --sign_in_concurrency=64
  rss1=$(rss_kib "$WISSELD_PID")
  mem1=$(info_field memory used_memory)
  keys1=$(rcli dbsize)
  # Every resident asks for a person ("digitaal, tenzij": then none is steered digital), so that
  # (nearly) all of them queue: the issue's 100 000 queued contacts.
  echo "== $n contacts routed (concurrency 64), every resident asking for a person; they all wait"
  rcli config resetstat >/dev/null
  load --target=127.0.0.1:$WISSELD_PORT --contacts="$n" --concurrency=64 --duration=600s \
    --wants_person_share=1
  local trace_b reasons_b
  trace_b=$(field "$SUMMARY" trace_b)
  reasons_b=$(field "$SUMMARY" reasons_b)
  queued=$(grep -o 'queued=[0-9]*' "$STATE/load.out" | head -1 | cut -d= -f2)
  sleep 1
  rss2=$(rss_kib "$WISSELD_PID")
  mem2=$(info_field memory used_memory)
  keys2=$(rcli dbsize)
  # Nothing is offered, so these are (nearly all) ContactCreated scripts.
  local evals evalsha_us
  evals=$(cmdstat_calls evalsha)
  evalsha_us=$(cmdstat_usec_per_call evalsha)
  echo
  echo "| | wisseld VmRSS | Redis used_memory | Redis keys |"
  echo "| --- | ---: | ---: | ---: |"
  echo "| empty | $((rss0 / 1024)) MiB | $((mem0 / 1024)) KiB | - |"
  echo "| + $n handlers (away) | $((rss1 / 1024)) MiB | $((mem1 / 1024)) KiB | $keys1 |"
  echo "| + $n contacts ($queued queued) | $((rss2 / 1024)) MiB | $((mem2 / 1024)) KiB | $keys2 |"
  echo
  echo "per handler: wisseld $(ratio $(((rss1 - rss0) * 1024)) "$n") B," \
    "Redis $(ratio $((mem1 - mem0)) "$n") B"
  echo "per contact: wisseld $(ratio $(((rss2 - rss1) * 1024)) "$n") B," \
    "Redis $(ratio $((mem2 - mem1)) "$n") B; per queued contact: Redis" \
    "$(ratio $((mem2 - mem1)) "${queued:-0}") B"
  # The contact's record holds its decision, with the explanation: the structured trace and
  # the plain-word reasons (wire bytes, as the replies carried them; stored the same way).
  local per_contact=$(((mem2 - mem1) / n))
  echo "per contact without the decision's explanation: Redis $per_contact B" \
    "- trace ${trace_b:-?} B = $((per_contact - ${trace_b:-0})) B;" \
    "- reasons ${reasons_b:-?} B as well = $((per_contact - ${trace_b:-0} - ${reasons_b:-0})) B"
  echo "Redis CPU while routing them: ${evals:-0} EVALSHA, ${evalsha_us:-?} µs per call"
  # A sample contact hash: its encoding (listpack while every value fits
  # hash-max-listpack-value) and its fields with their lengths.
  local sample
  sample=$( (rcli --scan --pattern 'w:*:c:*[^h]' 2>/dev/null || true) | head -1)
  if [[ -n "$sample" ]]; then
    echo "sample contact hash $sample: $(rcli object encoding "$sample")," \
      "$(rcli memory usage "$sample" samples 0) B, $(rcli hlen "$sample") fields (value bytes):"
    local field
    for field in $(rcli hkeys "$sample"); do
      printf ' %s=%s' "$field" "$(rcli hstrlen "$sample" "$field")"
    done
    echo
  fi
  # What one contact costs in Redis, by kind of key: the average MEMORY USAGE (key, value and
  # overhead) of a sample of each kind, and the tenant-wide keys that hold an entry per contact.
  echo "Redis bytes by kind of key (MEMORY USAGE, average of up to 200 keys each):"
  local kind pattern keys total_bytes count key bytes
  for kind in "contact=w:*:c:*[^h]" "contact history=w:*:c:*:h" "idempotency key=w:*:i:*" \
    "handler=w:*:h:*"; do
    pattern=${kind#*=}
    keys=$( (rcli --scan --pattern "$pattern" 2>/dev/null || true) | awk 'NR <= 200')
    total_bytes=0
    count=0
    for key in $keys; do
      bytes=$(rcli memory usage "$key" samples 0)
      total_bytes=$((total_bytes + ${bytes:-0}))
      count=$((count + 1))
    done
    echo "    ${kind%%=*} ($pattern): $(ratio "$total_bytes" "$count") B"
  done
  for key in $( (rcli --scan --pattern 'w:*' 2>/dev/null || true) | grep -v ':c:\|:i:\|:idem:\|:h:'); do
    echo "    $key ($(rcli type "$key")): $(rcli memory usage "$key" samples 0) B"
  done
  stop_wisseld
}

phase_soak() {
  start_redis
  machine
  local handlers=${SOAK_HANDLERS:-1000} rate=${SOAK_RATE:-} length=${SOAK_DURATION:-10m}
  # Contacts are kept in Redis for the retention after they close. At half this machine's maximum
  # a day's retention grows Redis by gigabytes in ten minutes, and its AOF rewrites then compete
  # for the two cores; a short retention gives Redis a steady state, so what the soak watches is
  # the router itself.
  local retention=${SOAK_RETENTION:-2m}
  stage_configs
  sed "s/^    contact_retention: .*/    contact_retention: $retention/" "$CONFIG" >"$STATE/soak.yaml"
  grep -q "contact_retention: $retention" "$STATE/soak.yaml" ||
    { echo "could not set the retention in the soak config" >&2; return 1; }
  CONFIG=$STATE/soak.yaml
  echo "contact retention $retention; residents hang up after ${SOAK_PATIENCE:-60s} in a queue"
  if [[ -z "$rate" ]]; then
    fresh_wisseld
    echo "== the maximum with $handlers handlers: closed loop, concurrency 64"
    load --target=127.0.0.1:$WISSELD_PORT --concurrency=64 --handlers="$handlers" \
      --handle_time=20ms --warmup="$WARMUP" --duration="$DURATION"
    rate=$(awk -v r="$(field "$SUMMARY" rps)" 'BEGIN { printf "%d", r / 2 }')
  fi
  fresh_wisseld
  echo "== soak: open loop at $rate contacts/s for $length with $handlers handlers;" \
    "wisseld VmRSS every 10 s"
  "$BUILD/benchmarks/load/wissel-load" --channels="$CHANNELS" --plaintext \
    --target=127.0.0.1:$WISSELD_PORT --rate="$rate" --handlers="$handlers" --handle_time=20ms --warmup=0s \
    --patience="${SOAK_PATIENCE:-60s}" --duration="$length" >"$STATE/soak.out" \
    2>"$STATE/soak.err" &
  local load_pid=$!
  PIDS+=("$load_pid")
  local t=0 samples=()
  while kill -0 "$load_pid" 2>/dev/null; do
    samples+=("$(rss_kib "$WISSELD_PID")")
    echo "    t=${t}s VmRSS ${samples[-1]} KiB, Redis used_memory $(info_field memory used_memory)," \
      "live contacts $(rcli zcard 'w:{gemeente-wisseloord}:live')"
    sleep 10
    t=$((t + 10))
  done
  wait "$load_pid" || true
  sed 's/^/    /' "$STATE/soak.out"
  # Warm-up: the first two minutes (12 samples). One sample can catch a transient peak (calls
  # backed up while Redis forks for an AOF rewrite, say), which is not growth: the growth is the
  # median of the last minute's samples over the median of the minute after warm-up. The single
  # samples and the peak are printed too.
  local base=${samples[12]:-${samples[0]}} last=${samples[-1]}
  local n=${#samples[@]} after last_minute peak
  after=$(printf '%s\n' "${samples[@]:12:6}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  last_minute=$(printf '%s\n' "${samples[@]:$((n > 18 ? n - 6 : 0))}" | sort -n |
    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  peak=$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)
  echo "RSS after warm-up (t=120s) $base KiB, at the end $last KiB; peak $peak KiB"
  echo "RSS median of the minute after warm-up ${after:-?} KiB, of the last minute" \
    "${last_minute:-?} KiB: growth" \
    "$(awk -v a="$last_minute" -v b="$after" 'BEGIN { if (b > 0) printf "%.1f", (a - b) * 100 / b; else print "?" }') %"
  stop_wisseld
}

build
# WAIT mode (redis.min_replica_acks: 1) against asynchronous replication, both with one replica
# attached, at each concurrency: what acknowledging only replicated batches costs.
phase_wait() {
  start_redis
  local replica_port
  replica_port=$(scripts/free-port.sh)
  mkdir -p "$STATE/replica"
  redis-server --port "$replica_port" --bind 127.0.0.1 --dir "$STATE/replica" \
    --appendonly no --save "" --daemonize no --replicaof 127.0.0.1 "$REDIS_PORT" \
    --logfile "$STATE/replica/redis.log" &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    [[ "$(rcli info replication | tr -d '\r' | sed -n 's/^connected_slaves://p')" == 1 ]] && break
    sleep 0.1
  done
  local async_config=$CONFIG wait_config="$STATE/bench-wait.yaml"
  stage_configs
  sed 's/^  command_timeout: 5s$/  command_timeout: 5s\n  min_replica_acks: 1\n  replica_ack_timeout: 500ms/' \
    "$CONFIG" >"$wait_config"
  grep -q 'min_replica_acks: 1' "$wait_config" || { echo "could not make the WAIT config" >&2; return 1; }
  machine
  echo "one replica attached (redis-server on port $replica_port, replicaof the primary)"
  local rows=() c async wait
  for c in $CONCURRENCY; do
    local common=(--concurrency="$c" --warmup="$WARMUP" --duration="$DURATION")
    echo "== concurrency $c: wisseld, asynchronous replication"
    CONFIG=$async_config fresh_wisseld
    load --target=127.0.0.1:$WISSELD_PORT --label=async "${common[@]}"
    async=$SUMMARY
    stop_wisseld
    echo "== concurrency $c: wisseld, WAIT for 1 replica"
    CONFIG=$wait_config fresh_wisseld
    load --target=127.0.0.1:$WISSELD_PORT --label=wait "${common[@]}"
    wait=$SUMMARY
    stop_wisseld
    rows+=("| $c | $(field "$async" rps) | $(field "$async" p50_us) | $(field "$async" p99_us) |\
 $(field "$wait" rps) | $(field "$wait" p50_us) | $(field "$wait" p99_us) |\
 $(ratio "$(field "$wait" rps)" "$(field "$async" rps)") |\
 $(ratio "$(field "$wait" p50_us)" "$(field "$async" p50_us)") | $(field "$wait" err) |")
  done
  echo
  echo "RouteContact with one replica: asynchronous vs WAIT mode; latencies in µs"
  echo
  echo "| c | async rps | p50 | p99 | WAIT rps | p50 | p99 | WAIT/async rps | WAIT/async p50 | WAIT errors |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
}

phase_handover() {
  start_redis
  machine
  local ctl=("$BUILD/router/cli/wisselctl" --timeout=2s queues --tenant=gemeente-wisseloord)
  local rows=() round decider survivor survivor_port delay refused t0 t1
  for round in $(seq 1 "${BENCH_HANDOVER_ROUNDS:-5}"); do
    empty_redis
    start_replica "$STATE/decider.log"
    decider=$STARTED_PID
    start_replica "$STATE/survivor.log"
    survivor=$STARTED_PID survivor_port=$STARTED_PORT
    # Served by forwarding: the survivor knows the decider.
    "${ctl[@]}" --router=127.0.0.1:$survivor_port >/dev/null
    # Lease rounds are 1 s apart: drain at a random point of the survivor's round.
    delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", r / 32768 }')
    sleep "$delay"
    stop_pid "$decider"  # SIGTERM: drains and gives its leases up
    t0=$(date +%s%N)
    refused=0
    until "${ctl[@]}" --router=127.0.0.1:$survivor_port >/dev/null 2>&1; do
      refused=$((refused + 1))
    done
    t1=$(date +%s%N)
    grep -q "decides it now" "$STATE/survivor.log" || echo "round $round: the survivor did not take the tenant" >&2
    rows+=("| $round | $delay | $refused | $(((t1 - t0) / 1000000)) |")
    stop_pid "$survivor"
  done
  echo
  echo "A draining decider: calls the survivor refused, and ms from the decider's exit to the"
  echo "first call served (wisselctl queues back to back, each a new process)"
  echo
  echo "| round | SIGTERM after (s) | refused calls | ms until served |"
  echo "| ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
}

# A development CA and certificates (scripts/dev-certs.sh), an RSA identity provider key with its
# JWKS, a bearer token for wissel-load, and bench.yaml with TLS and token authentication on.
make_security_config() {
  local dir=$STATE/security
  mkdir -p "$dir"
  scripts/dev-certs.sh "$dir/tls" >/dev/null
  openssl genrsa -out "$dir/idp.key" 2048 2>/dev/null
  python3 - "$dir" <<'PY'
import base64, json, subprocess, sys, time
d = sys.argv[1]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
mod = subprocess.run(["openssl", "rsa", "-in", f"{d}/idp.key", "-noout", "-modulus"],
                     capture_output=True, text=True, check=True).stdout.split("=")[1].strip()
jwk = {"kty": "RSA", "kid": "bench", "use": "sig", "alg": "RS256",
       "n": b64(bytes.fromhex(mod)), "e": "AQAB"}
open(f"{d}/jwks.json", "w").write(json.dumps({"keys": [jwk]}))
now = int(time.time())
header = b64(json.dumps({"alg": "RS256", "kid": "bench", "typ": "JWT"}).encode())
payload = b64(json.dumps({"iss": "https://idp.bench.test", "aud": "wissel", "sub": "wissel-load",
                          "iat": now, "nbf": now, "exp": now + 6 * 3600}).encode())
signing_input = f"{header}.{payload}".encode()
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", f"{d}/idp.key"], input=signing_input,
                     capture_output=True, check=True).stdout
open(f"{d}/token", "w").write(f"{header}.{payload}.{b64(sig)}")
PY
  sed -e "s|^tls: {plaintext: true}|tls: {certificate_file: $dir/tls/wisseld.pem, private_key_file: $dir/tls/wisseld.key}|" \
    -e "s|^access: {allow_anonymous: true}|access:\n  oidc: {issuer: \"https://idp.bench.test\", audience: wissel, jwks_file: $dir/jwks.json}\n  grants:\n    - {token_subject: wissel-load, role: channel, tenants: [\"*\"]}|" \
    -e "s|^\(    handlers_file: \)\([^/].*\)|\1$ROOT/benchmarks/load/\2|" \
    "$ROOT/benchmarks/load/bench.yaml" >"$dir/bench-security.yaml"
  grep -q "^  oidc:" "$dir/bench-security.yaml"
  SECURE_CONFIG=$dir/bench-security.yaml
  SECURE_LOAD="--ca_file=$dir/tls/ca.pem --token_file=$dir/token"
  # TLS alone (for BENCH_SECURITY_SPLIT): the same listener, anonymous callers (loopback only).
  sed -e "s|^tls: {plaintext: true}|tls: {certificate_file: $dir/tls/wisseld.pem, private_key_file: $dir/tls/wisseld.key}|" \
    -e "s|^\(    handlers_file: \)\([^/].*\)|\1$ROOT/benchmarks/load/\2|" \
    "$ROOT/benchmarks/load/bench.yaml" >"$dir/bench-tls.yaml"
  grep -q "^tls: {certificate_file:" "$dir/bench-tls.yaml"
  TLS_CONFIG=$dir/bench-tls.yaml
  TLS_LOAD="--ca_file=$dir/tls/ca.pem"
}

# Median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One security run: wisseld freshly started on $CONFIG, wissel-load with $LOAD_TLS against
# target host $1 (label $2, concurrency $3); sets RUN_RPS, and RUN_SERVER_US and RUN_LOAD_US, the
# CPU (user + system) of wisseld and of wissel-load per call, and RUN_AOF_BYTES, the growth of
# Redis's append-only file per call, warm-up included. With SCRAPE=1 its metrics endpoint is
# scraped during the run (start_scraper).
security_run() {
  local host=$1 label=$2 c=$3 hz server0 server1 times="$STATE/load.times" total aof0 aof1
  hz=$(getconf CLK_TCK)
  fresh_wisseld
  aof0=$(info_field persistence aof_current_size)
  SCRAPER_PID=
  [[ "${SCRAPE:-0}" == 1 ]] && start_scraper
  server0=$(cpu_ticks "$WISSELD_PID")
  TIMEFORMAT='%U %S'
  { time load --target="$host:$WISSELD_PORT" --label="$label" --concurrency="$c" \
    --warmup="$WARMUP" --duration="$DURATION"; } 2>"$times"
  server1=$(cpu_ticks "$WISSELD_PID")
  aof1=$(info_field persistence aof_current_size)
  [[ -n "${SCRAPER_PID:-}" ]] && stop_pid "$SCRAPER_PID"
  total=$(field "$SUMMARY" total_ok)
  RUN_RPS=$(field "$SUMMARY" rps)
  RUN_AOF_BYTES=$(awk -v a="$aof0" -v b="$aof1" -v n="$total" \
    'BEGIN { if (n > 0 && b >= a) printf "%.0f", (b - a) / n; else print "-" }')
  read -r RUN_SERVER_US RUN_LOAD_US < <(awk -v n="$total" -v hz="$hz" \
    -v s="$((server1 - server0))" -v t="$(tail -1 "$times")" 'BEGIN {
      split(t, lt, " "); if (n > 0) printf "%.1f %.1f\n", s * 1e6 / hz / n, (lt[1] + lt[2]) * 1e6 / n
      else print "- -" }')
}

# RouteContact throughput of wisseld without TLS and access control (bench.yaml) against the
# same with TLS and a bearer token on every call (each connection a TLS session; the token
# verified once, then found in the router's cache), alternating, SECURITY_ROUNDS times per
# concurrency; the ratio of the medians is the cost. With BENCH_SECURITY_SPLIT=1 every round also
# runs TLS alone (anonymous callers, no token) between the two, to split the cost into TLS and
# token. A second table gives the median CPU per call of wisseld and of wissel-load.
phase_security() {
  start_redis
  machine
  make_security_config
  local plain_config=$CONFIG c round plain secure tls rows=() cpu_rows=() split=${BENCH_SECURITY_SPLIT:-0}
  for c in ${BENCH_SECURITY_CONCURRENCY:-16 64}; do
    local plain_rps=() secure_rps=() tls_rps=() plain_cpu=() secure_cpu=() tls_cpu=()
    local plain_load=() secure_load=() tls_load=()
    for round in $(seq 1 "${SECURITY_ROUNDS:-3}"); do
      echo "== concurrency $c, round $round: plaintext, anonymous (bench.yaml)"
      CONFIG=$plain_config LOAD_TLS=--plaintext security_run 127.0.0.1 plain "$c"
      plain_rps+=("$RUN_RPS") plain_cpu+=("$RUN_SERVER_US") plain_load+=("$RUN_LOAD_US")
      if [[ "$split" == 1 ]]; then
        echo "== concurrency $c, round $round: TLS, anonymous"
        CONFIG=$TLS_CONFIG LOAD_TLS=$TLS_LOAD security_run localhost tls "$c"
        tls_rps+=("$RUN_RPS") tls_cpu+=("$RUN_SERVER_US") tls_load+=("$RUN_LOAD_US")
      fi
      echo "== concurrency $c, round $round: TLS + bearer token"
      CONFIG=$SECURE_CONFIG LOAD_TLS=$SECURE_LOAD security_run localhost secure "$c"
      secure_rps+=("$RUN_RPS") secure_cpu+=("$RUN_SERVER_US") secure_load+=("$RUN_LOAD_US")
    done
    stop_wisseld
    CONFIG=$plain_config
    plain=$(median "${plain_rps[@]}")
    secure=$(median "${secure_rps[@]}")
    if [[ "$split" == 1 ]]; then
      tls=$(median "${tls_rps[@]}")
      rows+=("| $c | ${plain_rps[*]} | ${tls_rps[*]} | ${secure_rps[*]} | $plain | $tls | $secure | $(ratio "$tls" "$plain") | $(ratio "$secure" "$plain") |")
      cpu_rows+=("| $c | $(median "${plain_cpu[@]}") | $(median "${tls_cpu[@]}") | $(median "${secure_cpu[@]}") | $(median "${plain_load[@]}") | $(median "${tls_load[@]}") | $(median "${secure_load[@]}") |")
    else
      rows+=("| $c | ${plain_rps[*]} | ${secure_rps[*]} | $plain | $secure | $(ratio "$secure" "$plain") |")
      cpu_rows+=("| $c | $(median "${plain_cpu[@]}") | $(median "${secure_cpu[@]}") | $(median "${plain_load[@]}") | $(median "${secure_load[@]}") |")
    fi
  done
  echo
  if [[ "$split" == 1 ]]; then
    echo "| c | plaintext rps (rounds) | TLS rps (rounds) | TLS + token rps (rounds) | median plaintext | median TLS | median TLS + token | TLS ratio | TLS + token ratio |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "CPU per call (µs, user + system, median of the rounds, warm-up included)"
    echo
    echo "| c | wisseld plaintext | wisseld TLS | wisseld TLS + token | wissel-load plaintext | wissel-load TLS | wissel-load TLS + token |"
    echo "|---|---|---|---|---|---|---|"
  else
    echo "| c | plaintext rps (rounds) | TLS + token rps (rounds) | median plaintext | median TLS + token | ratio |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "CPU per call (µs, user + system, median of the rounds, warm-up included)"
    echo
    echo "| c | wisseld plaintext | wisseld TLS + token | wissel-load plaintext | wissel-load TLS + token |"
    echo "|---|---|---|---|---|"
  fi
  printf '%s\n' "${cpu_rows[@]}"
}

# RouteContact throughput, wisseld's CPU per call and the AOF written per contact, of the wisseld
# of BENCH_BASELINE_BUILD_DIR against this build's, on the same Redis, configuration and load
# generator, alternating rounds so that both meet the same machine.
phase_baseline() {
  local baseline_bin=${BENCH_BASELINE_BUILD_DIR:?set BENCH_BASELINE_BUILD_DIR}/router/daemon/wisseld
  [[ -x "$baseline_bin" ]] || { echo "no wisseld in $BENCH_BASELINE_BUILD_DIR" >&2; exit 2; }
  start_redis
  machine
  echo "baseline: $baseline_bin; this build: $BUILD/router/daemon/wisseld"
  local c round rows=() cpu_rows=()
  for c in ${BENCH_BASELINE_CONCURRENCY:-16 64}; do
    local base_rps=() new_rps=() base_cpu=() new_cpu=() base_aof=() new_aof=()
    for round in $(seq 1 "${BASELINE_ROUNDS:-3}"); do
      for which in base new; do
        echo "== concurrency $c, round $round: $which"
        local bin=$baseline_bin
        [[ "$which" == new ]] && bin=$BUILD/router/daemon/wisseld
        WISSELD_BIN=$bin LOAD_TLS=--plaintext security_run 127.0.0.1 "$which" "$c"
        if [[ "$which" == base ]]; then
          base_rps+=("$RUN_RPS") base_cpu+=("$RUN_SERVER_US") base_aof+=("$RUN_AOF_BYTES")
        else
          new_rps+=("$RUN_RPS") new_cpu+=("$RUN_SERVER_US") new_aof+=("$RUN_AOF_BYTES")
        fi
        sleep 1
      done
    done
    stop_wisseld
    local base new
    base=$(median "${base_rps[@]}")
    new=$(median "${new_rps[@]}")
    rows+=("| $c | ${base_rps[*]} | ${new_rps[*]} | $base | $new | $(ratio "$new" "$base") |")
    cpu_rows+=("| $c | $(median "${base_cpu[@]}") | $(median "${new_cpu[@]}") | $(median "${base_aof[@]}") | $(median "${new_aof[@]}") |")
  done
  echo
  echo "| c | baseline rps (rounds) | this build rps (rounds) | median baseline | median this build | ratio |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "| c | wisseld CPU µs/call baseline | this build | AOF bytes/contact baseline | this build |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${cpu_rows[@]}"
}

# bench.yaml with the Prometheus endpoint on (issue 15): HTTPS on loopback with the development
# certificates, a scrape token from a file. The gRPC side stays as in bench.yaml (plaintext,
# anonymous), so the difference is the metrics alone.
make_metrics_config() {
  local dir=$STATE/metrics
  mkdir -p "$dir"
  scripts/dev-certs.sh "$dir/tls" >/dev/null
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/token"
  {
    sed -e "s|^\(    handlers_file: \)\([^/].*\)|\1$ROOT/benchmarks/load/\2|" \
      "$ROOT/benchmarks/load/bench.yaml"
    echo "metrics:"
    echo "  listen_address: 127.0.0.1:0"
    echo "  tls: {certificate_file: $dir/tls/wisseld.pem, private_key_file: $dir/tls/wisseld.key}"
    echo "  bearer_token_file: $dir/token"
  } >"$dir/bench-metrics.yaml"
  METRICS_CONFIG=$dir/bench-metrics.yaml
  METRICS_CA=$dir/tls/ca.pem
  METRICS_TOKEN=$dir/token
}

# Scrapes wisseld's metrics endpoint (port in its log) every BENCH_METRICS_SCRAPE_INTERVAL
# seconds until stopped; sets SCRAPER_PID. Prometheus scrapes every 15 to 30 s: once a second
# over-states the cost of the scrapes.
start_scraper() {
  local port
  port=$(sed -n 's/.*metrics on port \([0-9]*\).*/\1/p' "$STATE/wisseld.log" | head -1)
  [[ -n "$port" ]] || { echo "wisseld serves no metrics, see $STATE/wisseld.log" >&2; return 1; }
  local first
  first=$(curl -sf --cacert "$METRICS_CA" -H "Authorization: Bearer $(cat "$METRICS_TOKEN")" \
    "https://localhost:$port/metrics") || true
  grep -q '^wissel_router_serving 1' <<<"$first" || {
    echo "the first scrape failed" >&2
    return 1
  }
  (
    while true; do
      curl -sf --cacert "$METRICS_CA" -H "Authorization: Bearer $(cat "$METRICS_TOKEN")" \
        "https://localhost:$port/metrics" >/dev/null || true
      sleep "${BENCH_METRICS_SCRAPE_INTERVAL:-1}"
    done
  ) &
  SCRAPER_PID=$!
  PIDS+=("$SCRAPER_PID")
}

# RouteContact throughput of wisseld without metrics (bench.yaml) against the same with the
# metrics endpoint on and scraped, alternating, METRICS_ROUNDS times per concurrency; the ratio
# of the medians is the cost of counting (every call, effect and batch) and of the scrapes.
phase_metrics() {
  start_redis
  machine
  make_metrics_config
  local plain_config=$CONFIG c round off on rows=() cpu_rows=()
  for c in ${BENCH_METRICS_CONCURRENCY:-64}; do
    local off_rps=() on_rps=() off_cpu=() on_cpu=()
    for round in $(seq 1 "${METRICS_ROUNDS:-3}"); do
      echo "== concurrency $c, round $round: metrics off (bench.yaml)"
      CONFIG=$plain_config LOAD_TLS=--plaintext security_run 127.0.0.1 metrics-off "$c"
      off_rps+=("$RUN_RPS") off_cpu+=("$RUN_SERVER_US")
      echo "== concurrency $c, round $round: metrics on, scraped"
      CONFIG=$METRICS_CONFIG LOAD_TLS=--plaintext SCRAPE=1 security_run 127.0.0.1 metrics-on "$c"
      on_rps+=("$RUN_RPS") on_cpu+=("$RUN_SERVER_US")
    done
    stop_wisseld
    CONFIG=$plain_config
    off=$(median "${off_rps[@]}")
    on=$(median "${on_rps[@]}")
    rows+=("| $c | ${off_rps[*]} | ${on_rps[*]} | $off | $on | $(ratio "$on" "$off") |")
    cpu_rows+=("| $c | $(median "${off_cpu[@]}") | $(median "${on_cpu[@]}") |")
  done
  echo
  echo "| c | metrics off rps (rounds) | metrics on rps (rounds) | median off | median on | ratio |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "CPU per call of wisseld (µs, user + system, median of the rounds, warm-up included)"
  echo
  echo "| c | metrics off | metrics on |"
  echo "|---|---|---|"
  printf '%s\n' "${cpu_rows[@]}"
}

case "$PHASE" in
  compare) phase_compare ;;
  baseline) phase_baseline ;;
  security) phase_security ;;
  metrics) phase_metrics ;;
  handover) phase_handover ;;
  wait) phase_wait ;;
  handlers) phase_handlers ;;
  memory) phase_memory ;;
  soak) phase_soak ;;
  cpu) phase_cpu ;;
  *)
    echo "usage: $0 [compare|security|baseline|metrics|handlers|memory|soak|wait|cpu|handover]" >&2
    exit 2
    ;;
esac
