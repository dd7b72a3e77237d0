#!/usr/bin/env bash
# Installs the Debian packages Wissel needs to build, run and test. Skips apt when all are
# present. Needs root (or sudo) on Debian 12.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ccache git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libhiredis-dev libyaml-cpp-dev libgoogle-glog-dev libgflags-dev libssl-dev
  libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server redis-sentinel clang-format clang-tidy python3
  libosip2-dev sip-tester libcpp-httplib-dev nlohmann-json3-dev
  clang-14 libclang-rt-14-dev chromium curl
)
if [[ "${WISSEL_EXTRA_PACKAGES:-}" != "" ]]; then
  read -r -a extra <<< "${WISSEL_EXTRA_PACKAGES}"
  PACKAGES+=("${extra[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
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
