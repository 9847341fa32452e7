package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossMath;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.StepInputs;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.InputChecks;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import dev.recsys.api.train.RowGroups;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model of docs/MODEL.md on ND4J / SameDiff: the {@link RecModel} facade (lifecycle, lock,
 * scoring, dropout seeding) over parts with one responsibility each, in this package:
 * <ul>
 * <li>{@link GraphCache}: one SameDiff graph per batch shape and purpose (eval, pre-training by
 *     negatives mode, fine-tuning, content encoder), built once and kept in an LRU;</li>
 * <li>{@link MasterWeights}: the master weights, their version and the step's gradients; graph
 *     parameters are refreshed from them only when {@link #setWeights} changed them;</li>
 * <li>{@link Gathers} and {@link UserInputs}: embedding tables never enter a graph; the rows a
 *     batch needs are gathered in Java into input variables and their gradients scatter-added back,
 *     which keeps SameDiff away from differentiating gather (see docs/ENGINES.md) and costs O(rows·d);</li>
 * <li>{@link ContentPass}: for content models the item vectors of the batch's distinct items
 *     (padded to a bucket size) come from a separate content-encoder graph whose backward pass is
 *     driven by the user graph's gradients with respect to those vectors;</li>
 * <li>{@link LossInputs} and {@link TrainingStep}: losses are computed in the graph (one forward
 *     and one backward pass per step) from coefficient inputs filled in Java from the engine-free
 *     {@link StepInputs}; tests compare them with {@link LossMath};</li>
 * <li>{@link ScoringCache}: item vectors per weight version and the last user encoding;</li>
 * <li>{@link CrossTables} and {@link CrossScorer}: stage 2 of MEAN-pooled models outside SameDiff, from
 *     item-side tables made once per weight version (MAX pooling runs the stage-2 graph).</li>
 * </ul>
 *
 * <p>Threads. A SameDiff graph is not thread-safe, so scoring calls check out a graph cache of
 * their own, with the stage-2 buffers ({@link #scoring}: one session per thread scoring at the same
 * time, kept for the next call)
 * and run at the same time under the read side of a read-write lock; training steps, weight
 * changes and {@link #close} take the write side (they wait for scoring calls in flight, and
 * those wait for them). The item vectors and the encoded content of every item are computed once
 * per weight version and shared ({@link ScoringCache}).
 */
final class Dl4jModel implements RecModel {
    private static final Logger LOG = LoggerFactory.getLogger(Dl4jModel.class);
    /**
     * Largest cross-attention tensor of one stage-2 graph call, in floats (16 MiB); for
     * {@link CrossScorer} the largest product of one group of candidates.
     */
    static final long STAGE2_CHUNK_FLOATS = 1L << 22;
    /**
     * The rows every training row group runs as (fewer when no batch so far had that many), so
     * that the group shapes are the training length buckets alone: at most
     * {@value dev.recsys.api.train.Batcher#LENGTH_BUCKETS} training graphs, whatever the batches.
     * Measured on ML-1M (BCE, batch 128, maxLen 200, one thread, docs/RESULTS.md): 8 and 16 rows ran
     * at the same training-thread CPU per step within noise, 4 and 32 slower; 16 holds 0.44 GiB of
     * graph buffers for all 8 lengths (32 rows: 0.87 GiB for 7; a row step of 32 instead: 1.4 GiB).
     */
    static final int GROUP_ROWS = 16;

    private final ModelConfig config;
    private final ItemContent content;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Random rng;
    private final long seed;
    /** Training-mode calls with dropout so far: call c draws its masks from {@code RecModel.dropoutSeed(seed, c)}. */
    private long dropoutCall;
    /** {@link #STAGE2_CHUNK_FLOATS}, smaller in tests (several chunks from a small batch). */
    private long stage2ChunkFloats = STAGE2_CHUNK_FLOATS;

    private final MasterWeights master;
    /** The graphs of training and of the content pass over the catalogue. */
    private final GraphCache graphs;
    /** Scoring sessions not in use, most recently returned first. */
    private final ConcurrentLinkedDeque<Session> idleSessions = new ConcurrentLinkedDeque<>();
    /** Every scoring session made (as many as calls ran at once), closed with the model. */
    private final List<Session> sessions = new CopyOnWriteArrayList<>();

    /** What one scoring call uses and no other call touches meanwhile: its graphs and its stage-2 buffers. */
    private record Session(GraphCache graphs, CrossScorer cross, NativeBuffer dotUsers, NativeBuffer dotScores) {}

    private final UserInputs userInputs;
    /** Null for an id-only model. */
    private final ContentPass contentPass;

    private final ScoringCache scoring;
    private final TrainingStep training;
    /** The weighted sum of the row groups' gradients of a step ({@link #byRowGroups}), made on first use. */
    private Weights groupGrads;

    /** The most rows of a next-item batch so far: groups of a smaller (last) batch run as many rows as earlier ones. */
    private int largestBatch;

    private double rowGroupOverhead = RowGroups.DEFAULT_OVERHEAD;
    private int groupRows = GROUP_ROWS;
    private volatile boolean closed;

    Dl4jModel(ModelConfig config, ItemContent content, Weights weights, long seed) {
        ParamLayout.validate(config, weights);
        this.config = config;
        this.content = InputChecks.content(config, content);
        this.master = new MasterWeights(weights);
        this.rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        this.seed = seed;
        this.graphs = new GraphCache(config);
        this.userInputs = new UserInputs(config, master);
        this.contentPass = config.hasContent() ? ContentPass.of(config, this.content, master, graphs, rng) : null;
        this.scoring = new ScoringCache(config, master, contentPass);
        this.training = new TrainingStep(config, master, new LossInputs(graphs), userInputs, contentPass, rng);
    }

    @Override
    public void seekDropout(long call) {
        if (call < 0) {
            throw new IllegalArgumentException("call must be >= 0, found " + call);
        }
        lock.writeLock().lock();
        try {
            dropoutCall = call;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public ModelConfig config() {
        ensureOpen();
        return config;
    }

    @Override
    public ItemContent content() {
        ensureOpen();
        return content;
    }

    // ---------------------------------------------------------------- weights

    @Override
    public Weights weights() {
        ensureOpen();
        lock.readLock().lock();
        try {
            return master.live().copy();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void setWeights(Weights w) {
        ensureOpen();
        ParamLayout.validate(config, w);
        lock.writeLock().lock();
        try {
            master.set(w);
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- scoring

    @Override
    public float[] itemVectors() {
        return scoring(s -> scoring.itemVectors().clone());
    }

    @Override
    public float[] userVectors(SeqBatch in) {
        return stage1(in, false);
    }

    @Override
    public float[] scoreAll(SeqBatch in) {
        return stage1(in, true);
    }

    /**
     * The user vectors of a batch (its length bucketed), or with {@code scores} their stage-1
     * scores of every item; the encoding is remembered for a following stage-2 call.
     */
    private float[] stage1(SeqBatch in, boolean scores) {
        ensureOpen();
        InputChecks.batch(config, in);
        SeqBatch batch = bucketed(in);
        return scoring(s -> {
            float[] encoded = encode(s.graphs(), batch, 0, null, false).get(UserGraph.USER);
            scoring.remember(batch, encoded);
            float[] users = lastRows(encoded, batch);
            return scores ? scoring.dotAll(users, batch.size(), s.dotUsers(), s.dotScores()) : users;
        });
    }

    @Override
    public float[] scoreCandidates(SeqBatch in, int[] candidates, int perRow) {
        ensureOpen();
        InputChecks.batch(config, in);
        InputChecks.candidates(config, in, candidates, perRow);
        SeqBatch batch = bucketed(in);
        return scoring(s -> {
            float[] encoded = scoring.encodingOf(batch);
            if (config.pooling() != Pooling.MEAN) {
                return stage2Chunked(s.graphs(), batch, perRow, candidates, encoded);
            }
            if (encoded == null) {
                encoded = encode(s.graphs(), batch, 0, null, false).get(UserGraph.USER);
            }
            return s.cross()
                    .scores(
                            batch,
                            encoded,
                            perRow,
                            candidates,
                            scoring.itemVectors(),
                            scoring.crossTables(),
                            master.data(ParamLayout.SCORER_BIAS)[0],
                            stage2ChunkFloats);
        });
    }

    /**
     * The batch left-padded to its length bucket, a quarter of {@code maxLen} at a time (e.g. 50,
     * 100, 150, 200): each length is a graph shape, and users' histories come in every length, so
     * scoring them one by one would build a graph per length and use none twice. Extra left
     * padding changes no score (docs/MODEL.md: positions are right-aligned in the window of
     * {@code maxLen}).
     */
    SeqBatch bucketed(SeqBatch batch) {
        int max = config.maxLen();
        int step = (max + 3) / 4;
        int len = batch.length();
        int target = Math.min(max, (len + step - 1) / step * step);
        if (target == len) {
            return batch;
        }
        int b = batch.size();
        int[] items = new int[b * target];
        int[] events = batch.events() == null ? null : new int[b * target];
        for (int r = 0; r < b; r++) {
            System.arraycopy(batch.items(), r * len, items, r * target + target - len, len);
            if (events != null) {
                System.arraycopy(batch.events(), r * len, events, r * target + target - len, len);
            }
        }
        return new SeqBatch(b, target, items, events);
    }

    /** Test hook: op-output arrays of this model's graphs that no run gave back to its session's cache. */
    int outstandingArrays() {
        return sumOverGraphs(Graph::outstandingArrays);
    }

    /** Test hook: the graphs of training and of the content pass built and still cached. */
    int trainingGraphs() {
        return graphs.sum(g -> 1);
    }

    /** Training and content-pass graphs built so far (each new graph shape costs a build). */
    int graphBuilds() {
        return graphs.builds();
    }

    /** Training and content-pass graphs built again after the cache had evicted them (0 unless shapes churn). */
    int graphRebuilds() {
        return graphs.rebuilds();
    }

    /** Test hook: output sets of this model's graphs that run as a {@link FixedPlan}. */
    int fixedPlans() {
        return sumOverGraphs(Graph::fixedPlans);
    }

    private int sumOverGraphs(java.util.function.ToIntFunction<Graph> count) {
        lock.writeLock().lock();
        try {
            int n = graphs.sum(count);
            for (Session s : sessions) {
                n += s.graphs().sum(count);
            }
            return n;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Test hook: the largest cross-attention tensor of one stage-2 graph call, in floats. */
    void stage2ChunkFloats(long floats) {
        stage2ChunkFloats = floats;
    }

    /**
     * Stage 2 through the graph (MAX pooling; MEAN pooling runs {@link CrossScorer}) in groups of rows small enough that the cross-attention tensors ({@code [rows, C, L, d]}
     * and {@code [rows, C, L, T]}) stay under {@link #STAGE2_CHUNK_FLOATS}: evaluation batches of
     * 256 users with 100 candidates at length 200 made them 1.3 GB each, every call a fresh native
     * allocation (ML-1M evaluation with re-ranking: 445 s, 3 of its 7.5 minutes in the kernel).
     *
     * @param encoded the user encoding {@code [B*L, d]} of this batch, or null to encode it
     */
    private float[] stage2Chunked(GraphCache graphs, SeqBatch batch, int c, int[] candidates, float[] encoded) {
        int b = batch.size();
        int len = batch.length();
        int d = config.dim();
        long perUser = (long) c * len * Math.max(d, config.hasContent() ? config.contentLen() : 0);
        int rows = (int) Math.max(1, Math.min(b, stage2ChunkFloats / perUser));
        if (rows >= b) {
            return encoded != null
                    ? stage2(graphs, batch, c, candidates, encoded)
                    : encode(graphs, batch, c, candidates, false).get(UserGraph.STAGE2);
        }
        float[] out = new float[b * c];
        for (int r0 = 0; r0 < b; r0 += rows) {
            int n = Math.min(rows, b - r0);
            SeqBatch sub = new SeqBatch(
                    n,
                    len,
                    Arrays.copyOfRange(batch.items(), r0 * len, (r0 + n) * len),
                    batch.events() == null ? null : Arrays.copyOfRange(batch.events(), r0 * len, (r0 + n) * len));
            int[] cand = Arrays.copyOfRange(candidates, r0 * c, (r0 + n) * c);
            float[] s = encoded != null
                    ? stage2(graphs, sub, c, cand, Arrays.copyOfRange(encoded, r0 * len * d, (r0 + n) * len * d))
                    : encode(graphs, sub, c, cand, false).get(UserGraph.STAGE2);
            System.arraycopy(s, 0, out, r0 * c, n * c);
        }
        return out;
    }

    @Override
    public ForwardTrace trace(SeqBatch batch, int[] candidates, int perRow) {
        ensureOpen();
        InputChecks.batch(config, batch);
        int c = candidates == null ? 0 : perRow;
        if (candidates != null) {
            InputChecks.candidates(config, batch, candidates, perRow);
        }
        return scoring(s -> {
            ForwardTrace t = new ForwardTrace();
            t.put(ForwardTrace.ITEM_VECTORS, scoring.itemVectors().clone());
            if (config.hasContent()) {
                t.put(ForwardTrace.CONTENT_OUTPUT, scoring.contentOutputs().clone());
            }
            Map<String, float[]> out = encode(s.graphs(), batch, c, candidates, true);
            t.put(ForwardTrace.USER_INPUT, out.get(UserGraph.USER_INPUT));
            for (int i = 0; i < config.layers(); i++) {
                t.put(ForwardTrace.userLayer(i), out.get(UserGraph.layerOutput(i)));
            }
            t.put(ForwardTrace.USER_OUTPUT, out.get(UserGraph.USER));
            t.put(
                    ForwardTrace.STAGE1,
                    scoring.dotAll(
                            lastRows(out.get(UserGraph.USER), batch), batch.size(), s.dotUsers(), s.dotScores()));
            if (c > 0) {
                t.put(ForwardTrace.CROSS_OUTPUT, out.get(UserGraph.CROSS));
                t.put(ForwardTrace.STAGE2, out.get(UserGraph.STAGE2));
            }
            return t;
        });
    }

    /**
     * Runs a scoring call under the read lock with a session of its own: the most recently
     * returned idle one, or a new one when every session is in use by another call.
     */
    private <T> T scoring(Function<Session, T> work) {
        lock.readLock().lock();
        try {
            ensureOpen();
            Session s = idleSessions.pollFirst();
            if (s == null) {
                s = new Session(new GraphCache(config), new CrossScorer(), new NativeBuffer(), new NativeBuffer());
                sessions.add(s);
            }
            try {
                return work.apply(s);
            } finally {
                idleSessions.addFirst(s);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Stage 2 from a user encoding {@code [B*L, d]} of this batch. */
    private float[] stage2(GraphCache graphs, SeqBatch batch, int c, int[] candidates, float[] encoded) {
        UserGraph g = graphs.user(new UserGraph.Spec(
                UserGraph.Kind.STAGE2, UserGraph.Form.NONE, batch.size(), batch.length(), c, false, 0f, false));
        float[] vectors = scoring.itemVectors();
        float[] keep = g.buffer(UserGraph.KEEP, batch.size() * batch.length());
        for (int p = 0; p < keep.length; p++) {
            keep[p] = batch.items()[p] != 0 ? 1f : 0f;
        }
        g.setPlaceholder(UserGraph.KEEP, keep);
        g.setPlaceholder(UserGraph.USER_IN, encoded);
        Gathers.gatherRows(g, UserGraph.CAND, candidates, vectors, null, config.dim());
        if (config.hasContent()) {
            contentPass.gatherContext(g, candidates, scoring.contentOutputs(), null);
        }
        g.syncWeights(master.live(), master.version());
        return g.output(List.of(UserGraph.STAGE2)).get(UserGraph.STAGE2);
    }

    /**
     * Runs the eval graph: user encoder, and stage 2 when c > 0. Fetches the user encoding
     * (c = 0) or the stage-2 scores, and with {@code all} every intermediate the trace needs.
     */
    private Map<String, float[]> encode(GraphCache graphs, SeqBatch batch, int c, int[] candidates, boolean all) {
        UserGraph g = graphs.user(new UserGraph.Spec(
                UserGraph.Kind.EVAL, UserGraph.Form.NONE, batch.size(), batch.length(), c, false, 0f, false));
        float[] vectors = scoring.itemVectors();
        userInputs.fill(g, batch, vectors, null);
        List<String> outs = new ArrayList<>();
        if (all || c == 0) {
            outs.add(UserGraph.USER);
        }
        if (all) {
            outs.add(UserGraph.USER_INPUT);
            for (int i = 0; i < config.layers(); i++) {
                outs.add(UserGraph.layerOutput(i));
            }
        }
        if (c > 0) {
            Gathers.gatherRows(g, UserGraph.CAND, candidates, vectors, null, config.dim());
            if (config.hasContent()) {
                contentPass.gatherContext(g, candidates, scoring.contentOutputs(), null);
            }
            if (all) {
                outs.add(UserGraph.CROSS);
            }
            outs.add(UserGraph.STAGE2);
        }
        g.syncWeights(master.live(), master.version());
        return g.output(outs);
    }

    // ---------------------------------------------------------------- training

    @Override
    public StepResult lossAndGradients(TrainBatch batch, LossSpec loss, boolean training) {
        return step(batch, loss, training, true);
    }

    /**
     * The eval-mode loss alone (one forward pass, no gradients): the same number as
     * {@code lossAndGradients(batch, loss, false).loss()}.
     */
    float evalLoss(TrainBatch batch, LossSpec loss) {
        return step(batch, loss, false, false).loss();
    }

    private StepResult step(TrainBatch batch, LossSpec loss, boolean train, boolean withGradients) {
        ensureOpen();
        StepInputs.Groups groups = null;
        if (batch instanceof TrainBatch.NextItem n) {
            groups = StepInputs.nextItem(config, n, loss);
            if (groups.count() == 0) {
                throw new IllegalArgumentException(
                        "the batch has no position with a target (all targets are 0): no loss to compute");
            }
        } else {
            StepInputs.candidates(config, (TrainBatch.Candidates) batch, loss);
        }
        lock.writeLock().lock();
        try {
            boolean dropout = train && config.dropout() > 0f;
            if (dropout) {
                rng.setSeed(RecModel.dropoutSeed(
                        seed, dropoutCall++)); // every call's masks from (seed, call): seekable on resume
            }
            return groups == null
                    ? training.run(batch, loss, null, dropout, withGradients)
                    : byRowGroups(groups, loss, dropout, withGradients);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Sets the rows of a row group of {@link #byRowGroups} (tests: fewer than a small batch's, so that it splits). */
    void groupRows(int rows) {
        this.groupRows = rows;
    }

    /** Sets the cost of one more row group of {@link #byRowGroups} (tests: 0 splits by every length bucket). */
    void rowGroupOverhead(double overhead) {
        this.rowGroupOverhead = overhead;
    }

    /**
     * A next-item step with the batch's rows run by groups of similar length ({@link RowGroups}), each
     * group's rows from its longest row's first item or target (lengths rounded up to the training
     * length buckets, each group run as {@link #GROUP_ROWS} rows: few graph shapes), as a batch of its own;
     * the loss and gradients are the groups', weighted by their share of the counted positions: the
     * same values as one run over the whole batch, without most of its padding columns.
     */
    private StepResult byRowGroups(StepInputs.Groups groups, LossSpec loss, boolean dropout, boolean withGradients) {
        TrainBatch.NextItem batch = groups.batch();
        SeqBatch in = batch.input();
        int[] length = RowGroups.bucketed(
                RowGroups.encodedLengths(in, batch.targets(), groups.positions()), config.maxLen(), in.length());
        largestBatch = Math.max(largestBatch, in.size());
        RowGroups rg = RowGroups.splitFixedRows(length, rowGroupOverhead, Math.min(groupRows, largestBatch));
        if (rg.count() == 1 && rg.length(0) == in.length() && rg.paddedRows(0) == in.size()) {
            return training.run(batch, loss, groups, dropout, withGradients);
        }
        if (withGradients && groupGrads == null) {
            groupGrads = master.grads().zerosLike();
        }
        double total = 0;
        for (int g = 0; g < rg.count(); g++) {
            TrainBatch.NextItem part = rg.batch(batch, g);
            StepInputs.Groups partGroups = StepInputs.nextItem(config, part, loss);
            double share = (double) partGroups.count() / groups.count();
            StepResult r = training.run(part, loss, partGroups, dropout, withGradients);
            total += share * r.loss();
            if (withGradients) {
                for (Map.Entry<String, Weights.Tensor> e : groupGrads.asMap().entrySet()) {
                    float[] sum = e.getValue().data();
                    float[] add = r.gradients().data(e.getKey());
                    float f = (float) share;
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] = g == 0 ? f * add[i] : sum[i] + f * add[i];
                    }
                }
            }
        }
        if (!withGradients) {
            return new StepResult((float) total, null);
        }
        for (Map.Entry<String, Weights.Tensor> e : groupGrads.asMap().entrySet()) {
            float[] sum = e.getValue().data();
            System.arraycopy(sum, 0, master.grad(e.getKey()), 0, sum.length);
        }
        return new StepResult((float) total, master.grads());
    }

    // ---------------------------------------------------------------- helpers

    private float[] lastRows(float[] users, SeqBatch batch) {
        int d = config.dim();
        int l = batch.length();
        float[] out = new float[batch.size() * d];
        for (int b = 0; b < batch.size(); b++) {
            System.arraycopy(users, (b * l + l - 1) * d, out, b * d, d);
        }
        return out;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this DL4J model is closed; create a new one with Backend.create");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            graphs.close();
            for (Session s : sessions) {
                s.graphs().close();
                s.cross().close();
                s.dotUsers().close();
                s.dotScores().close();
            }
            sessions.clear();
            idleSessions.clear();
            scoring.close();
            try {
                rng.close();
            } catch (Exception e) {
                LOG.debug("closing the dropout generator failed: {}", e.toString());
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
