package dev.recsys.api.train;

import dev.recsys.api.TrainingException;
import dev.recsys.api.config.Batching;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine-free training loop, written once for every backend: epochs over shuffled users,
 * batches built on a background thread, one backend forward/backward per step, the engine-free
 * {@link Adam} update, the learning-rate schedule, a NaN/Inf guard, validation every
 * {@code evalEveryEpochs} epochs with early stopping and best-weight restore, and resumable
 * checkpoints every {@code checkpointEverySteps} steps.
 *
 * <p>Repeatability: the user order of epoch e comes from {@code (seed, e)} and the negatives of
 * step t from {@code (seed, t)}; with the backend's dropout seeded as well, a run and a resumed
 * run take the same steps.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final int PREFETCH = 3;

    private final RecModel model;
    private final TrainConfig config;
    private final TrainingData data;
    private Batcher batcher;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private Validator validator;
    private CheckpointSink checkpoints;
    private double baseline = Double.NaN;
    private java.util.function.Predicate<String> frozen = name -> false;

    public Trainer(RecModel model, TrainConfig config, TrainingData data) {
        this.model = Objects.requireNonNull(model, "model");
        this.config = Objects.requireNonNull(config, "config");
        this.data = Objects.requireNonNull(data, "data");
        if (data.numItems() != model.config().numItems()) {
            throw new IllegalArgumentException("training data has " + data.numItems()
                    + " items but the model was built for " + model.config().numItems());
        }
        NegativeSampler sampler =
                new NegativeSampler(data.numItems(), config.sampling(), data.itemCounts(), data.heldOut());
        this.batcher = new Batcher(
                data,
                model.config().maxLen(),
                config.stage(),
                config.loss(),
                sampler,
                model.config().eventTypes() > 0,
                Batcher.sharesNegatives(
                        config.stage(),
                        config.loss(),
                        config.batchSize(),
                        model.config().maxLen(),
                        model.config().dim()));
        if (config.idDropout() > 0) {
            if (!model.config().hasContent() || !model.config().itemIds()) {
                throw new IllegalArgumentException("idDropout " + config.idDropout()
                        + " needs a content model with item ids (model.useContent: true, model.itemIds: true): "
                        + "without content an item whose id row is left out has no vector");
            }
            this.batcher = batcher.withIdDropout(config.idDropout());
        }
    }

    public Trainer addListener(TrainingListener l) {
        listeners.add(Objects.requireNonNull(l));
        return this;
    }

    public Trainer validator(Validator v) {
        this.validator = v;
        return this;
    }

    /**
     * The validation metric of the model as it is before training (e.g. the pre-trained model before
     * fine-tuning). It counts as epoch 0: if no epoch beats it, {@link #fit} restores the starting
     * weights, so a stage can never make the selected model worse on validation.
     */
    public Trainer baseline(double metric) {
        this.baseline = metric;
        return this;
    }

    /**
     * Fine-tunes on hard negatives: per user item pools (see {@link HardNegatives#mine} and
     * {@link Batcher#withPools}). Fine-tuning stage only.
     */
    public Trainer hardNegatives(int[][] pools) {
        this.batcher = batcher.withPools(pools);
        return this;
    }

    /**
     * Trains only some tensors: the named ones are left as they are ({@link Adam#freeze}), e.g.
     * {@link #STAGE1} to fine-tune the re-ranker over a fixed retrieval stage.
     */
    public Trainer freeze(java.util.function.Predicate<String> names) {
        this.frozen = java.util.Objects.requireNonNull(names, "names");
        return this;
    }

    /** Every tensor but the stage-2 ones (cross-attention and scorer): fine-tuning then leaves stage 1 as it is. */
    public static final java.util.function.Predicate<String> STAGE1 =
            name -> !(name.startsWith(dev.recsys.api.model.ParamLayout.CROSS + ".") || name.startsWith("scorer."));

    public Trainer checkpoints(CheckpointSink sink) {
        this.checkpoints = sink;
        return this;
    }

    /** Users with a training example, in a fixed order. */
    private int[] usableUsers() {
        int n = 0;
        int[] tmp = new int[data.users()];
        for (int u = 0; u < data.users(); u++) {
            if (batcher.usable(u)) {
                tmp[n++] = u;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("no user has at least 2 training items; nothing to train on");
        }
        return java.util.Arrays.copyOf(tmp, n);
    }

    /** Steps of one epoch. */
    public int stepsPerEpoch() {
        int users = usableUsers().length;
        return (users + config.batchSize() - 1) / config.batchSize();
    }

    /** Trains from the model's current weights. */
    public TrainResult fit() {
        return fit(null);
    }

    /** Trains, resuming from state when it is not null. */
    public TrainResult fit(TrainState resume) {
        int[] users = usableUsers();
        int perEpoch = (users.length + config.batchSize() - 1) / config.batchSize();
        long total = (long) perEpoch * config.epochs();
        LrSchedule lr = new LrSchedule(
                config.schedule(), config.learningRate(), config.warmupSteps(), total, config.minLrRatio());

        Weights master = model.weights();
        Adam adam = new Adam(config.optimizer(), master).freeze(frozen);
        int startEpoch = 0;
        long step = 0;
        int skipInEpoch = 0;
        double best = Double.NaN;
        int bestEpoch = 0;
        int bad = 0;
        Weights bestWeights = null;
        if (resume == null && !Double.isNaN(baseline)) {
            best = baseline;
            bestWeights = master.copy();
        }
        if (resume != null) {
            master = resume.weights().copy();
            model.setWeights(master);
            adam = new Adam(config.optimizer(), master).freeze(frozen);
            adam.restore(resume.optimizer());
            startEpoch = resume.epochsDone();
            step = resume.step();
            skipInEpoch = resume.stepInEpoch();
            best = resume.bestMetric();
            bestEpoch = resume.bestEpoch();
            bad = resume.badChecks();
            bestWeights = resume.bestWeights();
            LOG.info("resuming at epoch {} step {}", startEpoch + 1, step);
        }
        model.seekDropout(step); // each stage's dropout stream starts at its step, resumed or not
        for (TrainingListener l : listeners) {
            l.onStart(total, step);
        }
        long t0 = System.nanoTime();
        long seqs = 0;
        List<Double> epochLosses = new ArrayList<>();
        List<double[]> curve = new ArrayList<>();
        boolean stopped = false;
        int epoch = startEpoch;
        for (; epoch < config.epochs() && !stopped; epoch++) {
            long e0 = System.nanoTime();
            int[] order = shuffled(users, epoch);
            double lossSum = 0;
            int lossN = 0;
            try (Prefetcher pre = new Prefetcher(order, epoch, step - skipInEpoch, skipInEpoch, perEpoch)) {
                for (int s = skipInEpoch; s < perEpoch; s++) {
                    TrainBatch batch = pre.next();
                    long s0 = System.nanoTime();
                    StepResult r = model.lossAndGradients(batch, config.loss(), true);
                    if (!Float.isFinite(r.loss())) {
                        throw new TrainingException("loss is " + r.loss() + " at epoch " + (epoch + 1) + ", step "
                                + (step + 1) + "; lower the learning rate (" + config.learningRate()
                                + "), enable clipping or check the data");
                    }
                    float rate = lr.at(step);
                    double norm = adam.update(master, r.gradients(), rate);
                    model.setWeights(master);
                    step++;
                    int n = batch.input().size();
                    seqs += n;
                    lossSum += r.loss();
                    lossN++;
                    double secs = (System.nanoTime() - s0) / 1e9;
                    for (TrainingListener l : listeners) {
                        l.onStep(new TrainingListener.StepInfo(epoch + 1, step, total, r.loss(), rate, norm, n, secs));
                    }
                    if (checkpoints != null
                            && config.checkpointEverySteps() > 0
                            && step % config.checkpointEverySteps() == 0) {
                        save(new TrainState(
                                epoch, step, s + 1, master.copy(), adam.state(), best, bestEpoch, bad, bestWeights));
                    }
                }
            }
            skipInEpoch = 0;
            if (lossN > 0) { // a run resumed exactly at the end of an epoch has no step left in it
                double mean = lossSum / lossN;
                epochLosses.add(mean);
                for (TrainingListener l : listeners) {
                    l.onEpochEnd(epoch + 1, mean, (System.nanoTime() - e0) / 1e9);
                }
            }
            boolean last = epoch + 1 == config.epochs();
            if (validator != null
                    && config.evalEveryEpochs() > 0
                    && ((epoch + 1) % config.evalEveryEpochs() == 0 || last)) {
                double m = validator.validate(model);
                boolean improved = Double.isNaN(best) || m > best;
                if (improved) {
                    best = m;
                    bestEpoch = epoch + 1;
                    bad = 0;
                    bestWeights = master.copy();
                } else {
                    bad++;
                }
                curve.add(new double[] {epoch + 1, m});
                for (TrainingListener l : listeners) {
                    l.onValidation(epoch + 1, m, improved);
                }
                if (config.patience() > 0 && bad >= config.patience()) {
                    LOG.info(
                            "early stopping after epoch {}: no improvement in {} validations (best {} at epoch {})",
                            epoch + 1,
                            bad,
                            best,
                            bestEpoch);
                    stopped = true;
                }
            }
            if (checkpoints != null && config.checkpointEverySteps() > 0) {
                save(new TrainState(
                        epoch + 1, step, 0, master.copy(), adam.state(), best, bestEpoch, bad, bestWeights));
            }
        }
        if (bestWeights != null) {
            model.setWeights(bestWeights);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        TrainResult result = new TrainResult(
                epoch, step, best, bestEpoch, stopped, secs, epochLosses, curve, secs > 0 ? seqs / secs : 0);
        for (TrainingListener l : listeners) {
            l.onEnd(result);
        }
        return result;
    }

    private void save(TrainState state) {
        try {
            checkpoints.save(state);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the training checkpoint: " + e.getMessage(), e);
        }
    }

    /** The users of an epoch in batch order (the Prefetcher cuts it into consecutive batches). */
    int[] shuffled(int[] users, int epoch) {
        int[] o = users.clone();
        SplittableRandom r = new SplittableRandom(mix(config.seed(), 0x5eedL + epoch));
        for (int i = o.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        if (config.batching() == Batching.LENGTH) {
            return lengthBatched(o, new SplittableRandom(mix(config.seed(), 0x1e46L + epoch)));
        }
        return o;
    }

    /**
     * {@link Batching#LENGTH}: each window of {@link Batching#WINDOW_BATCHES} batches' worth of the
     * shuffled users sorted by training length (capped at maxLen + 1, the longest a batch row reads;
     * stable, so equal lengths keep their random order), cut into batches, and the full batches put
     * in a random order; a last, partial batch stays last, as the epoch's steps cut it.
     */
    private int[] lengthBatched(int[] shuffled, SplittableRandom r) {
        int b = config.batchSize();
        int cap = model.config().maxLen() + 1;
        int window = b * Batching.WINDOW_BATCHES;
        int[] sorted = new int[shuffled.length];
        for (int lo = 0; lo < shuffled.length; lo += window) {
            int hi = Math.min(shuffled.length, lo + window);
            int[] part = java.util.Arrays.stream(shuffled, lo, hi)
                    .boxed()
                    .sorted(java.util.Comparator.comparingInt(u -> Math.min(cap, data.sequences()[u].length)))
                    .mapToInt(Integer::intValue)
                    .toArray();
            System.arraycopy(part, 0, sorted, lo, part.length);
        }
        int full = shuffled.length / b;
        int[] batches = new int[full];
        for (int i = 0; i < full; i++) {
            batches[i] = i;
        }
        for (int i = full - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = batches[i];
            batches[i] = batches[j];
            batches[j] = t;
        }
        int[] out = sorted.clone();
        for (int i = 0; i < full; i++) {
            System.arraycopy(sorted, batches[i] * b, out, i * b, b);
        }
        return out;
    }

    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Builds the batches of one epoch on a daemon thread, a few steps ahead of training. */
    private final class Prefetcher implements AutoCloseable {
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(PREFETCH);
        private final Thread thread;
        private volatile boolean closed;

        Prefetcher(int[] order, int epoch, long firstStepOfEpoch, int from, int perEpoch) {
            thread = new Thread(
                    () -> {
                        try {
                            for (int s = from; s < perEpoch && !closed; s++) {
                                int lo = s * config.batchSize();
                                int hi = Math.min(order.length, lo + config.batchSize());
                                int[] batchUsers = java.util.Arrays.copyOfRange(order, lo, hi);
                                SplittableRandom r = new SplittableRandom(mix(config.seed(), firstStepOfEpoch + s));
                                Object b;
                                try {
                                    b = batcher.build(batchUsers, r);
                                } catch (RuntimeException e) {
                                    b = e;
                                }
                                while (!closed && !queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
                                    // wait for the trainer
                                }
                                if (b instanceof RuntimeException) {
                                    return;
                                }
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "recsys-batches-" + epoch);
            thread.setDaemon(true);
            thread.start();
        }

        TrainBatch next() {
            try {
                Object o = queue.take();
                if (o instanceof RuntimeException e) {
                    throw e;
                }
                return (TrainBatch) o;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainingException("interrupted while waiting for a batch");
            }
        }

        @Override
        public void close() {
            closed = true;
            thread.interrupt();
        }
    }
}
