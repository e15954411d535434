#!/usr/bin/env bash
# Installs the Debian 12 packages orrery needs to build, test and benchmark.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
packages=(build-essential cmake ninja-build pkg-config
  libboost-dev libcfitsio-dev libtbb-dev
  libyaml-cpp-dev nlohmann-json3-dev catch2 libbenchmark-dev
  clang-14
  libvalijson-dev libcpp-httplib-dev git python3 nodejs)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
