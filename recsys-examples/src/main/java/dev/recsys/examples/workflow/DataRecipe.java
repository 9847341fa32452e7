package dev.recsys.examples.workflow;

import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetStats;
import java.util.List;

/**
 * The recipe {@code recsys train} uses when no {@code --config} is given: the best recipe that the
 * README's ML-1M results support (SASRec+: sampled softmax over negatives drawn from the items the
 * user has not seen, ids only, dropout 0.1, Adam at 1e-3, model selected on validation with early
 * stopping) in the reference SASRec block layout ({@code model.norm: sasrec}, which learns faster on
 * ML-1M than the pre-norm layout: docs/RESULTS.md "Time to quality and the reference block layout"), with the two settings that depend on the data chosen from it (docs/CONFIG.md
 * "Without --config"). It is expressed as config overrides applied before the user's own
 * {@code --set}s, which win.
 */
public final class DataRecipe {
    /** Negatives of the sampled softmax on large catalogues: 3,000, the published SASRec+ setting on ML-1M. */
    public static final int MAX_NEGATIVES = 3000;
    /** The longest {@code maxLen} chosen (SASRec's ML-1M setting); shorter data gets a shorter window. */
    public static final int MAX_LEN = 200;
    /** The shortest {@code maxLen} chosen. */
    public static final int MIN_LEN = 10;

    private DataRecipe() {}

    /** The overrides for data d, in the form of {@code --set} values. */
    public static List<String> overrides(Dataset d) {
        DatasetStats s = DatasetStats.of(d);
        return List.of(
                "model.dim=64",
                "model.heads=1",
                "model.layers=2",
                "model.ffnDim=64",
                "model.dropout=0.1",
                "model.layerNormEps=1.0e-8",
                "model.norm=sasrec",
                "model.useContent=false",
                "model.maxLen=" + maxLen(s.p99()),
                "pretrain.loss=sampled-softmax",
                "pretrain.sampling=unseen",
                "pretrain.logQ=false",
                "pretrain.negatives=" + negatives(d.numItems()),
                "pretrain.epochs=100",
                "pretrain.batchSize=128",
                "pretrain.learningRate=0.001",
                "pretrain.schedule=constant",
                "pretrain.warmupSteps=0",
                "pretrain.evalEvery=2",
                "pretrain.patience=5",
                "finetune.epochs=0",
                "eval.rerank=0");
    }

    /**
     * The window: the 99th percentile of the users' sequence lengths rounded up to a multiple of
     * 10, within [{@value #MIN_LEN}, {@value #MAX_LEN}] (ML-1M: p99 908, so 200; a data set whose
     * median length is 6 and p99 43 gets 50).
     */
    static int maxLen(int p99) {
        int rounded = (p99 + 9) / 10 * 10;
        return Math.max(MIN_LEN, Math.min(MAX_LEN, rounded));
    }

    /** Negatives per sequence: {@value #MAX_NEGATIVES}, or every other item of a smaller catalogue. */
    static int negatives(int numItems) {
        return Math.max(1, Math.min(MAX_NEGATIVES, numItems - 1));
    }
}
