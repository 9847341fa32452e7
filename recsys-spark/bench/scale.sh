#!/usr/bin/env bash
# The scale benchmark of issue 19 (a benchmark, not a test; docs/SCALING.md holds its numbers):
#  1. a synthetic log of N interactions (default 2*10^7) by USERS users (200,000) over ITEMS items (50,000),
#     popularity skewed, per-user lengths 20..180, timestamps with ties;
#  2. recsys spark prepare in local[2]: wall time, peak memory (driver and executors are one JVM in local mode);
#  3. a small model on that catalogue (dim 32, 1 layer, maxLen 50, stage 1 only; untrained: scoring costs
#     the same), written by recsys train reading the prepared folder (which also measures that read);
#  4. recsys spark recommend for every user in local[2] against the single-JVM scoring rate of
#     recsys evaluate on the same data and model (both in this session, one after the other).
# Needs `mvn -B package -DskipTests` first. Usage: recsys-spark/bench/scale.sh [WORKDIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
W="${1:-/tmp/recsys-scale}"
N="${N:-20000000}"
USERS="${USERS:-200000}"
ITEMS="${ITEMS:-50000}"
HEAP="${HEAP:-6g}"
MASTER="${MASTER:-local[2]}"
mkdir -p "$W"
cd "$here"
t() { /usr/bin/time -f "$1: wall %e s, user %U s, sys %S s, peak RSS %M KB" "${@:2}"; }

if [ ! -f "$W/log.csv" ]; then
  echo "generating $N interactions, $USERS users, $ITEMS items"
  awk -v U="$USERS" -v I="$ITEMS" -v N="$N" 'BEGIN {
    srand(19); print "user,item,rating,timestamp"; mean = N / U; n = 0
    for (u = 0; u < U; u++) {
      len = (u == U - 1) ? N - n : int(mean * (0.2 + 1.6 * rand())); if (len < 5) len = 5
      ts = 1000000000 + int(rand() * 10000000)
      for (k = 0; k < len; k++) { x = rand(); it = 1 + int(I * x * x * x); ts += int(rand() * 3) * 60
        printf "u%d,m%d,%d,%d\n", u, it, 1 + int(rand() * 5), ts }
      n += len } }' > "$W/log.csv"
fi
wc -l "$W/log.csv"
rm -rf "$W/prepared" "$W/model" "$W/recs"
export RECSYS_JAVA_OPTS="-Xmx$HEAP"
t "prepare ($MASTER)" ./recsys spark prepare --master "$MASTER" --data "csv:$W/log.csv" --out "$W/prepared"
t "train (0 epochs) reading prepared:" ./recsys train --data "prepared:$W/prepared" --epochs 0 \
  --set finetune.epochs=0 --set model.dim=32 --set model.heads=2 --set model.layers=1 --set model.maxLen=50 \
  --set eval.rerank=0 --out "$W/model"
t "recommend ($MASTER, all users)" ./recsys spark recommend --master "$MASTER" --data "$W/prepared" \
  --model "$W/model" -k 10 --batch-size 128 --engine-threads 1 --rerank 0 --out "$W/recs"
t "single-JVM evaluate (scoring rate)" ./recsys evaluate --data "prepared:$W/prepared" --model "$W/model" --rerank 0
