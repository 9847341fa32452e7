/**
 * {@code recsys bench}: the benchmarks behind the README's performance table: training
 * sequences/s for the SASRec shape, {@code recommend} latency and throughput, evaluation time for
 * every user, and data loading time ({@link dev.recsys.examples.bench.Benchmark}); and
 * {@code recsys bench train}: training throughput and peak memory per recipe through the trainer
 * ({@link dev.recsys.examples.bench.TrainBenchmark}).
 */
package dev.recsys.examples.bench;
