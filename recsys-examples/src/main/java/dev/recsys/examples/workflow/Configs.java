package dev.recsys.examples.workflow;

import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.config.Sampling;
import dev.recsys.api.config.Schedule;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.loss.LossSpec;
import java.util.Arrays;
import java.util.Locale;

/** Turns the file-level {@link ExperimentConfig} into the validated records of recsys-api. */
public final class Configs {
    private Configs() {
    }

    /**
     * @param numItems     catalogue size of the data
     * @param contentVocab vocabulary size (0 = no content)
     * @param eventTypes   event types in the data (0 = none)
     */
    public static ModelConfig model(ExperimentConfig c, int numItems, int contentVocab, int eventTypes) {
        ExperimentConfig.Model m = c.model();
        boolean content = m.useContent() && contentVocab > 0;
        try {
            return new ModelConfig(numItems, m.dim(), m.heads(), m.layers(), m.ffnDim(), m.maxLen(),
                    content ? contentVocab : 0, content ? c.content().length() : 0, content ? m.contentLayers() : 0,
                    eventTypes, parse(Positional.class, m.positional(), "model.positional"), parse(Norm.class, m.norm(), "model.norm"),
                    parse(Pooling.class, m.pooling(), "model.pooling"), m.dropout(), m.layerNormEps(), m.scaleEmbeddings(),
                    m.itemIds());
        } catch (IllegalArgumentException e) {
            throw new DataException("config section 'model': " + e.getMessage());
        }
    }

    public static LossSpec loss(ExperimentConfig.Stage s, String section) {
        try {
            return switch (s.loss().toLowerCase(Locale.ROOT)) {
                case "bce" -> new LossSpec.Bce(s.negatives());
                case "mse" -> new LossSpec.Mse();
                case "bpr" -> new LossSpec.Bpr(s.negatives());
                case "hinge" -> new LossSpec.Hinge(s.negatives(), s.margin());
                case "softmax" -> new LossSpec.SoftmaxCe();
                case "sampled-softmax" -> new LossSpec.SampledSoftmax(s.negatives(), s.logQ());
                case "gbce" -> new LossSpec.Gbce(s.negatives(), s.gbceT());
                default -> throw new DataException("config '" + section + ".loss': unknown loss '" + s.loss()
                        + "'; known: bce, mse, bpr, hinge, softmax, sampled-softmax, gbce");
            };
        } catch (IllegalArgumentException e) {
            throw new DataException("config section '" + section + "': " + e.getMessage());
        }
    }

    public static TrainConfig train(ExperimentConfig c, ExperimentConfig.Stage s, dev.recsys.api.loss.Stage stage, String section) {
        if (s.hardNegatives() < 0) {
            throw new DataException("config '" + section + ".hardNegatives': must be >= 0 (0 = off), found " + s.hardNegatives());
        }
        if (!"all".equals(s.trainable()) && !"stage2".equals(s.trainable())) {
            throw new DataException("config '" + section + ".trainable': expected all or stage2, found '" + s.trainable() + "'");
        }
        if ("stage2".equals(s.trainable()) && stage != dev.recsys.api.loss.Stage.FINETUNE) {
            throw new DataException("config '" + section + ".trainable': stage2 is for fine-tuning (pre-training never reads "
                    + "the stage-2 parameters)");
        }
        if (s.hardNegatives() > 0 && stage != dev.recsys.api.loss.Stage.FINETUNE) {
            throw new DataException("config '" + section + ".hardNegatives': hard negatives are mined for fine-tuning only; "
                    + "set it in the finetune section");
        }
        try {
            OptimizerConfig.Type type = parse(OptimizerConfig.Type.class, s.optimizer(), section + ".optimizer");
            OptimizerConfig opt = new OptimizerConfig(type, 0.9f, 0.98f, 1e-8f, s.weightDecay(), s.clipNorm());
            return new TrainConfig(stage, loss(s, section), parse(Sampling.class, s.sampling(), section + ".sampling"),
                    s.epochs(), s.batchSize(), s.learningRate(), s.warmupSteps(),
                    parse(Schedule.class, s.schedule(), section + ".schedule"), s.minLrRatio(), opt, s.evalEvery(), s.patience(),
                    s.checkpointEvery(), c.seed());
        } catch (IllegalArgumentException e) {
            throw new DataException("config section '" + section + "': " + e.getMessage());
        }
    }

    static <E extends Enum<E>> E parse(Class<E> type, String value, String field) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        throw new DataException("config '" + field + "': unknown value '" + value + "'; known: "
                + Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
    }
}
