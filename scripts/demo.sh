#!/usr/bin/env bash
# The main job on built-in sample data: install dependencies, build, simulate a
# small NIRCam-like exposure (with cosmic rays and saturating stars) and its
# reference files, run calwebb_detector1 on it, and summarise the products.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD=${BUILD_DIR:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target orrery orrery-simulate

DEMO=${DEMO_DIR:-demo}
"$BUILD/bin/orrery-simulate" --output-dir "$DEMO" --name demo --size 512x512 --groups 10 --cosmic-rays 300 --seed 7
# No IPC reference is simulated (CRDS turns ipc off for NIRCam too).
"$BUILD/bin/orrery" strun calwebb_detector1 "$DEMO/demo_uncal.fits" --ref-dir "$DEMO/ref" --output_dir "$DEMO/out" \
    --steps.ipc.skip=true --log-level WARNING
