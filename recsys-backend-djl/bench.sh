#!/usr/bin/env bash
# Benchmarks of the DJL backend (not tests), in one command each:
#   recsys-backend-djl/bench.sh train [threads=1] [steps=30] [rounds=3]
#       training speed on the SASRec shape, alternating DjlBench and the yardstick
#       ../shared/bench/torch_sasrec.py (PyTorch from Python; needs
#       `apt-get install -y python3-torch libopenblas0-pthread` and /usr/bin/python3) round by round
#   recsys-backend-djl/bench.sh recommend [threads=1] [memcalls=100000]
#       recommendation latency p50/p99, throughput with 1 and 2 client threads, resident memory growth
# DATA overrides the data file (default ../shared/data/sasrec/ml-1m.txt, relative to the repository root).
# TUNABLES=1 exports GLIBC_TUNABLES (see NOTES.md) for both DJL and the yardstick.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DATA=$(realpath "${DATA:-../shared/data/sasrec/ml-1m.txt}")
mode=${1:-train}
threads=${2:-1}
mvn -B -q -pl recsys-backend-djl -am install -DskipTests
mvn -B -q -pl recsys-backend-djl dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
CP="recsys-backend-djl/target/classes:$(cat recsys-backend-djl/target/bench.cp)"
export OMP_WAIT_POLICY=PASSIVE
if [ "${TUNABLES:-0}" = 1 ]; then
  export GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295
fi
case "$mode" in
  train)
    steps=${3:-30}
    rounds=${4:-3}
    for r in $(seq 1 "$rounds"); do
      echo "round $r (load average $(cut -d' ' -f1 /proc/loadavg))"
      java -cp "$CP" dev.recsys.backend.djl.bench.DjlBench train --data "$DATA" --threads "$threads" --steps "$steps" --warmup 5 \
        | grep -E '^train: (median|CPU)' | sed 's/^/  djl    /'
      if [ -x /usr/bin/python3 ] && [ -f "$ROOT/../shared/bench/torch_sasrec.py" ]; then
        (cd "$ROOT/../shared/bench" && /usr/bin/python3 torch_sasrec.py --data "$DATA" --steps "$steps" --threads "$threads" \
          | grep '^speed' | sed 's/^/  python /')
        if [ "$threads" = 1 ]; then
          # the same script timed in CPU time of its main thread (robust to other processes' load; exact only
          # with one torch thread and one OpenBLAS thread)
          (cd "$ROOT/../shared/bench" && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -c '
import runpy, sys, time
time.perf_counter = time.thread_time
sys.argv = ["torch_sasrec.py"] + sys.argv[1:]
runpy.run_path("torch_sasrec.py", run_name="__main__")' --data "$DATA" --steps "$steps" --threads 1 \
            | grep '^speed' | sed 's/^/  python CPU time: /')
        fi
      fi
    done
    ;;
  recommend)
    java -cp "$CP" dev.recsys.backend.djl.bench.DjlBench recommend --data "$DATA" --threads "$threads" --memcalls "${3:-100000}"
    ;;
  *)
    echo "usage: $0 train|recommend [threads] ..." >&2
    exit 2
    ;;
esac
