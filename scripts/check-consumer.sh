#!/usr/bin/env bash
# Installs orrery into a scratch prefix and builds tests/consumer (and the Conan
# recipe's test_package) against it with find_package(orrery CONFIG REQUIRED).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT  # the install prefix and both builds
PREFIX=$WORK/prefix
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
for project in tests/consumer conan/test_package; do
  out=$WORK/build-$(basename "$project")
  cmake -S "$project" -B "$out" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$out" >/dev/null
  "$out/consumer"
done
echo "consumer projects built and ran: tests/consumer, conan/test_package"
