#!/usr/bin/env bash
# The container image check of scripts/test.sh (WISSEL_SKIP_IMAGE=1 skips it there): builds the
# Containerfile with podman, without a container registry, and starts what it built.
#
#   1. installs what is missing (podman, runc, mmdebstrap, redis-server, python3-grpcio);
#   2. makes the base root filesystem, a minimal Debian 12 (mmdebstrap --variant=minbase) from
#      this machine's own apt sources, and imports it with `podman import` under the name the
#      Containerfile starts from, debian:bookworm-slim;
#   3. `podman build` of the Containerfile, unchanged, with the host's ccache mounted into the
#      build stage (a warm cache makes the build fast; a cold one works too);
#   4. checks the image: it runs as uid 65532, has no compiler or build tool, every program
#      answers --help with exit 0 on a read-only root filesystem;
#   5. starts wisseld from the image (read-only root, no tmpfs, uid 65532, no capabilities, host
#      network) against a redis-server on a free loopback port, waits until the standard gRPC
#      health service reports SERVING, asks it for queue statistics with the image's wisselctl,
#      stops it with SIGTERM (it must exit 0), and runs `wisselctl config check` from the image
#      on the example configuration (/etc/wissel/example/wissel.yaml).
# Everything it starts is stopped by PID or container id on exit. It prints the time of each step.
#
# Needs root (rootful podman; mmdebstrap's root mode). Podman runs containers here with runc, the
# cgroupfs cgroup manager and no default ulimits (crun fails on this kind of machine on cgroups
# and on setrlimit): a containers.conf in a temporary folder says so (CONTAINERS_CONF).
#
# Environment:
#   WISSEL_IMAGE        name of the image built (default localhost/wissel:check)
#   WISSEL_IMAGE_CACHE  folder for the base tarball, reused for a day while the apt sources are
#                       unchanged (default /var/cache/wissel-image; empty: no cache)
#   WISSEL_IMAGE_JOBS   compile jobs in the build stage (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
IMAGE=${WISSEL_IMAGE:-localhost/wissel:check}
BASE=debian:bookworm-slim
CACHE=${WISSEL_IMAGE_CACHE-/var/cache/wissel-image}
JOBS=${WISSEL_IMAGE_JOBS:-2}
PYTHON=/usr/bin/python3  # Debian's python3-grpcio, not a virtualenv's
PROGRAMS=(wisseld wisselctl wissel-sip wissel-chat wissel-webform wissel-balie wissel-dashboard)

if [[ $(id -u) -ne 0 ]]; then
  echo "check-image: needs root (rootful podman, mmdebstrap)" >&2
  exit 1
fi

# --- timings -------------------------------------------------------------------------------
STEP_NAMES=()
STEP_SECONDS=()
step_name=""
step_start=0
now() { date +%s.%N; }
step() {
  end_step
  step_name=$1
  step_start=$(now)
  echo "-- $step_name"
}
end_step() {
  if [[ -n "$step_name" ]]; then
    STEP_NAMES+=("$step_name")
    STEP_SECONDS+=("$(awk -v a="$step_start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')")
    step_name=""
  fi
}
print_timings() {
  end_step
  local i total=0
  echo "-- timings"
  for i in "${!STEP_NAMES[@]}"; do
    printf '%8.1f s  %s\n' "${STEP_SECONDS[$i]}" "${STEP_NAMES[$i]}"
    total=$(awk -v a="$total" -v b="${STEP_SECONDS[$i]}" 'BEGIN { print a + b }')
  done
  printf '%8.1f s  total\n' "$total"
}

# --- cleanup: only what this script started ------------------------------------------------
work=$(mktemp -d /tmp/wissel-image.XXXXXX)
redis_pid=""
container_id=""
cleanup() {
  local rc=$?
  if [[ -n "$container_id" ]]; then
    podman rm -f -t 2 "$container_id" >/dev/null 2>&1 || true
  fi
  if [[ -n "$redis_pid" ]]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  print_timings
  if [[ $rc -ne 0 ]]; then echo "check-image: FAILED" >&2; fi
  exit $rc
}
trap cleanup EXIT

fail() {
  echo "check-image: $*" >&2
  exit 1
}

# --- 1. tools ------------------------------------------------------------------------------
step "install podman, runc, mmdebstrap, redis-server, python3-grpcio (if missing)"
missing=()
for p in podman runc mmdebstrap redis-server redis-tools python3 python3-grpcio; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # runc named with podman satisfies its "crun | runc": crun does not work here.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cat >"$work/containers.conf" <<'EOF'
[containers]
# Setting rlimits in a container fails on this kind of machine (no CAP_SYS_RESOURCE): the
# containers keep the limits podman has. crun fails on that and on cgroups; runc works.
default_ulimits = []
netns = "host"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF="$work/containers.conf"

# --- 2. the base image ---------------------------------------------------------------------
step "base root filesystem (mmdebstrap --variant=minbase bookworm, this machine's apt sources)"
# The apt sources of the Debian archive that this machine uses (one-line .list or deb822
# .sources files), passed to mmdebstrap as they are: it copies them into the root filesystem,
# so the build stage's apt-get installs from the same place.
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [[ -f "$f" ]] || continue
  if grep -qE '^(deb|URIs:)[[:space:]].*/debian(-security)?/?([[:space:]]|$)' "$f"; then
    sources+=("$f")
  fi
done
[[ ${#sources[@]} -gt 0 ]] || fail "no apt source of the Debian archive in /etc/apt"
echo "apt sources: ${sources[*]}"
key="bookworm-minbase-$(date -u +%Y%m%d)-$(cat "${sources[@]}" | sha256sum | cut -c1-12)"
tarball=""
if [[ -n "$CACHE" ]] && mkdir -p "$CACHE" 2>/dev/null && [[ -w "$CACHE" ]]; then
  tarball="$CACHE/$key.tar"
fi
if [[ -n "$tarball" && -s "$tarball" ]]; then
  echo "reusing $tarball"
else
  # Like the slim images: no manual pages, documentation (but the copyright files) or locales.
  mmdebstrap --variant=minbase --quiet \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$work/base.tar" "${sources[@]}"
  if [[ -n "$tarball" ]]; then
    # Only the newest tarball is kept; a half-written one never gets the final name.
    find "$CACHE" -maxdepth 1 -name 'bookworm-minbase-*.tar' -delete
    mv "$work/base.tar" "$tarball.partial"
    mv "$tarball.partial" "$tarball"
  else
    tarball="$work/base.tar"
  fi
fi
ls -l "$tarball"

step "podman import as $BASE"
# The label names the tarball: an image imported from the same one is kept, and with it podman's
# layer cache for the build.
imported=$(podman image inspect --format '{{index .Labels "wissel.base-tarball"}}' "$BASE" \
  2>/dev/null || true)
if [[ "$imported" == "$key" ]]; then
  echo "$BASE is already imported from $key"
else
  old_id=$(podman image inspect --format '{{.Id}}' "$BASE" 2>/dev/null || true)
  echo -n "imported: "
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --change "LABEL wissel.base-tarball=$key" \
    "$tarball" "localhost/$BASE"
  if [[ -n "$old_id" ]]; then
    podman image rm "$old_id" >/dev/null 2>&1 || true # kept while something still uses it
  fi
fi

# --- 3. build ------------------------------------------------------------------------------
step "podman build (Containerfile, -j$JOBS, the host's ccache)"
ccache_dir=$(ccache -k cache_dir 2>/dev/null || true)
ccache_dir=${ccache_dir:-$HOME/.cache/ccache}
mkdir -p "$ccache_dir"
revision=$(git rev-parse HEAD 2>/dev/null || true)
old_image_id=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
# --pull=never: the base comes from local storage only (step 2); --network host: apt-get in the
# build stage reaches the machine's apt sources as the host does.
if ! podman build --pull=never --network host -f Containerfile -t "$IMAGE" \
  --build-arg JOBS="$JOBS" --build-arg REVISION="$revision" \
  --build-arg CCACHE_DIR=/host-ccache --volume "$ccache_dir:/host-ccache" \
  "$ROOT" >"$work/build.log" 2>&1; then
  tail -n 80 "$work/build.log" >&2
  fail "podman build failed"
fi
echo "steps taken from podman's layer cache: $(grep -c -- '--> Using cache' "$work/build.log" || true)"
grep '^ccache: ' "$work/build.log" || echo "ccache: not run (the build step came from the layer cache)"
new_image_id=$(podman image inspect --format '{{.Id}}' "$IMAGE")
if [[ -n "$old_image_id" && "$old_image_id" != "$new_image_id" ]]; then
  podman image rm "$old_image_id" >/dev/null 2>&1 || true # the previous build of $IMAGE
fi
podman image ls --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}' "$IMAGE"

# --- 4. what the image is ------------------------------------------------------------------
step "image: uid 65532, no build tools, every program answers --help (read-only root)"
run=(podman run --rm --read-only --read-only-tmpfs=false --cap-drop=all
     --security-opt=no-new-privileges)
user=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
[[ "$user" == "65532:65532" ]] || fail "the image's user is '$user', not 65532:65532"
ids=$("${run[@]}" --entrypoint /usr/bin/id "$IMAGE" -u):$("${run[@]}" --entrypoint /usr/bin/id \
  "$IMAGE" -g)
[[ "$ids" == 65532:65532 ]] || fail "a container of the image runs as uid:gid $ids"
echo "runs as uid:gid $ids"
entrypoint=$(podman image inspect --format '{{json .Config.Entrypoint}}' "$IMAGE")
[[ "$entrypoint" == '["/usr/local/bin/wisseld"]' ]] || fail "entrypoint is $entrypoint"
# shellcheck disable=SC2016  # expanded in the container
tools=$("${run[@]}" --entrypoint /bin/sh "$IMAGE" -c \
  'for t in gcc g++ cc c++ cpp clang cmake make ld as ccache; do
     command -v "$t" || true; done; ls /usr/lib/gcc 2>/dev/null || true')
[[ -z "$tools" ]] || fail "build tools in the image: $tools"
echo "no compiler, linker or build tool"
for program in "${PROGRAMS[@]}"; do
  if ! "${run[@]}" --entrypoint "/usr/local/bin/$program" "$IMAGE" --help \
    >"$work/help.out" 2>&1; then
    cat "$work/help.out" >&2
    fail "$program --help fails in the image"
  fi
  echo "$program --help: exit 0"
done

# --- 5. wisseld from the image against a Redis ---------------------------------------------
step "wisseld from the image against redis-server: gRPC health SERVING"
redis_port=$(scripts/free-port.sh)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 1 100); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$redis_port" ping >/dev/null || fail "redis-server did not start: $(cat "$work/redis.log")"

grpc_port=$(scripts/free-port.sh)
mkdir -m 0755 "$work/config"
# Loopback development mode, as the integration tests configure a router
# (tests/integration/router_harness.h): plaintext on a loopback address, anonymous callers.
cat >"$work/config/wissel.yaml" <<EOF
listen_address: 127.0.0.1:$grpc_port
drain_timeout: 2s
redis: {host: 127.0.0.1, port: $redis_port}
tls: {plaintext: true}
access: {allow_anonymous: true}
tenants:
  - id: gemeente-test
    name: Gemeente Test
    pseudonym_secret_env: WISSEL_PSEUDONYM_SECRET_TEST
    queues:
      - {name: burgerzaken}
    topics:
      - {code: paspoort, name: Paspoort, domain: burgerzaken, queue: burgerzaken}
EOF
chmod 0644 "$work/config/wissel.yaml"
chmod 0755 "$work"
# The image's default command: --config=/etc/wissel/wissel.yaml, the folder mounted read-only.
container_id=$(podman run -d --network host --read-only --read-only-tmpfs=false \
  --user 65532:65532 --cap-drop=all --security-opt=no-new-privileges \
  -e WISSEL_PSEUDONYM_SECRET_TEST=image-check-secret-0123456789abcdef \
  -v "$work/config:/etc/wissel:ro" "$IMAGE")
echo "container $container_id"
# The standard health service (grpc.health.v1.Health/Check) with python3-grpcio, the messages
# written by hand: the request {service: ""} is empty, SERVING is field 1 = 1 (bytes 08 01).
cat >"$work/health.py" <<'EOF'
import sys, time
import grpc

target, limit = sys.argv[1], time.monotonic() + float(sys.argv[2])
check = grpc.insecure_channel(target).unary_unary("/grpc.health.v1.Health/Check")
last = "no answer"
while time.monotonic() < limit:
    try:
        reply = check(b"", timeout=2)
        status = reply[1] if len(reply) >= 2 and reply[0] == 0x08 else 0
        if status == 1:
            print(f"{target}: SERVING")
            sys.exit(0)
        last = f"status {status}"
    except grpc.RpcError as error:
        last = error.code().name
    time.sleep(0.3)
print(f"{target}: not SERVING: {last}", file=sys.stderr)
sys.exit(1)
EOF
if ! "$PYTHON" "$work/health.py" "127.0.0.1:$grpc_port" 60; then
  podman logs "$container_id" >&2 || true
  fail "wisseld from the image did not report SERVING"
fi
user_in=$(podman inspect --format '{{.Config.User}}' "$container_id")
echo "wisseld runs as $user_in with a read-only root filesystem"

step "wisselctl from the image asks wisseld from the image"
if ! "${run[@]}" --network host --entrypoint /usr/local/bin/wisselctl "$IMAGE" \
  --router="127.0.0.1:$grpc_port" --plaintext queues --tenant=gemeente-test >"$work/queues.out" 2>&1; then
  cat "$work/queues.out" >&2
  podman logs "$container_id" >&2 || true
  fail "wisselctl queues against wisseld failed"
fi
sed 's/^/  /' "$work/queues.out"
grep -q burgerzaken "$work/queues.out" || fail "wisselctl queues does not show the queue burgerzaken"

step "wisseld stops on SIGTERM with exit 0"
podman stop -t 20 "$container_id" >/dev/null
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container_id")
if [[ "$exit_code" != 0 ]]; then
  podman logs "$container_id" >&2 || true
  fail "wisseld exited with $exit_code after SIGTERM"
fi
podman rm "$container_id" >/dev/null
container_id=""
kill "$redis_pid"
wait "$redis_pid" 2>/dev/null || true
redis_pid=""
echo "exit 0"

step "wisselctl config check /etc/wissel/example/wissel.yaml from the image"
if ! "${run[@]}" --entrypoint /usr/local/bin/wisselctl "$IMAGE" \
  config check /etc/wissel/example/wissel.yaml >"$work/check.out" 2>&1; then
  cat "$work/check.out" >&2
  fail "wisselctl config check refuses the example configuration in the image"
fi
sed 's/^/  /' "$work/check.out"
grep -q '^OK: ' "$work/check.out" || fail "wisselctl config check did not say OK"

end_step
echo "check-image: OK ($IMAGE)"
