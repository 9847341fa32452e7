package dev.recsys.eval.pipeline;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.io.Provenance;
import dev.recsys.api.io.ResumeState;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.WarmStart;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.train.HardNegatives;
import dev.recsys.api.train.TrainResult;
import dev.recsys.api.train.TrainState;
import dev.recsys.api.train.Trainer;
import dev.recsys.api.train.TrainingListener;
import dev.recsys.eval.data.ContentBuilder;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.protocol.ModelScorer;
import dev.recsys.eval.split.ColdItems;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two-stage training run, engine-free: pre-training (stage 1, next-item retrieval), then
 * fine-tuning of the cross-attention re-ranker (stage 2), optionally on hard negatives mined from
 * the pre-trained model and with stage 1 frozen. Each stage selects its weights on validation only
 * (never test), stops early after {@code patience} validations without improvement, and must beat
 * the model it started from: fine-tuning always, pre-training when the model was warm-started; a
 * stage that does not is undone. With a checkpoint folder every stage saves a resumable
 * {@link ResumeState} every {@code checkpointEverySteps} steps, and {@link #resume} continues such a
 * run to the same weights as an uninterrupted one.
 *
 * <pre>{@code
 * Prepared data = Prepared.of(dataset, new ContentBuilder(8, 1, 50_000));
 * TrainingPipeline pipeline = TrainingPipeline.builder(backend)
 *         .pretrain(TrainConfig.pretrainDefaults().withEpochs(30))
 *         .finetune(finetuneConfig).hardNegatives(50)
 *         .rerank(50).checkpoints(Path.of("model"))
 *         .build();
 * try (RecModel model = pipeline.newModel(modelConfig, data)) {
 *     pipeline.train(model, data);
 *     EvalResult test = pipeline.evaluate(model, data, Target.TEST);
 * }
 * }</pre>
 */
public final class TrainingPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingPipeline.class);
    /** Metadata key of the data set's name in model.json. */
    public static final String META_DATASET = "dataset";
    /** Metadata key of the re-rank depth in model.json (read back by {@link SavedModel}). */
    public static final String META_RERANK = "rerank";

    private final Backend backend;
    private final TrainConfig pretrain;
    private final TrainConfig finetune;
    private final int hardNegatives;
    private final boolean freezeStageOne;
    private final Evaluator evaluator;
    private final String metric;
    private final int rerank;
    private final int validationUsers;
    private final long seed;
    private final Path checkpointDir;
    private final Map<String, String> description;
    private final List<TrainingListener> listeners;

    private TrainingPipeline(Builder b) {
        this.backend = b.backend;
        this.pretrain = b.pretrain;
        this.finetune = b.finetune;
        this.hardNegatives = b.hardNegatives;
        this.freezeStageOne = b.freezeStageOne;
        this.evaluator = b.evaluator;
        this.metric = b.metric;
        this.rerank = b.rerank;
        this.validationUsers = b.validationUsers;
        this.seed = b.seed;
        this.checkpointDir = b.checkpointDir;
        this.description = Map.copyOf(b.description);
        this.listeners = List.copyOf(b.listeners);
    }

    /** A builder for runs on {@code backend} (which creates the models and is named in their provenance). */
    public static Builder builder(Backend backend) {
        return new Builder(backend);
    }

    /** What {@link #train} did: each stage's result, null for a stage that did not run. */
    public record Result(TrainResult pretrain, TrainResult finetune) {}

    /** A freshly initialised model for {@code data} (weights from the seed, engine-free, the same on every backend). */
    public RecModel newModel(ModelConfig config, Prepared data) {
        return backend.create(
                config, config.hasContent() ? data.content() : null, Initializer.init(config, seed), seed);
    }

    /** Trains both stages from the model's current weights. */
    public Result train(RecModel model, Prepared data) {
        return run(model, data, null, false);
    }

    /**
     * Trains a model that starts from another model's weights ({@link #warmStart}): as {@link #train},
     * but pre-training must also beat the starting weights on validation or it is undone.
     */
    public Result trainWarmStarted(RecModel model, Prepared data) {
        return run(model, data, null, true);
    }

    /**
     * Continues an interrupted run from its saved state ({@link #readResume}); with the same
     * pipeline settings and data it ends with the weights of an uninterrupted run.
     */
    public Result resume(RecModel model, Prepared data, ResumeState from) {
        Objects.requireNonNull(from, "from");
        if (!from.state().weights().names().equals(model.weights().names())) {
            throw new DataException("the resume state holds a model of another shape than this one (tensors "
                    + from.state().weights().names() + " vs " + model.weights().names()
                    + "); resume with the same config and data");
        }
        return run(model, data, from, false);
    }

    private Result run(RecModel model, Prepared p, ResumeState resume, boolean warmStarted) {
        TrainResult pre = null;
        TrainResult fine = null;
        boolean skipPretrain = resume != null && resume.stage() == Stage.FINETUNE;
        if (pretrain != null && pretrain.epochs() > 0 && !skipPretrain) {
            Trainer t = new Trainer(model, pretrain, p.training()).validator(m -> validate(m, p, 0));
            if (warmStarted && resume == null && pretrain.evalEveryEpochs() > 0) {
                t.baseline(validate(model, p, 0));
            }
            listeners.forEach(t::addListener);
            if (checkpointDir != null) {
                t.checkpoints(st -> saveTraining(model, p, Stage.PRETRAIN, st, null));
            }
            pre = t.fit(resume == null ? null : resume.state());
        }
        if (finetune != null && finetune.epochs() > 0) {
            int depth = Math.max(1, rerank);
            Trainer t = new Trainer(model, finetune, p.training()).validator(m -> validate(m, p, depth));
            if (!skipPretrain && finetune.evalEveryEpochs() > 0) {
                // fine-tuning must beat the pre-trained model re-ranked as it is, or it is undone
                t.baseline(validate(model, p, depth));
            }
            if (freezeStageOne) {
                t.freeze(Trainer.STAGE1);
            }
            int[][] pools = null;
            if (hardNegatives > 0) {
                pools = skipPretrain && resume.hardNegatives() != null
                        ? resume.hardNegatives()
                        : mine(model, p, skipPretrain);
                t.hardNegatives(pools);
            }
            int[][] savedPools = pools;
            listeners.forEach(t::addListener);
            if (checkpointDir != null) {
                t.checkpoints(st -> saveTraining(model, p, Stage.FINETUNE, st, savedPools));
            }
            fine = t.fit(skipPretrain ? resume.state() : null);
        }
        return new Result(pre, fine);
    }

    /** The stage-1 top unseen items of every user, from the model as pre-training left it. */
    private int[][] mine(RecModel model, Prepared p, boolean resumed) {
        if (resumed) {
            LOG.warn("the checkpoint carries no hard negatives: mining them again from its weights (the run "
                    + "continues, but not bit-identical to an uninterrupted one)");
        }
        long t0 = System.nanoTime();
        int[][] pools = HardNegatives.mine(model, p.training(), hardNegatives, 128);
        LOG.info(
                "hard negatives: the stage-1 top {} unseen items of {} users mined in {} s",
                hardNegatives,
                Arrays.stream(pools).filter(x -> x != null).count(),
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
        return pools;
    }

    /** The selection metric on validation (a fixed subset of users when validationUsers &gt; 0). */
    private double validate(RecModel model, Prepared p, int depth) {
        zeroColdRows(model, p);
        Split split = validationUsers > 0
                ? subsample(p.split(Target.VALIDATION), validationUsers, seed)
                : p.split(Target.VALIDATION);
        return evaluator
                .evaluate(split, Target.VALIDATION, ModelScorer.of(model, depth, split, Target.VALIDATION))
                .metric(metric);
    }

    /** Evaluates the model on validation or test, re-ranked to the pipeline's depth. */
    public EvalResult evaluate(RecModel model, Prepared data, Target target) {
        return evaluate(model, data, target, rerank);
    }

    /** Evaluates the model on validation or test: stage 1, re-ranked by stage 2 when {@code depth > 0}. */
    public EvalResult evaluate(RecModel model, Prepared data, Target target, int depth) {
        zeroColdRows(model, data);
        Split split = data.split(target);
        return evaluator.evaluate(split, target, ModelScorer.of(model, depth, split, target));
    }

    /** Keeps a fixed random subset of users' targets (for fast validation during training). */
    static Split subsample(Split s, int maxUsers, long seed) {
        int withTarget = 0;
        for (int u = 1; u <= s.numUsers(); u++) {
            if (s.validation()[u] != 0) {
                withTarget++;
            }
        }
        if (withTarget <= maxUsers) {
            return s;
        }
        int[] val = s.validation().clone();
        int[] test = s.test().clone();
        SplittableRandom r = new SplittableRandom(seed ^ 0xa5a5L);
        int keep = maxUsers;
        int left = withTarget;
        for (int u = 1; u <= s.numUsers(); u++) {
            if (val[u] == 0) {
                continue;
            }
            if (r.nextInt(left) < keep) {
                keep--;
            } else {
                val[u] = 0;
                test[u] = 0;
            }
            left--;
        }
        return new Split(
                s.name(),
                s.dataset(),
                s.numUsers(),
                s.numItems(),
                s.train(),
                s.trainEvents(),
                s.trainRatings(),
                val,
                s.validationEvent(),
                test,
                s.testEvent());
    }

    /**
     * The checkpoint of {@code model} with {@code weights}: content and vocabulary, the external item
     * ids, metadata (data set name, the run's description, re-rank depth) and provenance.
     */
    public CheckpointData checkpointData(RecModel model, Weights weights, Prepared p) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_DATASET, p.dataset().name());
        meta.putAll(description);
        meta.put(META_RERANK, Integer.toString(rerank));
        if (model.config().hasContent()) {
            meta.put(ContentBuilder.META_RULES, ContentBuilder.RULES);
        }
        List<String> items = new ArrayList<>(p.dataset().itemIds().toList());
        if (items.size() == p.dataset().numItems()) {
            items.add(0, "");
        }
        Provenance prov = Provenance.capture(
                new LinkedHashMap<>(description), p.fingerprint(), seed, backend.name(), backend.engineVersion());
        ModelConfig mc = model.config();
        return new CheckpointData(
                mc,
                weights,
                mc.hasContent() ? p.content() : null,
                mc.hasContent() ? p.vocabulary().tokens() : null,
                items,
                meta,
                prov);
    }

    /**
     * Under the cold-start items protocol, scores and saved models never use the cold items'
     * untrained id rows ({@link ColdItems#zeroIdRows}).
     */
    private static void zeroColdRows(RecModel model, Prepared p) {
        if (p.coldItems() != null && model.config().itemIds()) {
            Weights w = model.weights();
            if (p.coldItems().zeroIdRows(w)) {
                model.setWeights(w);
            }
        }
    }

    /** Saves the model as it is now (weights only, no training state). */
    public void save(Path dir, RecModel model, Prepared p) throws IOException {
        zeroColdRows(model, p);
        Checkpoint.write(dir, checkpointData(model, model.weights(), p));
    }

    private void saveTraining(RecModel model, Prepared p, Stage stage, TrainState st, int[][] pools)
            throws IOException {
        ResumeState.write(checkpointDir, checkpointData(model, st.weights(), p), new ResumeState(stage, st, pools));
    }

    /** Reads the resumable state a run saved in {@code dir}; fails clearly when the folder holds none. */
    public static ResumeState readResume(Path dir) throws IOException {
        return ResumeState.read(dir)
                .orElseThrow(() -> new CheckpointException(dir + " has no training state ("
                        + Checkpoint.OPTIMIZER + ", " + Checkpoint.TRAINER
                        + ") to resume from; train with checkpointEvery > 0 "
                        + "(e.g. --set pretrain.checkpointEvery=N) to write one"));
    }

    /**
     * Starts the model from the weights of the checkpoint in {@code dir} ({@link WarmStart}: the same
     * catalogue and dimension; parts the source lacks keep their initialisation, added content starts
     * at zero). Train it with {@link #trainWarmStarted}. Returns what was done.
     */
    public static WarmStart.Result warmStart(RecModel model, Path dir) throws IOException {
        CheckpointData src = Checkpoint.read(dir);
        WarmStart.Result r;
        try {
            r = WarmStart.apply(model.config(), model.weights(), src.config(), src.weights());
        } catch (IllegalArgumentException e) {
            throw new DataException("cannot start from " + dir + ": " + e.getMessage());
        }
        model.setWeights(r.weights());
        return r;
    }

    /**
     * Settings of a {@link TrainingPipeline}: the backend is required, everything else has a default;
     * without a stage the pipeline trains nothing but still builds, evaluates and saves models.
     */
    public static final class Builder {
        private final Backend backend;
        private TrainConfig pretrain;
        private TrainConfig finetune;
        private int hardNegatives;
        private boolean freezeStageOne;
        private Evaluator evaluator =
                Evaluator.builder().ks(5, 10, 20).batchSize(128).threads(2).build();
        private String metric = "ndcg@10";
        private int rerank = 100;
        private int validationUsers;
        private long seed = 42L;
        private Path checkpointDir;
        private final Map<String, String> description = new LinkedHashMap<>();
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
        }

        /** Stage 1: next-item pre-training ({@code stage} PRETRAIN); null or 0 epochs = skip. */
        public Builder pretrain(TrainConfig c) {
            if (c != null && c.stage() != Stage.PRETRAIN) {
                throw new IllegalArgumentException(
                        "the pretrain stage needs a PRETRAIN TrainConfig, found " + c.stage());
            }
            this.pretrain = c;
            return this;
        }

        /** Stage 2: fine-tuning of the re-ranker ({@code stage} FINETUNE); null or 0 epochs = skip. */
        public Builder finetune(TrainConfig c) {
            if (c != null && c.stage() != Stage.FINETUNE) {
                throw new IllegalArgumentException(
                        "the finetune stage needs a FINETUNE TrainConfig, found " + c.stage());
            }
            this.finetune = c;
            return this;
        }

        /**
         * Fine-tunes on each user's stage-1 top {@code pool} unseen items, mined once from the
         * pre-trained model ({@link HardNegatives}); 0 = uniform negatives (default).
         */
        public Builder hardNegatives(int pool) {
            if (pool < 0) {
                throw new IllegalArgumentException("hardNegatives must be >= 0 (0 = off), found " + pool);
            }
            this.hardNegatives = pool;
            return this;
        }

        /** Fine-tunes only the stage-2 tensors ({@link Trainer#STAGE1} frozen); default false. */
        public Builder freezeStageOne(boolean freeze) {
            this.freezeStageOne = freeze;
            return this;
        }

        /** The evaluator of validation and of {@link #evaluate} (default: full ranking, K = 5, 10, 20). */
        public Builder evaluator(Evaluator e) {
            this.evaluator = Objects.requireNonNull(e, "evaluator");
            return this;
        }

        /** The validation metric that selects the weights, as {@link EvalResult#metric} names it (default ndcg@10). */
        public Builder metric(String m) {
            this.metric = Objects.requireNonNull(m, "metric");
            return this;
        }

        /** Candidates re-ranked by stage 2 in evaluation (default 100; 0 = stage 1 only; fine-tuning validates with at least 1). */
        public Builder rerank(int depth) {
            if (depth < 0) {
                throw new IllegalArgumentException("rerank must be >= 0, found " + depth);
            }
            this.rerank = depth;
            return this;
        }

        /** Validates on a fixed random subset of this many users (0 = all, the default). */
        public Builder validationUsers(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("validationUsers must be >= 0 (0 = all), found " + n);
            }
            this.validationUsers = n;
            return this;
        }

        /** Seed of the initial weights, the backend's dropout and the validation subset (default 42). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Saves resumable checkpoints here (every {@code checkpointEverySteps} steps of a stage); null = none. */
        public Builder checkpoints(Path dir) {
            this.checkpointDir = dir;
            return this;
        }

        /** Describes the run (e.g. its config file as JSON) in the checkpoints' metadata and provenance. */
        public Builder describe(String key, String value) {
            if (key.equals(META_DATASET) || key.equals(META_RERANK)) {
                throw new IllegalArgumentException("metadata key '" + key + "' is set by the pipeline; choose another");
            }
            description.put(key, Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Receives every step, epoch and validation of both stages. */
        public Builder listener(TrainingListener l) {
            listeners.add(Objects.requireNonNull(l, "listener"));
            return this;
        }

        public TrainingPipeline build() {
            if (finetune == null && (hardNegatives > 0 || freezeStageOne)) {
                throw new IllegalArgumentException(
                        "hardNegatives and freezeStageOne are fine-tuning settings; set finetune too");
            }
            return new TrainingPipeline(this);
        }
    }
}
