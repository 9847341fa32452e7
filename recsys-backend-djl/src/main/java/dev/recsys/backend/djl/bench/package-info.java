/**
 * Benchmarks of the DJL backend (not tests): {@link dev.recsys.backend.djl.bench.DjlBench} measures
 * training speed on the SASRec shape against the PyTorch-from-Python yardstick
 * ({@code ../shared/bench/torch_sasrec.py}) and recommendation latency, throughput and native
 * memory growth.
 */
package dev.recsys.backend.djl.bench;
