#!/usr/bin/env bash
# Installs the Debian packages Wissel needs to build, run and test. Skips apt when all are
# present. Needs root (or sudo) on Debian 12.
#
#   scripts/install-deps.sh          everything: build, tests, tools, chart checks (CI, developers)
#   scripts/install-deps.sh --build  only what a Release build of the programs needs (no tests,
#                                    no benchmarks): the build stage of the Containerfile
set -euo pipefail

build_only=false
case "${1:-}" in
  --build) build_only=true ;;
  "") ;;
  *)
    echo "usage: scripts/install-deps.sh [--build]" >&2
    exit 2
    ;;
esac

# The compilers, build tools and libraries of a build with -DWISSEL_BUILD_TESTS=OFF
# -DWISSEL_BUILD_BENCHMARKS=OFF.
BUILD_PACKAGES=(
  build-essential cmake pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libhiredis-dev libyaml-cpp-dev libgoogle-glog-dev libgflags-dev libssl-dev
  libjemalloc-dev libosip2-dev libcpp-httplib-dev nlohmann-json3-dev prometheus-cpp-dev
)
PACKAGES=(
  "${BUILD_PACKAGES[@]}" git
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server redis-sentinel clang-format clang-tidy python3
  sip-tester
  clang-14 libclang-rt-14-dev chromium curl
  # The chart checks (scripts/check-chart.sh): helm-render's Go build, the values schema check.
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev golang-gopkg-yaml.v3-dev
  golang-github-xeipuuv-gojsonschema-dev golang-github-burntsushi-toml-dev
  golang-github-gobwas-glob-dev python3-jsonschema python3-yaml
)
if $build_only; then
  PACKAGES=("${BUILD_PACKAGES[@]}")
fi
if [[ "${WISSEL_EXTRA_PACKAGES:-}" != "" ]]; then
  read -r -a extra <<< "${WISSEL_EXTRA_PACKAGES}"
  PACKAGES+=("${extra[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The chart checks validate manifests with node packages (npm); any node with npm will do.
if ! $build_only && ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a system-wide redis on 6379; Wissel runs its own on a free port.
if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
  $SUDO systemctl stop redis-server || true
fi
