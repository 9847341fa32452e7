/**
 * recsys on Apache Spark: data preparation ({@link dev.recsys.spark.Prepare}), batch
 * recommendation ({@link dev.recsys.spark.BatchRecommend}) and evaluation ({@link
 * dev.recsys.spark.DistributedEvaluation}) in partitions, over the engine-free readers, splits and
 * protocol of recsys-eval. Training stays on one node; it reads the prepared folder
 * ({@code --data prepared:DIR}). See docs/SCALING.md.
 */
package dev.recsys.spark;
