#!/usr/bin/env bash
# The course's run of benchmarks/glimpses_on_canvas.py: every model of chapter 6's tables side by
# side, each process with the same training budget in seconds (the epochs that fit are recorded in
# its JSON). Run once on one GPU machine (16 CPU cores) with real MNIST under $ATTNLIB_DATA:
#
#     ATTNLIB_DATA=/path/to/data bash benchmarks/glimpses_on_canvas.sh [SECONDS] [OUT_DIR]
#
# Writes OUT_DIR/glimpses_on_canvas_*.json (default benchmarks/results) and the weights the
# chapter re-evaluates (benchmarks/results/glimpses_on_canvas_*.pt).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-330}
OUT=${2:-benchmarks/results}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
run() {  # name, then the script's arguments
  local name=$1
  shift
  $PY benchmarks/glimpses_on_canvas.py --seconds "$SECONDS_EACH" --epochs 200 --epochs-cnn 40 \
    --out "$OUT/glimpses_on_canvas_$name.json" "$@" >"$OUT/glimpses_on_canvas_$name.log" 2>&1 &
}
run translated_reinforce --task translated --models reinforce --glimpses 6 --save
run translated_gumbel --task translated --models gumbel --glimpses 6 --save
run translated_soft --task translated --models soft --save
run translated_cnn --task translated --models cnn
run cluttered_reinforce4 --task cluttered --models reinforce --glimpses 4
run cluttered_reinforce6 --task cluttered --models reinforce --glimpses 6
run cluttered_reinforce8 --task cluttered --models reinforce --glimpses 8 --save
run cluttered_gumbel8 --task cluttered --models gumbel --glimpses 8
run cluttered_soft --task cluttered --models soft
run cluttered_cnn --task cluttered --models cnn
wait
tail -n 2 "$OUT"/glimpses_on_canvas_*.log
