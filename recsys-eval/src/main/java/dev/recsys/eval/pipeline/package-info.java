/**
 * The training pipeline as a library: data made ready for a model
 * ({@link dev.recsys.eval.pipeline.Prepared}), the two-stage run with validation-only model
 * selection, early stopping, checkpoints and resume ({@link dev.recsys.eval.pipeline.TrainingPipeline}),
 * and saved models read back ({@link dev.recsys.eval.pipeline.SavedModel}). Engine-free: the
 * models come from a {@link dev.recsys.api.spi.Backend}.
 */
package dev.recsys.eval.pipeline;
