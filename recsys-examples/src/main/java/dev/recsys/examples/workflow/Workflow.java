package dev.recsys.examples.workflow;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Vocabulary;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.io.Provenance;
import dev.recsys.api.io.TrainingState;
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
import dev.recsys.api.train.TrainingData;
import dev.recsys.api.train.TrainingListener;
import dev.recsys.eval.data.ContentBuilder;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.protocol.Protocol;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The steps every command shares, engine-free: prepare data, build a model on a backend, train
 * the two stages with validation-only model selection, evaluate, save and load checkpoints.
 */
public final class Workflow {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Workflow.class);
    /** Metadata key of the experiment config (JSON) in model.json. */
    public static final String META_CONFIG = "experiment";
    public static final String META_DATASET = "dataset";
    public static final String META_RERANK = "rerank";

    private Workflow() {
    }

    /** Leave-one-out split, content table and training sequences. */
    public static Prepared prepare(Dataset d, ExperimentConfig c) {
        Split split = LeaveOneOut.split(d);
        ItemContent content = null;
        Vocabulary vocab = null;
        if (c.model().useContent() && d.hasMeta() && d.meta().titledItems() > 0) {
            ContentBuilder.Result r = new ContentBuilder(c.content().length(), c.content().minCount(), c.content().maxVocab()).build(d);
            content = r.content();
            vocab = r.vocabulary();
        }
        int eventTypes = d.hasEvents() ? d.eventTypes().size() + 1 : 0;
        int[][] train = split.train();
        int[][] events = null;
        if (eventTypes > 0) {
            events = new int[train.length][];
            for (int u = 0; u < train.length; u++) {
                int[] e = split.trainEvents()[u];
                events[u] = e == null ? new int[train[u].length] : e;
            }
        }
        float[][] ratings = null;
        if (split.trainRatings() != null) {
            ratings = new float[train.length][];
            for (int u = 0; u < train.length; u++) {
                float[] r = split.trainRatings()[u];
                ratings[u] = r == null ? new float[train[u].length] : r;
            }
        }
        TrainingData td = new TrainingData(d.numItems(), train, events, ratings);
        String fp = Provenance.fingerprint(flatten(train), split.validation(), split.test());
        return new Prepared(d, split, content, vocab, td, eventTypes, fp);
    }

    private static int[] flatten(int[][] a) {
        int n = 0;
        for (int[] x : a) {
            n += x.length + 1;
        }
        int[] out = new int[n];
        int k = 0;
        for (int[] x : a) {
            out[k++] = -1;
            System.arraycopy(x, 0, out, k, x.length);
            k += x.length;
        }
        return out;
    }

    public static ModelConfig modelConfig(ExperimentConfig c, Prepared p) {
        return Configs.model(c, p.dataset().numItems(), p.vocabulary() == null ? 0 : p.vocabulary().size(), p.eventTypes());
    }

    /** A freshly initialised model (weights from the seed, engine-free). */
    public static RecModel newModel(Backend backend, ExperimentConfig c, Prepared p) {
        ModelConfig mc = modelConfig(c, p);
        return backend.create(mc, mc.hasContent() ? p.content() : null, Initializer.init(mc, c.seed()), c.seed());
    }

    /** Evaluates a model (stage 1, re-ranked by stage 2 when rerank &gt; 0) on validation or test. */
    public static EvalResult evaluate(RecModel model, Prepared p, ExperimentConfig c, Target target, int rerank, Protocol protocol,
                                      int maxUsers) {
        Split split = p.split();
        if (maxUsers > 0) {
            split = subsample(split, maxUsers, c.seed());
        }
        Split s = split;
        ModelScorer scorer = new ModelScorer(model, rerank, p.eventTypes() > 0 ? u -> s.historyEvents(u, target) : null);
        return evaluator(c, protocol).evaluate(split, target, scorer);
    }

    public static Evaluator evaluator(ExperimentConfig c, Protocol protocol) {
        return Evaluator.builder().protocol(protocol).ks(c.eval().ks()).batchSize(128).threads(2).build();
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
        return new Split(s.name(), s.dataset(), s.numUsers(), s.numItems(), s.train(), s.trainEvents(), s.trainRatings(), val,
                s.validationEvent(), test, s.testEvent());
    }

    /** Result of {@link #train}: both stages. */
    public record Trained(TrainResult pretrain, TrainResult finetune) {
    }

    /**
     * Pre-trains then fine-tunes, selecting each stage's weights on validation only.
     *
     * @param checkpointDir where to save resumable checkpoints (null = none)
     * @param resume        a training state to continue from (null = fresh)
     */
    public static Trained train(RecModel model, Prepared p, ExperimentConfig c, List<TrainingListener> listeners,
                                Path checkpointDir, Backend backend, ResumePoint resume) {
        return train(model, p, c, listeners, checkpointDir, backend, resume, false);
    }

    /**
     * As above; {@code warmStarted}: the model starts from another model's weights ({@link #warmStart}),
     * so pre-training must beat it on validation or it is undone (as fine-tuning always must).
     */
    public static Trained train(RecModel model, Prepared p, ExperimentConfig c, List<TrainingListener> listeners,
                                Path checkpointDir, Backend backend, ResumePoint resume, boolean warmStarted) {
        TrainResult pre = null;
        TrainResult fine = null;
        String metric = c.eval().metric();
        int valUsers = c.eval().validationUsers();
        boolean skipPretrain = resume != null && resume.stage() == Stage.FINETUNE;
        if (c.pretrain().epochs() > 0 && !skipPretrain) {
            TrainConfig tc = Configs.train(c, c.pretrain(), Stage.PRETRAIN, "pretrain");
            Trainer t = new Trainer(model, tc, p.training())
                    .validator(m -> evaluate(m, p, c, Target.VALIDATION, 0, Protocol.full(), valUsers).metric(metric));
            if (warmStarted && resume == null && tc.evalEveryEpochs() > 0) {
                t.baseline(evaluate(model, p, c, Target.VALIDATION, 0, Protocol.full(), valUsers).metric(metric));
            }
            listeners.forEach(t::addListener);
            if (checkpointDir != null) {
                t.checkpoints(st -> saveTraining(checkpointDir, model, p, c, backend, Stage.PRETRAIN, st, null));
            }
            pre = t.fit(resume == null ? null : resume.state());
        }
        if (c.finetune() != null && c.finetune().epochs() > 0) {
            TrainConfig tc = Configs.train(c, c.finetune(), Stage.FINETUNE, "finetune");
            int rerank = Math.max(1, c.eval().rerank());
            Trainer t = new Trainer(model, tc, p.training())
                    .validator(m -> evaluate(m, p, c, Target.VALIDATION, rerank, Protocol.full(), valUsers).metric(metric));
            if (!skipPretrain && tc.evalEveryEpochs() > 0) {
                // fine-tuning must beat the pre-trained model re-ranked as it is, or it is undone
                t.baseline(evaluate(model, p, c, Target.VALIDATION, rerank, Protocol.full(), valUsers).metric(metric));
            }
            if ("stage2".equals(c.finetune().trainable())) {
                t.freeze(Trainer.STAGE1);
            }
            int[][] pools = null;
            if (c.finetune().hardNegatives() > 0) {
                if (skipPretrain && resume.pools() != null) {
                    pools = resume.pools(); // mined from the pre-trained model before the interruption
                } else {
                    if (skipPretrain) {
                        LOG.warn("the checkpoint carries no hard negatives: mining them again from its weights (the run "
                                + "continues, but not bit-identical to an uninterrupted one)");
                    }
                    long t0 = System.nanoTime();
                    pools = HardNegatives.mine(model, p.training(), c.finetune().hardNegatives(), 128);
                    LOG.info("hard negatives: the stage-1 top {} unseen items of {} users mined in {} s",
                            c.finetune().hardNegatives(), java.util.Arrays.stream(pools).filter(x -> x != null).count(),
                            String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
                }
                t.hardNegatives(pools);
            }
            int[][] savedPools = pools;
            listeners.forEach(t::addListener);
            if (checkpointDir != null) {
                t.checkpoints(st -> saveTraining(checkpointDir, model, p, c, backend, Stage.FINETUNE, st, savedPools));
            }
            fine = t.fit(skipPretrain ? resume.state() : null);
        }
        return new Trained(pre, fine);
    }

    /**
     * Starts the model from the weights of the checkpoint in {@code dir} ({@link WarmStart}: the same
     * catalogue and dimension; parts the source lacks keep their initialisation, added content starts
     * at zero). Returns what was done.
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
     * Where a resumed run continues.
     *
     * @param pools the fine-tuning hard negatives saved with the state (null when none)
     */
    public record ResumePoint(Stage stage, TrainState state, int[][] pools) {
    }

    /** Name of the hard-negative pools in optimizer.safetensors: {@code [users, pool]} item ids, 0 = none. */
    static final String POOLS = "finetune.hardNegatives";

    public static CheckpointData checkpointData(RecModel model, Weights weights, Prepared p, ExperimentConfig c, Backend backend) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_DATASET, p.dataset().name());
        meta.put(META_CONFIG, ConfigLoader.toJson(c));
        meta.put(META_RERANK, Integer.toString(c.eval().rerank()));
        List<String> items = new ArrayList<>(p.dataset().itemIds().toList());
        if (items.size() == p.dataset().numItems()) {
            items.add(0, "");
        }
        Provenance prov = Provenance.capture(Map.of("experiment", ConfigLoader.toJson(c)), p.fingerprint(), c.seed(),
                backend.name(), backend.engineVersion());
        ModelConfig mc = model.config();
        return new CheckpointData(mc, weights, mc.hasContent() ? p.content() : null,
                mc.hasContent() ? p.vocabulary().tokens() : null, items, meta, prov);
    }

    /** Saves the model (weights as they are now). */
    public static void save(Path dir, RecModel model, Prepared p, ExperimentConfig c, Backend backend) throws IOException {
        Checkpoint.write(dir, checkpointData(model, model.weights(), p, c, backend));
    }

    static void saveTraining(Path dir, RecModel model, Prepared p, ExperimentConfig c, Backend backend, Stage stage, TrainState st,
                             int[][] pools) throws IOException {
        Weights opt = st.optimizer().copy();
        if (pools != null) {
            putPools(opt, pools, model.config().numItems());
        }
        if (st.bestWeights() != null) {
            st.bestWeights().asMap().forEach((k, v) -> opt.put("best." + k, v.shape(), v.data()));
        }
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("stage", stage.name());
        trainer.put("epochsDone", (long) st.epochsDone());
        trainer.put("step", st.step());
        trainer.put("stepInEpoch", (long) st.stepInEpoch());
        trainer.put("bestMetric", Double.isNaN(st.bestMetric()) ? null : st.bestMetric());
        trainer.put("bestEpoch", (long) st.bestEpoch());
        trainer.put("badChecks", (long) st.badChecks());
        Checkpoint.write(dir, checkpointData(model, st.weights(), p, c, backend), new TrainingState(opt, trainer));
    }

    /** Reads a resumable state saved by {@link #train}; fails clearly when the folder has none. */
    public static ResumePoint readResume(Path dir) throws IOException {
        TrainingState ts = Checkpoint.readTrainingState(dir).orElseThrow(() -> new CheckpointException(
                dir + " has no training state (optimizer.safetensors, trainer.json) to resume from; "
                        + "train with --set pretrain.checkpointEvery=N to write one"));
        CheckpointData cd = Checkpoint.read(dir);
        Map<String, Object> t = ts.trainer();
        Weights opt = new Weights();
        Weights best = new Weights();
        int[][] pools = ts.optimizer().asMap().containsKey(POOLS) ? pools(ts.optimizer(), dir) : null;
        ts.optimizer().asMap().forEach((k, v) -> {
            if (k.equals(POOLS)) {
                return;
            }
            if (k.startsWith("best.")) {
                best.put(k.substring(5), v.shape(), v.data());
            } else {
                opt.put(k, v.shape(), v.data());
            }
        });
        Object bm = t.get("bestMetric");
        TrainState st = new TrainState(num(t, "epochsDone"), num(t, "step"), num(t, "stepInEpoch"), cd.weights(), opt,
                bm == null ? Double.NaN : ((Number) bm).doubleValue(), num(t, "bestEpoch"), num(t, "badChecks"),
                best.size() == 0 ? null : best);
        Stage stage;
        try {
            stage = Stage.valueOf(String.valueOf(t.get("stage")));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(dir + "/trainer.json: unknown stage '" + t.get("stage") + "'");
        }
        return new ResumePoint(stage, st, pools);
    }

    private static void putPools(Weights opt, int[][] pools, int numItems) {
        if (numItems >= 1 << 24) {
            throw new IllegalArgumentException("hard-negative pools are saved as float32 ids, exact below 2^24 items; this "
                    + "catalogue has " + numItems);
        }
        int width = 0;
        for (int[] x : pools) {
            width = Math.max(width, x == null ? 0 : x.length);
        }
        float[] flat = new float[pools.length * Math.max(1, width)];
        for (int u = 0; u < pools.length; u++) {
            for (int j = 0; pools[u] != null && j < pools[u].length; j++) {
                flat[u * width + j] = pools[u][j];
            }
        }
        opt.put(POOLS, new int[] {pools.length, Math.max(1, width)}, flat);
    }

    private static int[][] pools(Weights opt, Path dir) {
        int[] shape = opt.get(POOLS).shape();
        float[] flat = opt.data(POOLS);
        if (shape.length != 2) {
            throw new CheckpointException(dir + "/optimizer.safetensors: " + POOLS + " must be [users, pool], found rank "
                    + shape.length);
        }
        int[][] pools = new int[shape[0]][];
        for (int u = 0; u < shape[0]; u++) {
            int n = 0;
            while (n < shape[1] && flat[u * shape[1] + n] != 0f) {
                n++;
            }
            pools[u] = new int[n];
            for (int j = 0; j < n; j++) {
                pools[u][j] = (int) flat[u * shape[1] + j];
            }
        }
        return pools;
    }

    private static int num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof Number n)) {
            throw new CheckpointException("trainer.json: field '" + k + "' is missing or not a number");
        }
        return n.intValue();
    }

    /** A model loaded from a checkpoint folder onto a backend. */
    public record Loaded(RecModel model, CheckpointData data, int rerank) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    public static Loaded load(Path dir, Backend backend) throws IOException {
        CheckpointData cd = Checkpoint.read(dir);
        int rerank = 100;
        String r = cd.metadata().get(META_RERANK);
        if (r != null) {
            try {
                rerank = Integer.parseInt(r);
            } catch (NumberFormatException e) {
                throw new CheckpointException(dir + "/model.json: metadata rerank is not a number: " + r);
            }
        }
        RecModel m = backend.create(cd.config(), cd.content(), cd.weights(), cd.provenance() == null ? 0 : cd.provenance().seed());
        return new Loaded(m, cd, rerank);
    }

    /** Checks that a loaded model fits a data set (same catalogue size). */
    public static void checkFits(CheckpointData cd, Dataset d, Path dir) {
        if (cd.config().numItems() != d.numItems()) {
            throw new DataException("model " + dir + " was trained on " + cd.config().numItems() + " items but the data has "
                    + d.numItems() + "; evaluate on the data it was trained on");
        }
    }
}
