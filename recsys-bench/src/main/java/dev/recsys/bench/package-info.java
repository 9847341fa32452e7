/**
 * Benchmark commands, kept out of the library artifacts: {@link dev.recsys.bench.DjlBench} (the DJL
 * backend against the PyTorch speed yardstick), {@link dev.recsys.bench.Dl4jBench} (either backend
 * through the SPI on the same batches), {@link dev.recsys.bench.EvalBenchmark} (load time,
 * evaluation overhead, baselines) and {@link dev.recsys.bench.YardstickBatches} (batches built
 * exactly as the yardstick script builds them). {@code recsys-bench/bench.sh} runs them.
 */
package dev.recsys.bench;
