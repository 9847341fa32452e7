package dev.recsys.examples.workflow;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import dev.recsys.eval.protocol.Evaluator;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the file-level {@link ExperimentConfig} into the validated records of recsys-api. Every
 * check is the records' own; a refusal is a {@link BadKey} that names the config key.
 */
public final class Configs {
    private static final Pattern FIRST_WORD = Pattern.compile("^[A-Za-z][A-Za-z0-9]*");
    /** Config keys of a section by the record component names the api records use in their messages. */
    private static final Map<String, String> MODEL_KEYS =
            keys("model", ExperimentConfig.Model.class, Map.of("contentLen", "content.length"));

    private static final Map<String, String> STAGE_KEYS = keys(
            "",
            ExperimentConfig.Stage.class,
            Map.of(
                    "evalEveryEpochs",
                    "evalEvery",
                    "checkpointEverySteps",
                    "checkpointEvery",
                    "t",
                    "gbceT",
                    "type",
                    "optimizer"));

    private Configs() {}

    /** A config value that the api records refuse; {@code key} is the config key, e.g. {@code pretrain.epochs}. */
    public static final class BadKey extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String key;

        BadKey(String key, String problem, Throwable cause) {
            super(key + ": " + problem, cause);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /**
     * Checks the whole config before any data is read: the model shape (with the smallest
     * catalogue and content vocabulary the data could give), both training stages, the content
     * and evaluation settings.
     *
     * @throws BadKey naming the first key that is refused
     */
    public static void validate(ExperimentConfig c) {
        for (RecordComponent rc : ExperimentConfig.class.getRecordComponents()) {
            Object section = value(rc, c);
            if (section == null && !rc.getName().equals("finetune")) {
                throw new BadKey(rc.getName(), "must be set (found null)", null);
            }
            if (section instanceof Record r) {
                for (RecordComponent f : r.getClass().getRecordComponents()) {
                    if (value(f, r) == null) {
                        throw new BadKey(rc.getName() + "." + f.getName(), "must be set (found null)", null);
                    }
                }
            }
        }
        model(c, 1, c.model().useContent() ? 2 : 0, 0);
        train(c, c.pretrain(), Stage.PRETRAIN, "pretrain");
        if (c.finetune() != null) {
            train(c, c.finetune(), Stage.FINETUNE, "finetune");
        }
        ExperimentConfig.Content ct = c.content();
        positive("content.minCount", ct.minCount());
        if (ct.maxVocab() < 2) {
            throw new BadKey(
                    "content.maxVocab", "must be >= 2 (padding and the item marker), found " + ct.maxVocab(), null);
        }
        if (ct.oovBuckets() < 0) {
            throw new BadKey(
                    "content.oovBuckets",
                    "must be >= 0 (0 = words outside the vocabulary are [UNK]), found " + ct.oovBuckets(),
                    null);
        }
        if (ct.oovBuckets() > 0 && ct.maxVocab() < 3L + ct.oovBuckets()) {
            throw new BadKey(
                    "content.maxVocab",
                    "must be >= 3 (the reserved tokens) + content.oovBuckets (" + ct.oovBuckets() + "), found "
                            + ct.maxVocab(),
                    null);
        }
        ExperimentConfig.Eval e = c.eval();
        try {
            Evaluator.builder().ks(e.ks());
        } catch (IllegalArgumentException ex) {
            throw new BadKey("eval.ks", ex.getMessage(), ex);
        }
        if (e.rerank() < 0) {
            throw new BadKey("eval.rerank", "must be >= 0 (0 = stage 1 only), found " + e.rerank(), null);
        }
        if (!List.of("full", "sampled").contains(e.protocol())) {
            throw new BadKey("eval.protocol", "expected full or sampled, found " + e.protocol(), null);
        }
        positive("eval.sampledNegatives", e.sampledNegatives());
        if (e.validationUsers() < 0) {
            throw new BadKey("eval.validationUsers", "must be >= 0 (0 = all), found " + e.validationUsers(), null);
        }
    }

    /**
     * {@link #validate} and, for a config that trains, that the validation metric of model
     * selection is computed: at one of the cut-offs {@code eval.ks}.
     */
    public static void validateTraining(ExperimentConfig c) {
        validate(c);
        ExperimentConfig.Eval e = c.eval();
        Matcher at = Pattern.compile("@(\\d+)$").matcher(e.metric());
        if (at.find() && Arrays.stream(e.ks()).noneMatch(k -> k == Integer.parseInt(at.group(1)))) {
            throw new BadKey(
                    "eval.metric",
                    "expected a metric at one of the cut-offs eval.ks " + Arrays.toString(e.ks())
                            + " (e.g. ndcg@10) or mrr, found " + e.metric(),
                    null);
        }
    }

    /** Each component of the file record as section.name, plus the api names that differ. */
    private static Map<String, String> keys(String section, Class<? extends Record> type, Map<String, String> renamed) {
        Map<String, String> m = new java.util.HashMap<>();
        String prefix = section.isEmpty() ? "" : section + ".";
        for (RecordComponent rc : type.getRecordComponents()) {
            m.put(rc.getName(), prefix + rc.getName());
        }
        renamed.forEach((api, key) -> m.put(api, key.contains(".") ? key : prefix + key));
        return Map.copyOf(m);
    }

    private static Object value(RecordComponent rc, Object record) {
        try {
            return rc.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + rc, e);
        }
    }

    private static void positive(String key, int v) {
        if (v <= 0) {
            throw new BadKey(key, "must be > 0, found " + v, null);
        }
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
            return new ModelConfig(
                    numItems,
                    m.dim(),
                    m.heads(),
                    m.layers(),
                    m.ffnDim(),
                    m.maxLen(),
                    content ? contentVocab : 0,
                    content ? c.content().length() : 0,
                    content ? m.contentLayers() : 0,
                    eventTypes,
                    m.positional(),
                    m.norm(),
                    m.pooling(),
                    m.dropout(),
                    m.layerNormEps(),
                    m.scaleEmbeddings(),
                    m.itemIds());
        } catch (IllegalArgumentException e) {
            throw bad("model", MODEL_KEYS, e);
        }
    }

    /** The stage's loss, by its name ({@link LossSpec#of}). */
    public static LossSpec loss(ExperimentConfig.Stage s, String section) {
        try {
            return LossSpec.of(s.loss(), s.lossParameters());
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            throw new BadKey(
                    section + "." + (msg.startsWith("unknown loss") ? "loss" : keyOf(msg, STAGE_KEYS, "loss")), msg, e);
        }
    }

    public static TrainConfig train(ExperimentConfig c, ExperimentConfig.Stage s, Stage stage, String section) {
        if (s.hardNegatives() < 0) {
            throw new BadKey(section + ".hardNegatives", "must be >= 0 (0 = off), found " + s.hardNegatives(), null);
        }
        if (!"all".equals(s.trainable()) && !"stage2".equals(s.trainable())) {
            throw new BadKey(section + ".trainable", "expected all or stage2, found '" + s.trainable() + "'", null);
        }
        if ("stage2".equals(s.trainable()) && stage != Stage.FINETUNE) {
            throw new BadKey(
                    section + ".trainable",
                    "stage2 is for fine-tuning (pre-training never reads " + "the stage-2 parameters)",
                    null);
        }
        if (s.hardNegatives() > 0 && stage != Stage.FINETUNE) {
            throw new BadKey(
                    section + ".hardNegatives",
                    "hard negatives are mined for fine-tuning only; " + "set it in the finetune section",
                    null);
        }
        if (s.idDropout() > 0 && (!c.model().useContent() || !c.model().itemIds())) {
            throw new BadKey(
                    section + ".idDropout",
                    "item-id dropout needs a content model with item ids (model.useContent: true, model.itemIds: true), found "
                            + "useContent " + c.model().useContent() + ", itemIds "
                            + c.model().itemIds(),
                    null);
        }
        LossSpec loss = loss(s, section);
        try {
            return new TrainConfig(
                    stage,
                    loss,
                    s.sampling(),
                    s.epochs(),
                    s.batchSize(),
                    s.learningRate(),
                    s.warmupSteps(),
                    s.schedule(),
                    s.minLrRatio(),
                    OptimizerConfig.of(s.optimizer(), s.weightDecay(), s.clipNorm()),
                    s.evalEvery(),
                    s.patience(),
                    s.checkpointEvery(),
                    s.batching(),
                    s.idDropout(),
                    c.seed());
        } catch (IllegalArgumentException e) {
            throw bad(section, STAGE_KEYS, e);
        }
    }

    /** The refusal of a record, at the config key its message starts with, else at the section. */
    private static BadKey bad(String section, Map<String, String> keys, IllegalArgumentException e) {
        String key = keyOf(e.getMessage(), keys, null);
        return new BadKey(key == null ? section : key.contains(".") ? key : section + "." + key, e.getMessage(), e);
    }

    /** The key of the component the message starts with (a record names the component it refuses first). */
    private static String keyOf(String message, Map<String, String> keys, String otherwise) {
        Matcher m = FIRST_WORD.matcher(message == null ? "" : message);
        return m.find() ? keys.getOrDefault(m.group(), otherwise) : otherwise;
    }
}
