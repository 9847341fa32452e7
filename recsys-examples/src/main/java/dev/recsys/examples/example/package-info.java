/**
 * Small runnable programs for the library API (no command line, no workflow glue):
 * {@link dev.recsys.examples.example.TrainOnCsvExample} trains on your own CSV log and saves a
 * checkpoint, {@link dev.recsys.examples.example.ServeRecommendationsExample} loads it and serves
 * {@code recommend} over HTTP, and {@link dev.recsys.examples.example.CompareConfigsExample} trains
 * two configurations and tells with a paired test whether the difference is real.
 */
package dev.recsys.examples.example;
