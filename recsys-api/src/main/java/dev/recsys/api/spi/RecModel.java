package dev.recsys.api.spi;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.Weights;

/**
 * A model built by a backend. Everything crossing this interface is Java arrays and records.
 * Scoring methods are thread-safe and release their native memory before returning;
 * {@link #lossAndGradients} and {@link #setWeights} are called from one training thread.
 * After {@link #close()} every method except close fails with an {@link IllegalStateException}.
 *
 * <p>Semantics are those of the reference forward pass in {@code dev.recsys.api.reference}.
 */
public interface RecModel extends AutoCloseable {
    ModelConfig config();

    /** Item content, or null for an id-only model. */
    ItemContent content();

    /** Stage-1 user vectors: the encoded last position {@code u_L}, {@code [B, d]}. */
    float[] userVectors(SeqBatch batch);

    /** Item vectors {@code [N+1, d]} (row 0: the padding item). Computed once per weight version. */
    float[] itemVectors();

    /** Stage-1 scores of every item, {@code [B, N+1]}; column 0 is padding and must be masked by the caller. */
    float[] scoreAll(SeqBatch batch);

    /** Stage-2 cross-attention scores of {@code perRow} candidates per row, {@code [B, perRow]}. */
    float[] scoreCandidates(SeqBatch batch, int[] candidates, int perRow);

    /**
     * Candidates for stage 2: {@code perRow} item ids per row of the batch, {@code [B * perRow]}.
     *
     * @param perRow 0 for none (then no stage-2 pass runs)
     */
    record Candidates(int[] ids, int perRow) {}

    /**
     * Both stages of one batch.
     *
     * @param stage1     {@link #scoreAll} of the batch, {@code [B, N+1]}
     * @param candidates what the picker chose from stage1
     * @param stage2     {@link #scoreCandidates} of those candidates, {@code [B, perRow]} (empty when perRow is 0)
     */
    record TwoStageScores(float[] stage1, Candidates candidates, float[] stage2) {}

    /**
     * Stage-1 scores of every item, then stage-2 scores of the candidates that {@code pick}
     * chooses from them (the two-stage recommender's call). The result equals {@link #scoreAll}
     * followed by {@link #scoreCandidates}, which is what this default does; backends override it
     * to encode the users once for both stages.
     *
     * @param pick called once with the stage-1 scores {@code [B, N+1]}
     */
    default TwoStageScores scoreTwoStage(SeqBatch batch, java.util.function.Function<float[], Candidates> pick) {
        float[] s1 = scoreAll(batch);
        Candidates c = pick.apply(s1);
        float[] s2 = c.perRow() == 0 ? new float[0] : scoreCandidates(batch, c.ids(), c.perRow());
        return new TwoStageScores(s1, c, s2);
    }

    /**
     * The loss of the batch and its gradients.
     *
     * @param training apply dropout (true in training; false for checks)
     */
    StepResult lossAndGradients(TrainBatch batch, LossSpec loss, boolean training);

    /**
     * Positions the dropout stream: the next training-mode {@link #lossAndGradients} call draws the
     * masks of call number {@code call} (0-based) of a model built with the same seed, so a run
     * resumed at step t repeats the uninterrupted run's masks. The {@link dev.recsys.api.train.Trainer} calls it when a
     * stage starts (with 0, or the resumed step). Models without dropout may ignore it.
     *
     * @param call training-mode calls to count as already made, &gt;= 0
     */
    default void seekDropout(long call) {}

    /**
     * The seed of the dropout masks of training call {@code call} (0-based) of a model built with
     * {@code seed}: SplitMix64 of the two, non-negative. Backends seed each call's masks from it, which
     * makes {@link #seekDropout} exact.
     */
    static long dropoutSeed(long seed, long call) {
        long z = seed + 0x9E3779B97F4A7C15L * (call + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    /** A copy of the current weights. */
    Weights weights();

    /** Replaces every parameter (canonical names and shapes) and invalidates cached item vectors. */
    void setWeights(Weights weights);

    /** Intermediate results of one eval-mode forward pass, for layer-by-layer comparison. */
    ForwardTrace trace(SeqBatch batch, int[] candidates, int perRow);

    /** Releases native memory; safe to call twice. */
    @Override
    void close();
}
