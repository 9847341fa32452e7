/**
 * Files: a strict JSON reader and writer ({@link dev.recsys.api.io.Json}), the standard
 * safetensors tensor format ({@link dev.recsys.api.io.Safetensors}), the checkpoint folder
 * ({@link dev.recsys.api.io.Checkpoint}: {@code model.json} + {@code weights.safetensors}, and
 * optionally {@code optimizer.safetensors} + {@code trainer.json} for resuming, whose content for a
 * two-stage run is {@link dev.recsys.api.io.ResumeState}), config ⇄ JSON
 * conversion ({@link dev.recsys.api.io.ConfigJson}) and run provenance
 * ({@link dev.recsys.api.io.Provenance}).
 *
 * <p>Everything is written by hand on the JDK (this module depends on slf4j-api only). Every
 * file is written atomically (temp file in the same folder, fsync, atomic rename) and every
 * read validates its input and fails with a {@link dev.recsys.api.CheckpointException} or
 * {@link dev.recsys.api.io.JsonException} that names the file and the problem.
 */
package dev.recsys.api.io;
