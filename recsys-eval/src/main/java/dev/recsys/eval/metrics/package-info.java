/**
 * Ranking metrics with exact formulas ({@link dev.recsys.eval.metrics.RankingMetrics}), immutable
 * evaluation results with per-user values ({@link dev.recsys.eval.metrics.EvalResult}) and paired
 * significance tests ({@link dev.recsys.eval.metrics.PairedTest}, {@link dev.recsys.eval.metrics.StudentT}).
 */
package dev.recsys.eval.metrics;
