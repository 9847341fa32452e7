/** The evaluation benchmark ({@link dev.recsys.eval.bench.EvalBenchmark}): load time, evaluation overhead, baseline numbers. */
package dev.recsys.eval.bench;
