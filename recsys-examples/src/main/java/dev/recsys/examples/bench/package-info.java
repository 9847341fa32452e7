/**
 * {@code recsys bench}: the benchmarks behind the README's performance table: training
 * sequences/s for the SASRec shape, {@code recommend} latency and throughput, evaluation time for
 * every user, and data loading time.
 */
package dev.recsys.examples.bench;
