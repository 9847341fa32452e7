package dev.recsys.examples.workflow;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.recsys.api.config.Batching;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.config.Sampling;
import dev.recsys.api.config.Schedule;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.io.Json;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.eval.data.ContentBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training run as written in a config file (JSON or YAML). Every field is optional in the
 * file; missing ones take the defaults of {@link #defaults()}; unknown keys are rejected. The
 * reference of every field is docs/CONFIG.md. The values are checked by the recsys-api records
 * they become ({@link Configs#validate}); the defaults of the model shape and of the two
 * training stages are those of the api ({@link ModelConfig#builder()}, {@link TrainConfig#pretrainDefaults()},
 * {@link TrainConfig#finetuneDefaults()}, {@link LossSpec#DEFAULT_PARAMETERS}).
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

    /**
     * Network shape: the {@link ModelConfig} fields that do not come from the data.
     *
     * @param useContent use item content when the data has it
     */
    public record Model(
            int dim,
            int heads,
            int layers,
            int ffnDim,
            int maxLen,
            int contentLayers,
            Positional positional,
            Norm norm,
            Pooling pooling,
            float dropout,
            float layerNormEps,
            boolean scaleEmbeddings,
            boolean itemIds,
            boolean useContent) {

        /** The file form of an api model shape, with the content encoder depth used when content is on. */
        static Model of(ModelConfig m, int contentLayers, boolean useContent) {
            return new Model(
                    m.dim(),
                    m.heads(),
                    m.layers(),
                    m.ffnDim(),
                    m.maxLen(),
                    contentLayers,
                    m.positional(),
                    m.norm(),
                    m.pooling(),
                    m.dropout(),
                    m.layerNormEps(),
                    m.scaleEmbeddings(),
                    m.itemIds(),
                    useContent);
        }
    }

    /**
     * Content tokenisation: tokens per item (marker included), the vocabulary's minimum count and
     * size, and the hashed out-of-vocabulary buckets that words below the minimum count (and words
     * of items added after training) share (0 = such words are {@code [UNK]}).
     */
    public record Content(int length, int minCount, int maxVocab, int oovBuckets) {}

    /**
     * One training stage: a {@link TrainConfig} flattened for files.
     *
     * @param loss      bce | gbce | softmax | sampled-softmax | mse | bpr | hinge ({@link LossSpec#names()})
     * @param negatives negatives per positive (sampled losses)
     * @param gbceT     gBCE calibration t
     * @param logQ      log-Q correction for sampled-softmax
     * @param margin    hinge margin
     * @param hardNegatives fine-tuning only: draw the negatives from each user's stage-1 top this-many
     *                  unseen items, mined once from the pre-trained model, and fine-tune on the last
     *                  training position (0 = uniform negatives at random cuts)
     * @param trainable all | stage2 (fine-tuning only: train the cross-attention and the scorer, leave
     *                  stage 1, and with it the re-ranked candidates, as pre-training left it)
     * @param batching  random | length: how an epoch groups users into batches ({@link Batching})
     * @param idDropout pre-training of content models with item ids: the probability that a batch leaves
     *                  out an item's id row (its vector is its content alone, as a cold item's); 0 = off
     */
    public record Stage(
            String loss,
            int negatives,
            float gbceT,
            boolean logQ,
            float margin,
            Sampling sampling,
            int epochs,
            int batchSize,
            float learningRate,
            int warmupSteps,
            Schedule schedule,
            float minLrRatio,
            OptimizerConfig.Type optimizer,
            float weightDecay,
            float clipNorm,
            int evalEvery,
            int patience,
            int checkpointEvery,
            int hardNegatives,
            String trainable,
            Batching batching,
            float idDropout) {

        /** The file form of an api stage; loss parameters it does not have take their defaults. */
        static Stage of(TrainConfig t) {
            Map<String, Object> p = new LinkedHashMap<>(LossSpec.DEFAULT_PARAMETERS);
            p.putAll(Json.toMap(t.loss()));
            OptimizerConfig o = t.optimizer();
            return new Stage(
                    t.loss().name(),
                    ((Number) p.get("negatives")).intValue(),
                    ((Number) p.get("t")).floatValue(),
                    (Boolean) p.get("logQ"),
                    ((Number) p.get("margin")).floatValue(),
                    t.sampling(),
                    t.epochs(),
                    t.batchSize(),
                    t.learningRate(),
                    t.warmupSteps(),
                    t.schedule(),
                    t.minLrRatio(),
                    o.type(),
                    o.weightDecay(),
                    o.clipNorm(),
                    t.evalEveryEpochs(),
                    t.patience(),
                    t.checkpointEverySteps(),
                    0,
                    "all",
                    t.batching(),
                    t.idDropout());
        }

        /** The loss parameters by their api names (gbceT is the loss's {@code t}). */
        Map<String, Object> lossParameters() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("negatives", negatives);
            m.put("t", gbceT);
            m.put("logQ", logQ);
            m.put("margin", margin);
            return m;
        }
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
    public record Eval(
            int[] ks, String metric, int rerank, String protocol, int sampledNegatives, int validationUsers) {}

    /**
     * The defaults: the api's model shape with 2 heads and a one-layer content encoder, content on,
     * the api's pre-training (BCE) and fine-tuning (BPR) stages.
     */
    public static ExperimentConfig defaults() {
        TrainConfig pre = TrainConfig.pretrainDefaults();
        return new ExperimentConfig(
                Model.of(ModelConfig.builder().heads(2).build(), 1, true),
                new Content(
                        ContentBuilder.STANDARD_LENGTH,
                        ContentBuilder.STANDARD_MIN_COUNT,
                        ContentBuilder.STANDARD_MAX_VOCAB,
                        0),
                Stage.of(pre),
                Stage.of(TrainConfig.finetuneDefaults()),
                new Eval(new int[] {5, 10, 20}, "ndcg@10", 100, "full", 100, 0),
                pre.seed());
    }
}
