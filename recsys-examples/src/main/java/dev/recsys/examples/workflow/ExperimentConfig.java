package dev.recsys.examples.workflow;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A training run as written in a config file (JSON or YAML). Every field is optional in the
 * file; missing ones take the defaults of {@link #defaults()}; unknown keys are rejected. The
 * reference of every field is docs/CONFIG.md.
 *
 * @param model    the network's shape (catalogue size and content sizes come from the data)
 * @param content  how item content becomes tokens
 * @param pretrain stage 1: next-item pre-training
 * @param finetune stage 2: fine-tuning the cross-attention scorer (null or epochs 0 = skip)
 * @param eval     evaluation protocol and cut-offs
 * @param seed     the one seed of the run
 */
public record ExperimentConfig(
        @JsonProperty("model") Model model,
        @JsonProperty("content") Content content,
        @JsonProperty("pretrain") Stage pretrain,
        @JsonProperty("finetune") Stage finetune,
        @JsonProperty("eval") Eval eval,
        @JsonProperty("seed") long seed) {

    /** Network shape. */
    public record Model(int dim, int heads, int layers, int ffnDim, int maxLen, int contentLayers,
                        String positional, String norm, String pooling, float dropout, float layerNormEps,
                        boolean scaleEmbeddings, boolean itemIds, boolean useContent) {
    }

    /** Content tokenisation: tokens per item (marker included) and the vocabulary's minimum count. */
    public record Content(int length, int minCount, int maxVocab) {
    }

    /**
     * One training stage.
     *
     * @param loss      bce | gbce | softmax | sampled-softmax | mse | bpr | hinge
     * @param negatives negatives per positive (sampled losses)
     * @param gbceT     gBCE calibration t
     * @param logQ      log-Q correction for sampled-softmax
     * @param margin    hinge margin
     * @param hardNegatives fine-tuning only: draw the negatives from each user's stage-1 top this-many
     *                  unseen items, mined once from the pre-trained model, and fine-tune on the last
     *                  training position (0 = uniform negatives at random cuts)
     * @param trainable all | stage2 (fine-tuning only: train the cross-attention and the scorer, leave
     *                  stage 1, and with it the re-ranked candidates, as pre-training left it)
     */
    public record Stage(String loss, int negatives, float gbceT, boolean logQ, float margin, String sampling,
                        int epochs, int batchSize, float learningRate, int warmupSteps, String schedule,
                        float minLrRatio, String optimizer, float weightDecay, float clipNorm, int evalEvery,
                        int patience, int checkpointEvery, int hardNegatives, String trainable) {
    }

    /**
     * Evaluation.
     *
     * @param ks        cut-offs, e.g. [5, 10, 20]
     * @param metric    the validation metric for model selection, e.g. ndcg@10
     * @param rerank    candidates re-ranked by stage 2 (0 = stage 1 only)
     * @param protocol  full | sampled
     * @param sampledNegatives negatives of the sampled protocol
     */
    public record Eval(int[] ks, String metric, int rerank, String protocol, int sampledNegatives,
                       int validationUsers) {
    }

    /** The defaults: a SASRec-shaped model with content, BCE pre-training, BPR fine-tuning. */
    public static ExperimentConfig defaults() {
        return new ExperimentConfig(
                new Model(64, 2, 2, 64, 200, 1, "learned", "pre", "mean", 0.2f, 1e-8f, true, true, true),
                new Content(12, 1, 50_000),
                new Stage("bce", 1, 0.75f, true, 0.5f, "uniform", 200, 128, 1e-3f, 0, "constant", 0f, "adam", 0f, 5f, 20, 3, 0, 0, "all"),
                new Stage("bpr", 8, 0.75f, true, 0.5f, "uniform", 5, 128, 2e-4f, 0, "constant", 0f, "adam", 0f, 5f, 1, 2, 0, 0, "all"),
                new Eval(new int[] {5, 10, 20}, "ndcg@10", 100, "full", 100, 0),
                42L);
    }
}
