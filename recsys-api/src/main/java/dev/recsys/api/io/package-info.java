/**
 * Files: the one JSON setup of the build on Jackson ({@link dev.recsys.api.io.Json}: a strict
 * mapper, the pretty layout of model.json and trainer.json, one-line messages), the standard
 * safetensors tensor format ({@link dev.recsys.api.io.Safetensors}), the checkpoint folder
 * ({@link dev.recsys.api.io.Checkpoint}: {@code model.json} + {@code weights.safetensors}, and
 * optionally {@code optimizer.safetensors} + {@code trainer.json} for resuming, whose content for a
 * two-stage run is {@link dev.recsys.api.io.ResumeState}) and run provenance
 * ({@link dev.recsys.api.io.Provenance}). The config records are read and written by Jackson
 * through their canonical constructors, so their own validation is the one check.
 *
 * <p>Every file is written atomically (temp file in the same folder, fsync, atomic rename) and
 * every read validates its input and fails with a {@link dev.recsys.api.CheckpointException} or
 * an {@link IllegalArgumentException} that names the file and the problem.
 */
package dev.recsys.api.io;
