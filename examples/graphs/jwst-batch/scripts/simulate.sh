#!/bin/sh
# Three exposures of one detector: the same seed gives the same reference files,
# different cosmic-ray and star counts give different exposures.
set -eu
simulate="$1"; work="$2"; size="$3"
mkdir -p "$work"
"$simulate" --output-dir "$work" --name expa --size "$size" --groups 8 --seed 11 --cosmic-rays 40 --saturating-stars 3
"$simulate" --output-dir "$work" --name expb --size "$size" --groups 8 --seed 11 --cosmic-rays 120 --saturating-stars 6
"$simulate" --output-dir "$work" --name expc --size "$size" --groups 8 --seed 11 --cosmic-rays 300 --saturating-stars 9
