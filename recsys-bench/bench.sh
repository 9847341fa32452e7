#!/usr/bin/env bash
# Benchmarks (not tests), one command each, from the repository root or anywhere:
#   recsys-bench/bench.sh train [threads=1] [steps=30] [rounds=3]
#       DJL training speed on the SASRec shape, alternating DjlBench and the yardstick
#       ../shared/bench/torch_sasrec.py (PyTorch from Python; needs
#       `apt-get install -y python3-torch libopenblas0-pthread` and /usr/bin/python3) round by round
#   recsys-bench/bench.sh recommend [threads=1] [memcalls=100000]
#       DJL recommendation latency p50/p99, throughput with 1 and 2 client threads, resident memory growth
#   recsys-bench/bench.sh dl4j train|recommend [Dl4jBench options, e.g. --backend djl --maxlen 200 --loss gbce --negatives 256]
#       either backend through the SPI on the same batches (Dl4jBench; see its Javadoc for the options)
#   recsys-bench/bench.sh eval [dataDir=../shared/data] [threads]
#       load time, evaluation overhead and baseline numbers on SASRec's ml-1m.txt (EvalBenchmark)
#   recsys-bench/bench.sh items --model DIR [--movies ../shared/data/ml-1m/movies.dat] [--backend djl|dl4j] [--count 1000]
#       time to add items to a loaded content model without retraining, recommend latency before/after (NewItemsBench)
#   recsys-bench/bench.sh quality-time [data=ml1m|ml100k] [epochs=50] [threads=1]
#       time to quality: the yardstick (reference SASRec, BCE, its own defaults) trains `epochs` epochs and is
#       validated every 5; `recsys train` with no config (the default recipe) runs at the same time on the other
#       core, validated every epoch, for at most EPOCHS_RECSYS (30); then the training time (evaluation left out on
#       both sides) each needed to reach the yardstick's validation NDCG@10 at its last epoch, and the ratio.
#       CONFIG=FILE trains recsys with that config instead (e.g. configs/ml1m-sasrec-bce.yaml, the yardstick's recipe).
#   recsys-bench/bench.sh recipes [threads=1] [rounds=2]
#       training throughput per recipe (bce, sampled256, sasrec+, softmax) of `recsys bench train` on DJL and DL4J
#       and of the yardstick copy recsys-bench/yardstick/torch_sasrec_recipes.py, interleaved run by run (djl, dl4j,
#       yardstick, djl, ...), on ML-1M and the synthetic short-sequence set; prints the median table at the end.
#       DATASETS (ml1m synthetic), RECIPES (bce sampled256 sasrec+ softmax), SYSTEMS (djl dl4j yardstick),
#       WARMUP (2), STEPS (8), BATCHING (random|length) and OUT (the folder of the per-run JSON files) select.
# JAVA_OPTS adds JVM options to dl4j (e.g. -Drecsys.dl4j.opprofile=true).
# DATA overrides the data file of train/recommend/dl4j (default ../shared/data/sasrec/ml-1m.txt, relative to the
# repository root). TUNABLES=1 exports GLIBC_TUNABLES (see recsys-backend-djl/README.md) for both DJL and the yardstick.
# Builds the modules it needs (mvn package, nothing is installed into ~/.m2); MVN_OPTS adds Maven options (e.g. -o).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DATA=$(realpath "${DATA:-../shared/data/sasrec/ml-1m.txt}")
mode=${1:-train}
if [ "$mode" = quality-time ]; then
  data=${2:-ml1m}
  epochs=${3:-50}
  threads=${4:-1}
  nice -n 19 mvn -B -q ${MVN_OPTS:-} -pl recsys-examples -am package -DskipTests >/dev/null
  out=${OUT:-recsys-bench/target/quality-time-$data-$(date -u +%Y%m%dT%H%M%S)}
  mkdir -p "$out"
  case "$data" in
    ml1m) file="$DATA" ;;
    ml100k)
      file="$ROOT/recsys-bench/target/ml-100k.txt"
      [ -f "$file" ] || ./recsys data convert --data "ml-100k:$(realpath ../shared/data/ml-100k)" --to sasrec --out "$file" >/dev/null ;;
    *) echo "unknown data set $data (ml1m or ml100k)" >&2; exit 2 ;;
  esac
  export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295}"
  echo "[$(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $data: yardstick ($epochs epochs) and recsys side by side, $threads thread(s) each; logs in $out"
  OPENBLAS_NUM_THREADS="$threads" /usr/bin/python3 recsys-bench/yardstick/torch_sasrec_recipes.py --data "$file" \
    --threads "$threads" --epochs "$epochs" --eval-every 5 >"$out/yardstick.log" 2>&1 &
  ypid=$!
  ./recsys train --data "sasrec:$file" --threads "$threads" ${CONFIG:+--config "$CONFIG"} \
    --set pretrain.evalEvery=1 --set "pretrain.epochs=${EPOCHS_RECSYS:-30}" --set pretrain.patience=100 \
    --out "$out/model" >"$out/recsys.log" 2>&1
  wait "$ypid"
  /usr/bin/python3 recsys-bench/quality_time.py "$out/yardstick.log" "$out/recsys.log"
  exit 0
fi
if [ "$mode" = recipes ]; then
  threads=${2:-1}
  rounds=${3:-2}
  nice -n 19 mvn -B -q ${MVN_OPTS:-} -pl recsys-examples -am package -DskipTests >/dev/null # the build at low priority, the runs not
  out=${OUT:-recsys-bench/target/recipes-$(date -u +%Y%m%dT%H%M%S)}
  mkdir -p "$out"
  synthetic="synthetic:users=31000,items=23700,medianLength=6"
  # the yardstick reads files: the same synthetic data, written once in SASRec's format
  syn_file=recsys-bench/target/synthetic-short.txt
  if [[ " ${DATASETS:-ml1m synthetic} " == *" synthetic "* ]] && [ ! -f "$syn_file" ]; then
    ./recsys data convert --data "$synthetic" --to sasrec --out "$syn_file" >/dev/null
  fi
  # the launcher's engine settings (./recsys), for the yardstick as well
  export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295}"
  for data in ${DATASETS:-ml1m synthetic}; do
    case "$data" in
      ml1m) spec="sasrec:$DATA"; file="$DATA"; window=200 ;;
      synthetic) spec="$synthetic"; file="$ROOT/$syn_file"; window=50 ;;
      *) echo "unknown data set $data (ml1m or synthetic)" >&2; exit 2 ;;
    esac
    for recipe in ${RECIPES:-bce sampled256 sasrec+ softmax}; do
      for r in $(seq 1 "$rounds"); do
        maxlen=$window # what recsys chooses from the data (p99 rounded up); a Java run below reports it
        for system in ${SYSTEMS:-djl dl4j yardstick}; do
          json="$out/${data}__${system}__${recipe}__${threads}__${r}.json"
          rm -f "$json"
          echo "[$(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $data $recipe round $r $system, $threads thread(s)"
          if [ "$system" = yardstick ]; then
            OPENBLAS_NUM_THREADS="$threads" /usr/bin/python3 recsys-bench/yardstick/torch_sasrec_recipes.py \
              --data "$file" --maxlen "$maxlen" --dropout 0.1 --threads "$threads" --warmup "${WARMUP:-2}" \
              --steps "${STEPS:-8}" --loss "$recipe" --json "$json" | grep '^speed-recipes' | sed 's/^/  /'
          else
            ./recsys bench train --recipe "$recipe" --data "$spec" --backend "$system" --threads "$threads" \
              --warmup "${WARMUP:-2}" --steps "${STEPS:-8}" --batching "${BATCHING:-random}" --json "$json" \
              | grep '^bench train' | sed 's/^/  /'
            # the yardstick runs at the window recsys chose from the data
            maxlen=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["maxLen"])' "$json")
          fi
        done
      done
    done
  done
  echo "results: $out"
  /usr/bin/python3 recsys-bench/recipes_table.py "$out"
  exit 0
fi
# one reactor build: package (no install) and the runtime classpath of recsys-bench, which names the sibling jars
mvn -B -q ${MVN_OPTS:-} -pl recsys-bench -am package dependency:build-classpath -DskipTests -Dmdep.includeScope=runtime \
  "-Dmdep.outputFile=$ROOT/recsys-bench/target/cp-\${project.artifactId}.txt" >/dev/null
CP="recsys-bench/target/classes:$(cat recsys-bench/target/cp-recsys-bench.txt)"
export OMP_WAIT_POLICY=PASSIVE
if [ "${TUNABLES:-0}" = 1 ]; then
  export GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295
fi
case "$mode" in
  train)
    threads=${2:-1}
    steps=${3:-30}
    rounds=${4:-3}
    for r in $(seq 1 "$rounds"); do
      echo "round $r (load average $(cut -d' ' -f1 /proc/loadavg))"
      java -cp "$CP" dev.recsys.bench.DjlBench train --data "$DATA" --threads "$threads" --steps "$steps" --warmup 5 \
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
    java -cp "$CP" dev.recsys.bench.DjlBench recommend --data "$DATA" --threads "${2:-1}" --memcalls "${3:-100000}"
    ;;
  dl4j)
    shift
    java -Xmx6g ${JAVA_OPTS:-} -cp "$CP" dev.recsys.bench.Dl4jBench "${1:-train}" --data "$DATA" "${@:2}"
    ;;
  eval)
    java -cp "$CP" dev.recsys.bench.EvalBenchmark "${2:-../shared/data}" ${3:-}
    ;;
  items)
    shift
    # the launcher's engine settings (./recsys), as `recsys recommend --items` runs: without them glibc hands
    # the content pass's memory back after every model, and DJL's first item vectors took 0.85-1.1 s instead of 0.1-0.3 s
    export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295}"
    java -Xmx6g ${JAVA_OPTS:-} -cp "$CP" dev.recsys.bench.NewItemsBench items --data "$DATA" \
      --movies "$(realpath "${MOVIES:-../shared/data/ml-1m/movies.dat}")" "$@"
    ;;
  *)
    echo "usage: $0 train|recommend|dl4j|eval|items|recipes|quality-time ..." >&2
    exit 2
    ;;
esac
