#!/usr/bin/env bash
# Front-end cost of including orrery's headers: the best of N `-fsyntax-only`
# parses of a translation unit that includes one header, for the headers a user
# starts from. Usage: bench/header_parse_times.sh [runs=5] [compiler=c++]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cxx=${2:-c++}
flags=(-std=c++20 -fsyntax-only -Iinclude -I/usr/include/eigen3 -I/usr/include/cfitsio)
headers=(
  orrery/step.hpp
  orrery/orrery.hpp
  orrery/stpipe.hpp
  orrery/array/fits/fits_reader.hpp
  orrery/jwst/steps/saturation.hpp
  orrery/jwst/steps/jump.hpp
  orrery/graph.hpp
  orrery/jwst.hpp
)
tu=$(mktemp --suffix=.cpp)
trap 'rm -f "$tu"' EXIT
printf '%-40s %10s\n' header "best (s)"
for h in "${headers[@]}"; do
  printf '#include "%s"\n' "$h" >"$tu"
  best=""
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s.%N)
    "$cxx" "${flags[@]}" "$tu"
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || (( $(echo "$t < $best" | bc) )); then best=$t; fi
  done
  printf '%-40s %10.2f\n' "$h" "$best"
done
