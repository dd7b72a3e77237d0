#!/usr/bin/env bash
# The test command: installs what is missing, checks formatting, builds everything with
# -Wall -Wextra -Werror and AddressSanitizer + UndefinedBehaviorSanitizer, and runs the whole
# suite with ctest. Integration tests start their own redis-server on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${WISSEL_TEST_BUILD_DIR:-$ROOT/build-test}

scripts/install-deps.sh

echo "== clang-format"
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

echo "== build (ASan + UBSan, -Werror)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DWISSEL_SANITIZE=ON -DWISSEL_WERROR=ON >/dev/null
cmake --build "$BUILD" -j2

echo "== tests"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 600
