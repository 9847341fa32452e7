#!/usr/bin/env bash
# One command for the evaluation benchmark (load time, evaluation overhead, baseline numbers on
# SASRec's ml-1m.txt): builds recsys-eval, then runs dev.recsys.eval.bench.EvalBenchmark.
# Usage: recsys-eval/bench.sh [dataDir (default ../shared/data)] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl recsys-eval -am install -DskipTests
mvn -B -q -pl recsys-eval dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
java -cp "recsys-eval/target/classes:$(cat recsys-eval/target/bench.cp)" dev.recsys.eval.bench.EvalBenchmark "${1:-../shared/data}" ${2:-}
