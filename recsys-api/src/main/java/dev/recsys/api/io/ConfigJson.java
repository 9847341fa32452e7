package dev.recsys.api.io;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.config.Sampling;
import dev.recsys.api.config.Schedule;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Configs ⇄ JSON maps, for {@code model.json} and for config files of the command line.
 *
 * <p>Every record field is a key named as the record component ({@code numItems},
 * {@code layerNormEps}, ...); enums are lower-case strings ({@code "learned"}, {@code "pre"},
 * {@code "adamw"}; read case-insensitively); a loss is an object with its {@code name}
 * ({@code {"name": "gbce", "negatives": 256, "t": 0.75}}). Reading is strict: an unknown key, a
 * missing key, a value of the wrong type or a value the record's constructor refuses fails
 * with an {@link IllegalArgumentException} naming the field, e.g.
 * {@code model config.heads: expected an integer, found the string "two"}.
 *
 * <p>For partial config files, merge over the defaults:
 * {@code Map m = toMap(defaults); m.putAll(partial); modelFromMap(m)}.
 */
public final class ConfigJson {
    private static final String[] MODEL_KEYS = {"numItems", "dim", "heads", "layers", "ffnDim", "maxLen", "contentVocab",
        "contentLen", "contentLayers", "eventTypes", "positional", "norm", "pooling", "dropout", "layerNormEps",
        "scaleEmbeddings", "itemIds"};
    private static final String[] TRAIN_KEYS = {"stage", "loss", "sampling", "epochs", "batchSize", "learningRate",
        "warmupSteps", "schedule", "minLrRatio", "optimizer", "evalEveryEpochs", "patience", "checkpointEverySteps", "seed"};
    private static final String[] OPTIMIZER_KEYS = {"type", "beta1", "beta2", "epsilon", "weightDecay", "clipNorm"};
    /** Loss names accepted by {@link #lossFromMap}. */
    public static final List<String> LOSS_NAMES = List.of("bce", "mse", "bpr", "hinge", "softmax", "sampled-softmax", "gbce");

    private ConfigJson() {
    }

    // ------------------------------------------------------------------------------ ModelConfig

    /** Every field of the model config, in declaration order. */
    public static Map<String, Object> toMap(ModelConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("numItems", c.numItems());
        m.put("dim", c.dim());
        m.put("heads", c.heads());
        m.put("layers", c.layers());
        m.put("ffnDim", c.ffnDim());
        m.put("maxLen", c.maxLen());
        m.put("contentVocab", c.contentVocab());
        m.put("contentLen", c.contentLen());
        m.put("contentLayers", c.contentLayers());
        m.put("eventTypes", c.eventTypes());
        m.put("positional", JsonFields.enumName(c.positional()));
        m.put("norm", JsonFields.enumName(c.norm()));
        m.put("pooling", JsonFields.enumName(c.pooling()));
        m.put("dropout", c.dropout());
        m.put("layerNormEps", c.layerNormEps());
        m.put("scaleEmbeddings", c.scaleEmbeddings());
        m.put("itemIds", c.itemIds());
        return m;
    }

    /** Reads a model config; every key is required. */
    public static ModelConfig modelFromMap(Object map) {
        return modelFromMap(map, "model config");
    }

    static ModelConfig modelFromMap(Object map, String where) {
        JsonFields f = JsonFields.of(map, where, MODEL_KEYS);
        return construct(where, () -> new ModelConfig(
                f.getInt("numItems"), f.getInt("dim"), f.getInt("heads"), f.getInt("layers"), f.getInt("ffnDim"),
                f.getInt("maxLen"), f.getInt("contentVocab"), f.getInt("contentLen"), f.getInt("contentLayers"),
                f.getInt("eventTypes"), f.getEnum("positional", Positional.class), f.getEnum("norm", Norm.class),
                f.getEnum("pooling", Pooling.class), f.getFloat("dropout"), f.getFloat("layerNormEps"),
                f.getBoolean("scaleEmbeddings"), f.getBoolean("itemIds")));
    }

    // ------------------------------------------------------------------------------ TrainConfig

    /** Every field of the train config; loss and optimizer as nested objects. */
    public static Map<String, Object> toMap(TrainConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", JsonFields.enumName(c.stage()));
        m.put("loss", toMap(c.loss()));
        m.put("sampling", JsonFields.enumName(c.sampling()));
        m.put("epochs", c.epochs());
        m.put("batchSize", c.batchSize());
        m.put("learningRate", c.learningRate());
        m.put("warmupSteps", c.warmupSteps());
        m.put("schedule", JsonFields.enumName(c.schedule()));
        m.put("minLrRatio", c.minLrRatio());
        m.put("optimizer", toMap(c.optimizer()));
        m.put("evalEveryEpochs", c.evalEveryEpochs());
        m.put("patience", c.patience());
        m.put("checkpointEverySteps", c.checkpointEverySteps());
        m.put("seed", c.seed());
        return m;
    }

    /** Reads a train config; every key is required. */
    public static TrainConfig trainFromMap(Object map) {
        String where = "train config";
        JsonFields f = JsonFields.of(map, where, TRAIN_KEYS);
        Stage stage = f.getEnum("stage", Stage.class);
        LossSpec loss = lossFromMap(f.getObject("loss"), where + ".loss");
        OptimizerConfig opt = optimizerFromMap(f.getObject("optimizer"), where + ".optimizer");
        return construct(where, () -> new TrainConfig(stage, loss, f.getEnum("sampling", Sampling.class),
                f.getInt("epochs"), f.getInt("batchSize"), f.getFloat("learningRate"), f.getInt("warmupSteps"),
                f.getEnum("schedule", Schedule.class), f.getFloat("minLrRatio"), opt, f.getInt("evalEveryEpochs"),
                f.getInt("patience"), f.getInt("checkpointEverySteps"), f.getLong("seed")));
    }

    // ------------------------------------------------------------------------------ OptimizerConfig

    public static Map<String, Object> toMap(OptimizerConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", JsonFields.enumName(c.type()));
        m.put("beta1", c.beta1());
        m.put("beta2", c.beta2());
        m.put("epsilon", c.epsilon());
        m.put("weightDecay", c.weightDecay());
        m.put("clipNorm", c.clipNorm());
        return m;
    }

    /** Reads an optimizer config; every key is required. */
    public static OptimizerConfig optimizerFromMap(Object map) {
        return optimizerFromMap(map, "optimizer config");
    }

    static OptimizerConfig optimizerFromMap(Object map, String where) {
        JsonFields f = JsonFields.of(map, where, OPTIMIZER_KEYS);
        return construct(where, () -> new OptimizerConfig(f.getEnum("type", OptimizerConfig.Type.class),
                f.getFloat("beta1"), f.getFloat("beta2"), f.getFloat("epsilon"), f.getFloat("weightDecay"),
                f.getFloat("clipNorm")));
    }

    // ------------------------------------------------------------------------------ LossSpec

    /** The loss as {@code {"name": ..., parameters...}}. */
    public static Map<String, Object> toMap(LossSpec loss) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", loss.name());
        if (loss instanceof LossSpec.Bce b) {
            m.put("negatives", b.negatives());
        } else if (loss instanceof LossSpec.Bpr b) {
            m.put("negatives", b.negatives());
        } else if (loss instanceof LossSpec.Hinge h) {
            m.put("negatives", h.negatives());
            m.put("margin", h.margin());
        } else if (loss instanceof LossSpec.SampledSoftmax s) {
            m.put("negatives", s.negatives());
            m.put("logQ", s.logQ());
        } else if (loss instanceof LossSpec.Gbce g) {
            m.put("negatives", g.negatives());
            m.put("t", g.t());
        } else if (!(loss instanceof LossSpec.Mse) && !(loss instanceof LossSpec.SoftmaxCe)) {
            throw new IllegalArgumentException("unknown loss type " + loss.getClass().getName());
        }
        return m;
    }

    /** Reads a loss: {@code name} picks the type, whose parameters are then all required. */
    public static LossSpec lossFromMap(Object map) {
        return lossFromMap(map, "loss");
    }

    static LossSpec lossFromMap(Object map, String where) {
        JsonFields f = JsonFields.of(map, where);
        String name = f.getString("name");
        switch (name) {
            case "bce":
                f.allowOnly("name", "negatives");
                return construct(where, () -> new LossSpec.Bce(f.getInt("negatives")));
            case "mse":
                f.allowOnly("name");
                return new LossSpec.Mse();
            case "bpr":
                f.allowOnly("name", "negatives");
                return construct(where, () -> new LossSpec.Bpr(f.getInt("negatives")));
            case "hinge":
                f.allowOnly("name", "negatives", "margin");
                return construct(where, () -> new LossSpec.Hinge(f.getInt("negatives"), f.getFloat("margin")));
            case "softmax":
                f.allowOnly("name");
                return new LossSpec.SoftmaxCe();
            case "sampled-softmax":
                f.allowOnly("name", "negatives", "logQ");
                return construct(where, () -> new LossSpec.SampledSoftmax(f.getInt("negatives"), f.getBoolean("logQ")));
            case "gbce":
                f.allowOnly("name", "negatives", "t");
                return construct(where, () -> new LossSpec.Gbce(f.getInt("negatives"), f.getFloat("t")));
            default:
                throw new IllegalArgumentException(where + ".name: unknown loss " + Json.quote(name) + "; known: " + LOSS_NAMES);
        }
    }

    /** Runs a record constructor, prefixing its validation message with where. */
    private static <T> T construct(String where, java.util.function.Supplier<T> ctor) {
        try {
            return ctor.get();
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            if (msg != null && msg.startsWith(where)) {
                throw e;
            }
            throw new IllegalArgumentException(where + ": " + msg, e);
        }
    }
}
