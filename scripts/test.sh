#!/usr/bin/env bash
# The whole test suite: installs missing dependencies, builds everything (tests,
# examples, tools, benchmarks) and runs ctest — unit and golden tests, compile-fail
# tests, CLI tests and the installed-package consumer check.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# BUILD_DIR, CC/CXX and ORRERY_CMAKE_ARGS select another build (CI also builds with clang 14).
BUILD=${BUILD_DIR:-build}
# shellcheck disable=SC2086 # ORRERY_CMAKE_ARGS is a list of words
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release ${ORRERY_CMAKE_ARGS:-}
cmake --build "$BUILD" -j "$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)"
