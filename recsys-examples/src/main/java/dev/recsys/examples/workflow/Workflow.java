package dev.recsys.examples.workflow;

import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import dev.recsys.eval.data.ContentBuilder;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.pipeline.TrainingPipeline;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.protocol.Protocol;
import dev.recsys.eval.split.ColdItems;
import java.nio.file.Path;

/**
 * The command line's {@link ExperimentConfig} translated into the library's types: the data made
 * ready ({@link Prepared}), the model's shape, and the two-stage {@link TrainingPipeline}, which
 * does the work.
 */
public final class Workflow {
    /** Metadata key of the experiment config (JSON) in model.json and the provenance. */
    public static final String META_CONFIG = "experiment";

    private Workflow() {}

    /** Metadata key of the cold-start items a model was trained without ({@link #coldLabel}). */
    public static final String META_COLD = "coldItems";

    /** Leave-one-out split, content table (when the config's model reads content) and training sequences. */
    public static Prepared prepare(Dataset d, ExperimentConfig c) {
        return prepare(d, c, null);
    }

    /** As {@link #prepare(Dataset, ExperimentConfig)} under the cold-start items protocol when {@code cold} is not null. */
    public static Prepared prepare(Dataset d, ExperimentConfig c, ColdItems cold) {
        ExperimentConfig.Content content = c.content();
        return Prepared.of(
                d,
                c.model().useContent()
                        ? new ContentBuilder(
                                content.length(), content.minCount(), content.maxVocab(), content.oovBuckets())
                        : null,
                cold);
    }

    /** How a cold list is named in a model's metadata: rule, seed and fingerprint. */
    public static String coldLabel(ColdItems cold) {
        return cold == null ? "none" : cold.rule() + " seed " + cold.seed() + " " + cold.fingerprint();
    }

    /** Fails unless a model was trained without exactly the cold items given (or both have none). */
    public static void requireSameColdItems(CheckpointData model, ColdItems cold, Path dir) {
        String trained = model.metadata().getOrDefault(META_COLD, "none");
        String given = coldLabel(cold);
        if (!trained.equals(given)) {
            throw new DataException("model " + dir + " was trained with cold items " + trained + ", but this run has "
                    + given + "; give the same --cold-items and --seed as the training run");
        }
    }

    public static ModelConfig modelConfig(ExperimentConfig c, Prepared p) {
        return Configs.model(c, p.numItems(), p.contentVocab(), p.eventTypes());
    }

    /** The pipeline of the config's stages, selection metric, re-rank depth and seed; add checkpoints and listeners. */
    public static TrainingPipeline.Builder pipeline(ExperimentConfig c, Backend backend) {
        TrainingPipeline.Builder b = TrainingPipeline.builder(backend)
                .evaluator(evaluator(c, Protocol.full()))
                .metric(c.eval().metric())
                .rerank(c.eval().rerank())
                .validationUsers(c.eval().validationUsers())
                .seed(c.seed())
                .describe(META_CONFIG, ConfigLoader.toJson(c));
        if (c.pretrain().epochs() > 0) {
            b.pretrain(Configs.train(c, c.pretrain(), Stage.PRETRAIN, "pretrain"));
        }
        if (c.finetune() != null && c.finetune().epochs() > 0) {
            b.finetune(Configs.train(c, c.finetune(), Stage.FINETUNE, "finetune"))
                    .hardNegatives(c.finetune().hardNegatives())
                    .freezeStageOne("stage2".equals(c.finetune().trainable()));
        }
        return b;
    }

    /** A freshly initialised model of the config's shape for the data (weights from the seed, engine-free). */
    public static RecModel newModel(Backend backend, ExperimentConfig c, Prepared p) {
        return pipeline(c, backend).build().newModel(modelConfig(c, p), p);
    }

    public static Evaluator evaluator(ExperimentConfig c, Protocol protocol) {
        return Evaluator.builder()
                .protocol(protocol)
                .ks(c.eval().ks())
                .batchSize(128)
                .threads(2)
                .build();
    }
}
