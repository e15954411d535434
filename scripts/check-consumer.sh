#!/usr/bin/env bash
# Installs orrery into a scratch prefix and builds against it with
# find_package(orrery CONFIG REQUIRED): tests/consumer (every component),
# tests/consumer_core (the core layer alone, with every other dependency made
# unfindable) and the Conan recipe's test_package. The scratch folders are removed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
PREFIX=$SCRATCH/prefix
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
projects=(tests/consumer tests/consumer_core conan/test_package)
for project in "${projects[@]}"; do
  out=$SCRATCH/$(basename "$project")
  cmake -S "$project" -B "$out" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$out" >/dev/null
  "$out/consumer"
done
echo "consumer projects built and ran: ${projects[*]}"
