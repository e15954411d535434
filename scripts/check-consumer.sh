#!/usr/bin/env bash
# Installs orrery into a scratch prefix and builds tests/consumer (and the Conan
# recipe's test_package) against it with find_package(orrery CONFIG REQUIRED),
# then examples/custom_strun (a user's own strun-compatible tool, find_package
# with COMPONENTS cli) and runs it on a small input.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
PREFIX=$SCRATCH/prefix
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
for project in tests/consumer conan/test_package; do
  out=$(mktemp -d -p "$SCRATCH")
  cmake -S "$project" -B "$out" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$out" >/dev/null
  "$out/consumer"
done
if [ -f "$PREFIX/include/orrery/cli.hpp" ] && ls "$PREFIX"/lib*/liborrery_cli.* >/dev/null 2>&1; then
  out=$(mktemp -d -p "$SCRATCH")
  cmake -S examples/custom_strun -B "$out" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$out" >/dev/null
  printf '1 2.5\n-4\n10\n' >"$out/in.txt"
  (cd "$out" && ./custom-strun scale in.txt --factor=2 --no-progress --log-level=WARNING)
  [ "$(cat "$out/in_scale.txt")" = "$(printf '2\n5\n-8\n20')" ] || { echo "custom-strun: wrong output" >&2; exit 1; }
  echo "consumer projects built and ran: tests/consumer, conan/test_package, examples/custom_strun"
else
  echo "consumer projects built and ran: tests/consumer, conan/test_package (orrery::cli not installed)"
fi
