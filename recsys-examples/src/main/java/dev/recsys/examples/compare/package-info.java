/**
 * {@code recsys compare}: the backend comparison study. Each backend trains the same config from
 * the same seed on the same data (by default in its own child JVM, for clean memory numbers), is
 * evaluated with full ranking and bootstrap confidence intervals, timed for training throughput and
 * {@code recommend} latency, and checked for parity (one saved model loaded in every backend gives
 * the same scores). The result is written as Markdown, JSON and a self-contained HTML report with
 * Chart.js charts.
 */
package dev.recsys.examples.compare;
