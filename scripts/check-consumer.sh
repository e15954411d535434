#!/usr/bin/env bash
# Installs orrery into a scratch prefix and builds against it with
# find_package(orrery CONFIG REQUIRED): tests/consumer (every component),
# tests/consumer_core (the core layer alone, with every other dependency made
# unfindable) and the Conan recipe's test_package; then examples/custom_strun (a
# user's own strun-compatible tool, COMPONENTS cli), which it runs on a small
# input. The scratch folders are removed.
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
if [ -f "$PREFIX/share/cmake/orrery/orreryCliTargets.cmake" ]; then  # built with orrery::cli
  out=$SCRATCH/custom_strun
  cmake -S examples/custom_strun -B "$out" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$out" >/dev/null
  printf '1 2.5\n-4\n10\n' >"$out/in.txt"
  (cd "$out" && ./custom-strun scale in.txt --factor=2 --no-progress --log-level=WARNING)
  [ "$(cat "$out/in_scale.txt")" = "$(printf '2\n5\n-8\n20')" ] || { echo "custom-strun: wrong output" >&2; exit 1; }
  projects+=(examples/custom_strun)
fi
echo "consumer projects built and ran: ${projects[*]}"
