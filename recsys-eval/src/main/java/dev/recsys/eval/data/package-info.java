/**
 * Interaction data in compact primitive storage ({@link dev.recsys.eval.data.Dataset}), streaming
 * readers for MovieLens, SASRec sequence files and generic delimited logs, preparation (rating
 * threshold, k-core), statistics and item content building.
 */
package dev.recsys.eval.data;
