#!/usr/bin/env bash
# The test command: installs what is missing, checks formatting, builds everything with
# -Wall -Wextra -Werror and AddressSanitizer + UndefinedBehaviorSanitizer, checks the Helm chart
# (scripts/check-chart.sh), runs the whole suite with ctest (unit, integration, e2e), runs
# clang-tidy (.clang-tidy, every kept check an error) on the project's sources, then builds the
# libFuzzer harnesses (adapters, tokens) with clang-14 and runs each for a bounded time, and last
# builds the container image and starts wisseld from it (scripts/check-image.sh; skipped with
# WISSEL_SKIP_IMAGE=1).
# Integration and e2e tests start their own redis-server (and wisseld, sipp, Chromium) on free
# loopback ports and stop them by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${WISSEL_TEST_BUILD_DIR:-$ROOT/build-test}

scripts/install-deps.sh
# ccache keys on paths relative to the checkout, so a clone in another folder reuses the cache.
export CCACHE_BASEDIR="$ROOT"

echo "== clang-format"
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

echo "== build (ASan + UBSan, -Werror)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DWISSEL_SANITIZE=ON -DWISSEL_WERROR=ON >/dev/null
cmake --build "$BUILD" -j2

echo "== chart (helm/wissel rendered offline, compared, validated; wisselctl config check)"
scripts/check-chart.sh "$BUILD"

echo "== tests"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 600 -LE fuzz

echo "== clang-tidy (a file unchanged since it last passed is not checked again)"
scripts/tidy.py "$BUILD"

echo "== fuzz (libFuzzer + ASan with clang-14, each request and token parser for 20 s)"
FUZZ_BUILD=${WISSEL_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
cmake -S . -B "$FUZZ_BUILD" -DCMAKE_BUILD_TYPE=Debug -DWISSEL_FUZZ=ON -DWISSEL_BUILD_BENCHMARKS=OFF \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
FUZZERS=(sip_request_fuzzer chat_request_fuzzer webform_request_fuzzer balie_checkin_fuzzer
         token_fuzzer)
cmake --build "$FUZZ_BUILD" -j2 --target "${FUZZERS[@]}"
ctest --test-dir "$FUZZ_BUILD" --output-on-failure -L fuzz --timeout 300

# Slow (a base root filesystem, a Release build in a container): WISSEL_SKIP_IMAGE=1 skips it.
if [[ "${WISSEL_SKIP_IMAGE:-0}" == 1 ]]; then
  echo "== image: skipped (WISSEL_SKIP_IMAGE=1)"
else
  echo "== image (Containerfile built with podman from an mmdebstrap base; wisseld started from it)"
  scripts/check-image.sh
fi
