package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossMath;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.StepInputs;
import dev.recsys.api.model.InputChecks;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model of docs/MODEL.md on ND4J / SameDiff.
 *
 * <p>Structure. One SameDiff graph per batch shape and purpose (eval, pre-training with sampled
 * candidates, pre-training with full softmax, fine-tuning), built once and cached (LRU of
 * {@value #GRAPH_CACHE} graphs of either kind), so a training run builds two or
 * three graphs in all. Parameters are graph variables refreshed from the master weights only
 * when {@link #setWeights} changed them. Embedding tables never enter a graph: the rows a batch
 * needs are gathered in Java into input variables and their gradients scatter-added back, which
 * keeps SameDiff away from differentiating gather (see ENGINES.md) and costs O(rows·d). For
 * content models the item vectors of the batch's distinct items (padded to a bucket size) come
 * from a separate content-encoder graph whose backward pass is driven by the user graph's
 * gradients with respect to those vectors. Losses are computed in the graph (one forward and one
 * backward pass per step) from coefficient inputs filled in Java; tests compare them with
 * {@link LossMath}.
 *
 * <p>Threads. SameDiff graphs are not thread-safe; every method runs under one lock, so
 * concurrent scoring calls are serialised (score larger batches to use the engine's threads).
 */
final class Dl4jModel implements RecModel {
    private static final Logger LOG = LoggerFactory.getLogger(Dl4jModel.class);
    static final int GRAPH_CACHE = 16;
    /** Largest cross-attention tensor of one stage-2 graph call, in floats (16 MiB). */
    static final long STAGE2_CHUNK_FLOATS = 1L << 22;
    private static final int ITEM_CHUNK = 512;
    /** Added to the log Q of a dropped shared negative: its logit minus log Q is then about -1e9 (softmax weight 0). */
    private static final float DROPPED = 1e9f;

    private final ModelConfig config;
    private final ItemContent content;
    private final ReentrantLock lock = new ReentrantLock();
    private final Random rng;
    private final long seed;
    /** Training-mode calls with dropout so far: call c draws its masks from {@code RecModel.dropoutSeed(seed, c)}. */
    private long dropoutCall;
    /** {@link #STAGE2_CHUNK_FLOATS}, smaller in tests (several chunks from a small batch). */
    private long stage2ChunkFloats = STAGE2_CHUNK_FLOATS;
    private final Map<Object, Graph> graphs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Graph> eldest) {
            if (size() > GRAPH_CACHE) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
    private Weights weights;
    private Weights grads;
    private long version;
    private float[] itemVectors;
    private long itemVectorsVersion = -1;
    private SeqBatch lastUserBatch;
    private float[] lastUser;
    private long lastUserVersion = -1;
    /** The item vectors as an ND4J matrix {@code [d, N+1]} for stage-1 scoring, per item-vector version. */
    private INDArray itemMatrix;
    private INDArray itemBase;
    private long itemMatrixVersion = -1;
    private final float[] sinusoid;
    private final float[] contentSinusoid;
    private volatile boolean closed;

    Dl4jModel(ModelConfig config, ItemContent content, Weights weights, long seed) {
        ParamLayout.validate(config, weights);
        this.config = config;
        this.content = InputChecks.content(config, content);
        this.weights = weights.copy();
        this.grads = this.weights.zerosLike();
        this.rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        this.seed = seed;
        this.sinusoid = config.positional() == Positional.SINUSOIDAL ? sinusoid(config.maxLen(), config.dim()) : null;
        this.contentSinusoid = config.positional() == Positional.SINUSOIDAL && config.hasContent()
                ? sinusoid(config.contentLen(), config.dim()) : null;
    }

    @Override
    public void seekDropout(long call) {
        if (call < 0) {
            throw new IllegalArgumentException("call must be >= 0, found " + call);
        }
        lock.lock();
        try {
            dropoutCall = call;
        } finally {
            lock.unlock();
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
        lock.lock();
        try {
            return weights.copy();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setWeights(Weights w) {
        ensureOpen();
        ParamLayout.validate(config, w);
        lock.lock();
        try {
            for (String n : weights.names()) {
                System.arraycopy(w.data(n), 0, weights.data(n), 0, weights.data(n).length);
            }
            version++;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- scoring

    @Override
    public float[] itemVectors() {
        ensureOpen();
        lock.lock();
        try {
            return allItemVectors().clone();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public float[] userVectors(SeqBatch in) {
        ensureOpen();
        InputChecks.batch(config, in);
        SeqBatch batch = bucketed(in);
        lock.lock();
        try {
            float[] encoded = encode(batch, 0, null, false).get(UserGraph.USER);
            remember(batch, encoded);
            return lastRows(encoded, batch);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public float[] scoreAll(SeqBatch in) {
        ensureOpen();
        InputChecks.batch(config, in);
        SeqBatch batch = bucketed(in);
        lock.lock();
        try {
            float[] encoded = encode(batch, 0, null, false).get(UserGraph.USER);
            remember(batch, encoded);
            float[] users = lastRows(encoded, batch);
            return dotAll(users, batch.size());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public float[] scoreCandidates(SeqBatch in, int[] candidates, int perRow) {
        ensureOpen();
        InputChecks.batch(config, in);
        InputChecks.candidates(config, in, candidates, perRow);
        SeqBatch batch = bucketed(in);
        lock.lock();
        try {
            boolean reuse = lastUser != null && lastUserVersion == version && lastUserBatch.size() == batch.size()
                    && lastUserBatch.length() == batch.length() && Arrays.equals(lastUserBatch.items(), batch.items())
                    && Arrays.equals(lastUserBatch.events(), batch.events());
            return stage2Chunked(batch, perRow, candidates, reuse ? lastUser : null);
        } finally {
            lock.unlock();
        }
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

    /** Test hook: output sets of this model's graphs that run as a {@link FixedPlan}. */
    int fixedPlans() {
        return sumOverGraphs(Graph::fixedPlans);
    }

    private int sumOverGraphs(java.util.function.ToIntFunction<Graph> count) {
        lock.lock();
        try {
            return graphs.values().stream().mapToInt(count).sum();
        } finally {
            lock.unlock();
        }
    }

    /** Test hook: the largest cross-attention tensor of one stage-2 graph call, in floats. */
    void stage2ChunkFloats(long floats) {
        stage2ChunkFloats = floats;
    }

    /**
     * Stage 2 in groups of rows small enough that the cross-attention tensors ({@code [rows, C, L, d]}
     * and {@code [rows, C, L, T]}) stay under {@link #STAGE2_CHUNK_FLOATS}: evaluation batches of
     * 256 users with 100 candidates at length 200 made them 1.3 GB each, every call a fresh native
     * allocation (ML-1M evaluation with re-ranking: 445 s, 3 of its 7.5 minutes in the kernel).
     *
     * @param encoded the user encoding {@code [B*L, d]} of this batch, or null to encode it
     */
    private float[] stage2Chunked(SeqBatch batch, int c, int[] candidates, float[] encoded) {
        int b = batch.size();
        int len = batch.length();
        int d = config.dim();
        long perUser = (long) c * len * Math.max(d, config.hasContent() ? config.contentLen() : 0);
        int rows = (int) Math.max(1, Math.min(b, stage2ChunkFloats / perUser));
        if (rows >= b) {
            return encoded != null ? stage2(batch, c, candidates, encoded) : encode(batch, c, candidates, false).get(UserGraph.STAGE2);
        }
        float[] out = new float[b * c];
        for (int r0 = 0; r0 < b; r0 += rows) {
            int n = Math.min(rows, b - r0);
            SeqBatch sub = new SeqBatch(n, len, Arrays.copyOfRange(batch.items(), r0 * len, (r0 + n) * len),
                    batch.events() == null ? null : Arrays.copyOfRange(batch.events(), r0 * len, (r0 + n) * len));
            int[] cand = Arrays.copyOfRange(candidates, r0 * c, (r0 + n) * c);
            float[] s = encoded != null
                    ? stage2(sub, c, cand, Arrays.copyOfRange(encoded, r0 * len * d, (r0 + n) * len * d))
                    : encode(sub, c, cand, false).get(UserGraph.STAGE2);
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
        lock.lock();
        try {
            ForwardTrace t = new ForwardTrace();
            t.put(ForwardTrace.ITEM_VECTORS, allItemVectors().clone());
            if (config.hasContent()) {
                t.put(ForwardTrace.CONTENT_OUTPUT, allContentOutputs());
            }
            Map<String, float[]> out = encode(batch, c, candidates, true);
            t.put(ForwardTrace.USER_INPUT, out.get(UserGraph.USER_INPUT));
            for (int i = 0; i < config.layers(); i++) {
                t.put(ForwardTrace.userLayer(i), out.get(UserGraph.layerOutput(i)));
            }
            t.put(ForwardTrace.USER_OUTPUT, out.get(UserGraph.USER));
            t.put(ForwardTrace.STAGE1, dotAll(lastRows(out.get(UserGraph.USER), batch), batch.size()));
            if (c > 0) {
                t.put(ForwardTrace.CROSS_OUTPUT, out.get(UserGraph.CROSS));
                t.put(ForwardTrace.STAGE2, out.get(UserGraph.STAGE2));
            }
            return t;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps the user encoding of the last stage-1 call, so that a following stage-2 call on the
     * same histories (the two-stage recommender's pattern) does not encode them again.
     */
    private void remember(SeqBatch batch, float[] encoded) {
        lastUserBatch = new SeqBatch(batch.size(), batch.length(), batch.items().clone(),
                batch.events() == null ? null : batch.events().clone());
        lastUser = encoded;
        lastUserVersion = version;
    }

    /** Stage 2 from a user encoding {@code [B*L, d]} of this batch. */
    private float[] stage2(SeqBatch batch, int c, int[] candidates, float[] encoded) {
        UserGraph g = userGraph(new UserGraph.Spec(UserGraph.Kind.STAGE2, UserGraph.Form.NONE, batch.size(), batch.length(), c,
                false, 0f, false));
        float[] vectors = allItemVectors();
        float[] keep = g.buffer(UserGraph.KEEP, batch.size() * batch.length());
        for (int p = 0; p < keep.length; p++) {
            keep[p] = batch.items()[p] != 0 ? 1f : 0f;
        }
        g.setPlaceholder(UserGraph.KEEP, keep);
        g.setPlaceholder(UserGraph.USER_IN, encoded);
        gatherRows(g, UserGraph.CAND, candidates, vectors, null);
        if (config.hasContent()) {
            gatherContext(g, candidates, runContent(distinct(candidates), false, false, false));
        }
        g.syncWeights(weights, version);
        return g.output(List.of(UserGraph.STAGE2)).get(UserGraph.STAGE2);
    }

    /**
     * Runs the eval graph: user encoder, and stage 2 when c > 0. Fetches the user encoding
     * (c = 0) or the stage-2 scores, and with {@code all} every intermediate the trace needs.
     */
    private Map<String, float[]> encode(SeqBatch batch, int c, int[] candidates, boolean all) {
        UserGraph g = userGraph(new UserGraph.Spec(UserGraph.Kind.EVAL, UserGraph.Form.NONE, batch.size(), batch.length(), c,
                false, 0f, false));
        float[] vectors = allItemVectors();
        fillUserInputs(g, batch, vectors, null);
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
            gatherRows(g, UserGraph.CAND, candidates, vectors, null);
            if (config.hasContent()) {
                int[] uniq = distinct(candidates);
                ContentOut co = runContent(uniq, false, false, false);
                gatherContext(g, candidates, co);
            }
            if (all) {
                outs.add(UserGraph.CROSS);
            }
            outs.add(UserGraph.STAGE2);
        }
        g.syncWeights(weights, version);
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

    private StepResult step(TrainBatch batch, LossSpec loss, boolean training, boolean withGradients) {
        ensureOpen();
        StepInputs.Groups groups = null;
        if (batch instanceof TrainBatch.NextItem n) {
            groups = StepInputs.nextItem(config, n, loss);
            if (groups.count() == 0) {
                throw new IllegalArgumentException("the batch has no position with a target (all targets are 0): no loss to compute");
            }
        } else {
            StepInputs.candidates(config, (TrainBatch.Candidates) batch, loss);
        }
        SeqBatch in = batch.input();
        lock.lock();
        try {
            for (Weights.Tensor t : grads.asMap().values()) {
                Arrays.fill(t.data(), 0f);
            }
            boolean dropout = training && config.dropout() > 0f;
            if (dropout) {
                rng.setSeed(RecModel.dropoutSeed(seed, dropoutCall++)); // every call's masks from (seed, call): seekable on resume
            }
            UserGraph g;
            int[] candidateIds;
            int[] sharedIds = null;
            if (groups != null) {
                g = pretrainGraph(groups, dropout);
                // shared negatives: CAND holds each position's target row (row 0 where there is none), NEGS the K negatives
                // shared by the batch [K, d] or by row [B, K, d] (row b's K at [b*K, (b+1)*K) of the ids, in that order)
                Negatives negatives = groups.batch().negatives();
                candidateIds = negatives instanceof Negatives.PerPosition p ? p.candidates() : groups.batch().targets();
                sharedIds = negatives instanceof Negatives.Shared s ? s.ids() : null;
            } else {
                TrainBatch.Candidates f = (TrainBatch.Candidates) batch;
                g = finetuneGraph(f, loss, dropout);
                candidateIds = f.candidates();
            }
            g.syncWeights(weights, version);

            // item vectors of the rows this batch touches
            ContentOut co = null;
            float[] table;
            int[] local;
            boolean softmax = g.spec.kind() == UserGraph.Kind.PRE_SOFTMAX;
            if (config.hasContent()) {
                int[] uniq = softmax ? range(config.numItems() + 1)
                        : sharedIds != null ? distinct(new int[] {0}, in.items(), candidateIds, sharedIds) : distinct(in.items(), candidateIds);
                co = runContent(uniq, dropout, g.spec.kind() == UserGraph.Kind.FINE, withGradients);
                table = co.vec;
                local = co.local;
            } else {
                table = weights.data(ParamLayout.ITEM_EMBEDDING);
                local = null;
            }
            fillUserInputs(g, in, table, local);
            if (softmax) {
                float[] all = g.buffer(UserGraph.ALL, config.numItems() * config.dim());
                int d = config.dim();
                for (int i = 1; i <= config.numItems(); i++) {
                    System.arraycopy(table, row(local, i) * d, all, (i - 1) * d, d);
                }
                g.setVariable(UserGraph.ALL, all);
            }
            gatherRows(g, UserGraph.CAND, candidateIds, table, local);
            if (sharedIds != null) {
                gatherRows(g, UserGraph.NEGS, sharedIds, table, local);
            }
            if (config.hasContent() && g.spec.kind() == UserGraph.Kind.FINE) {
                gatherContext(g, candidateIds, co);
            }
            if (dropout) {
                g.drawDropout(rng);
            }
            if (!withGradients) {
                return new StepResult(g.output(List.of(Graph.LOSS)).get(Graph.LOSS)[0], null);
            }
            Graph.Result r = g.lossAndGradients(g.gradNames);
            if (!Float.isFinite(r.loss())) {
                LOG.warn("non-finite loss {} on a batch of {} x {}", r.loss(), in.size(), in.length());
            }
            for (String p : g.net.paramNames()) {
                addInto(grads.data(p), r.gradients().get(p));
            }
            scatterUserInputs(g, in, r.gradients(), local, co);
            int d = config.dim();
            if (softmax) {
                float[] ga = r.gradients().get(UserGraph.ALL);
                for (int i = 1; i <= config.numItems(); i++) {
                    addRow(itemGradTarget(co), row(local, i), ga, i - 1, d);
                }
            }
            float[] gc = r.gradients().get(UserGraph.CAND);
            for (int k = 0; k < candidateIds.length; k++) {
                addRow(itemGradTarget(co), row(local, candidateIds[k]), gc, k, d);
            }
            if (sharedIds != null) {
                float[] gn = r.gradients().get(UserGraph.NEGS);
                for (int k = 0; k < sharedIds.length; k++) {
                    addRow(itemGradTarget(co), row(local, sharedIds[k]), gn, k, d);
                }
            }
            if (co != null && co.gradCtx != null && g.spec.kind() == UserGraph.Kind.FINE) {
                float[] gk = r.gradients().get(UserGraph.KEYS);
                int block = config.contentLen() * d;
                for (int k = 0; k < candidateIds.length; k++) {
                    addRow(co.gradCtx, co.local[candidateIds[k]], gk, k, block);
                }
            }
            if (co != null) {
                backwardContent(co);
            }
            return new StepResult(r.loss(), grads);
        } finally {
            lock.unlock();
        }
    }

    /** The pre-training graph of the batch's negatives and loss, with its loss coefficients set. */
    private UserGraph pretrainGraph(StepInputs.Groups groups, boolean dropout) {
        TrainBatch.NextItem n = groups.batch();
        SeqBatch in = n.input();
        if (groups.fullSoftmax()) {
            UserGraph g = userGraph(new UserGraph.Spec(UserGraph.Kind.PRE_SOFTMAX, UserGraph.Form.CE, in.size(), in.length(), 0, dropout,
                    0f, false));
            ceWeights(g, n.targets(), groups.groupWeight());
            return g;
        }
        if (n.negatives() instanceof Negatives.Shared shared) {
            return sharedPretrainGraph(groups, shared, dropout);
        }
        Negatives.PerPosition p = (Negatives.PerPosition) n.negatives();
        int positions = in.size() * in.length();
        int c = p.perRow();
        boolean logQ = groups.usesLogQ();
        UserGraph.Form form = groups.spec() instanceof LossSpec.SampledSoftmax ? UserGraph.Form.CE : UserGraph.Form.BINARY;
        UserGraph g = userGraph(new UserGraph.Spec(UserGraph.Kind.PRE_RANK, form, in.size(), in.length(), c, dropout, 0f, logQ));
        if (form == UserGraph.Form.CE) {
            ceWeights(g, n.targets(), groups.groupWeight());
            if (logQ) {
                g.setPlaceholder(UserGraph.L_LOGQ, p.logQ());
            }
        } else {
            float[] pos = zeroed(g, UserGraph.L_POS, positions * c);
            float[] neg = zeroed(g, UserGraph.L_NEG, positions * c);
            float beta = groups.positiveWeight();
            float inv = groups.groupWeight();
            for (int r : groups.positions()) {
                pos[r * c] = beta;
                for (int k = 1; k < c; k++) {
                    neg[r * c + k] = inv;
                }
            }
            g.setPlaceholder(UserGraph.L_POS, pos);
            g.setPlaceholder(UserGraph.L_NEG, neg);
        }
        return g;
    }

    /** The CE graph's row weights: 1 / counted where the row has a target, 0 elsewhere. */
    private static void ceWeights(UserGraph g, int[] targets, float weight) {
        float[] w = g.buffer(UserGraph.L_WEIGHT, targets.length);
        for (int r = 0; r < targets.length; r++) {
            w[r] = targets[r] != 0 ? weight : 0f;
        }
        g.setPlaceholder(UserGraph.L_WEIGHT, w);
    }

    /** The graph's reusable coefficient buffer {@code name}, zero-filled. */
    private static float[] zeroed(UserGraph g, String name, int size) {
        float[] b = g.buffer(name, size);
        Arrays.fill(b, 0f);
        return b;
    }

    /**
     * Pre-training with K negatives shared by the batch or by sequence row (MODEL.md "Losses"): each
     * position's target logit {@code [B*L, 1]} and its K negative logits {@code [B*L, K]}, the negatives of position {@code b*L + j} read at
     * {@link TrainBatch.NextItem#sharedOffset}; a shared negative equal to the position's target is
     * dropped there (bce, gbce: weight 0; sampled softmax: its logit moved by -1e9 through the log-Q
     * input, which a shared graph always has).
     */
    private UserGraph sharedPretrainGraph(StepInputs.Groups groups, Negatives.Shared shared, boolean dropout) {
        int k = shared.k();
        boolean logQ = groups.usesLogQ();
        SeqBatch in = groups.batch().input();
        int len = in.length();
        int positions = in.size() * len;
        UserGraph.Form form = groups.spec() instanceof LossSpec.SampledSoftmax ? UserGraph.Form.CE : UserGraph.Form.BINARY;
        UserGraph.Kind kind = shared instanceof Negatives.SharedByRow ? UserGraph.Kind.PRE_SHARED_ROW : UserGraph.Kind.PRE_SHARED;
        UserGraph g = userGraph(new UserGraph.Spec(kind, form, in.size(), len, k, dropout, 0f, form == UserGraph.Form.CE));
        if (form == UserGraph.Form.CE) {
            ceWeights(g, groups.batch().targets(), groups.groupWeight());
            float[] lqPos = g.buffer(UserGraph.L_LOGQ_POS, positions);
            float[] lq = g.buffer(UserGraph.L_LOGQ, positions * k);
            for (int r = 0; r < positions; r++) {
                int off = shared.offset(r, len);
                lqPos[r] = logQ ? shared.targetLogQ()[r] : 0f;
                for (int j = 0; j < k; j++) {
                    lq[r * k + j] = logQ ? shared.logQ()[off + j] : 0f;
                }
            }
            for (int gr = 0; gr < groups.count(); gr++) {
                int r = groups.positions()[gr];
                for (int j = 0; j < k; j++) {
                    if (groups.isDropped(gr, 1 + j)) {
                        lq[r * k + j] += DROPPED;
                    }
                }
            }
            g.setPlaceholder(UserGraph.L_LOGQ_POS, lqPos);
            g.setPlaceholder(UserGraph.L_LOGQ, lq);
        } else {
            float[] pos = zeroed(g, UserGraph.L_POS, positions);
            float[] neg = zeroed(g, UserGraph.L_NEG, positions * k);
            float beta = groups.positiveWeight();
            float inv = groups.groupWeight();
            for (int gr = 0; gr < groups.count(); gr++) {
                int r = groups.positions()[gr];
                pos[r] = beta;
                for (int j = 0; j < k; j++) {
                    neg[r * k + j] = groups.isDropped(gr, 1 + j) ? 0f : inv;
                }
            }
            g.setPlaceholder(UserGraph.L_POS, pos);
            g.setPlaceholder(UserGraph.L_NEG, neg);
        }
        return g;
    }

    private UserGraph finetuneGraph(TrainBatch.Candidates f, LossSpec loss, boolean dropout) {
        SeqBatch in = f.input();
        int b = in.size();
        int c = f.perRow();
        int n = b * c;
        if (loss instanceof LossSpec.Bce || loss instanceof LossSpec.Mse) {
            boolean bce = loss instanceof LossSpec.Bce;
            UserGraph g = userGraph(new UserGraph.Spec(UserGraph.Kind.FINE, bce ? UserGraph.Form.BINARY : UserGraph.Form.MSE, b, in.length(),
                    c, dropout, 0f, false));
            float[] y = f.labels();
            if (bce) {
                float[] pos = g.buffer(UserGraph.L_POS, n);
                float[] neg = g.buffer(UserGraph.L_NEG, n);
                for (int i = 0; i < n; i++) {
                    pos[i] = y[i] / n;
                    neg[i] = (1f - y[i]) / n;
                }
                g.setPlaceholder(UserGraph.L_POS, pos);
                g.setPlaceholder(UserGraph.L_NEG, neg);
            } else {
                float[] w = g.buffer(UserGraph.L_WEIGHT, n);
                Arrays.fill(w, 1f / n);
                g.setPlaceholder(UserGraph.L_LABEL, y);
                g.setPlaceholder(UserGraph.L_WEIGHT, w);
            }
            return g;
        }
        UserGraph.Form form = loss instanceof LossSpec.Bpr ? UserGraph.Form.BPR : UserGraph.Form.HINGE;
        float margin = loss instanceof LossSpec.Hinge h ? h.margin() : 0f;
        UserGraph g = userGraph(new UserGraph.Spec(UserGraph.Kind.FINE, form, b, in.length(), c, dropout, margin, false));
        float[] w = g.buffer(UserGraph.L_WEIGHT, b * (c - 1));
        Arrays.fill(w, 1f / (b * (c - 1)));
        g.setPlaceholder(UserGraph.L_WEIGHT, w);
        return g;
    }

    // ---------------------------------------------------------------- inputs and their gradients

    /** HIST (item vectors of the history), EVENTS, POS and KEEP. */
    private void fillUserInputs(UserGraph g, SeqBatch batch, float[] table, int[] local) {
        int d = config.dim();
        int b = batch.size();
        int l = batch.length();
        gatherRows(g, UserGraph.HIST, batch.items(), table, local);
        if (config.eventTypes() > 0) {
            float[] ev = g.buffer(UserGraph.EVENTS, b * l * d);
            float[] et = weights.data(ParamLayout.EVENT_EMBEDDING);
            for (int p = 0; p < b * l; p++) {
                System.arraycopy(et, eventOf(batch, p) * d, ev, p * d, d);
            }
            g.setVariable(UserGraph.EVENTS, ev);
        }
        float[] pos = g.buffer(UserGraph.POS, l * d);
        float[] src = config.positional() == Positional.LEARNED ? weights.data(ParamLayout.POSITION_EMBEDDING) : sinusoid;
        System.arraycopy(src, (config.maxLen() - l) * d, pos, 0, l * d);
        g.setVariable(UserGraph.POS, pos);
        float[] keep = g.buffer(UserGraph.KEEP, b * l);
        for (int p = 0; p < b * l; p++) {
            keep[p] = batch.items()[p] != 0 ? 1f : 0f;
        }
        g.setPlaceholder(UserGraph.KEEP, keep);
    }

    private void scatterUserInputs(UserGraph g, SeqBatch batch, Map<String, float[]> gr, int[] local, ContentOut co) {
        int d = config.dim();
        int n = batch.size() * batch.length();
        float[] gh = gr.get(UserGraph.HIST);
        float[] target = itemGradTarget(co);
        for (int p = 0; p < n; p++) {
            addRow(target, row(local, batch.items()[p]), gh, p, d);
        }
        if (config.eventTypes() > 0) {
            float[] ge = gr.get(UserGraph.EVENTS);
            float[] et = grads.data(ParamLayout.EVENT_EMBEDDING);
            for (int p = 0; p < n; p++) {
                addRow(et, eventOf(batch, p), ge, p, d);
            }
        }
        if (config.positional() == Positional.LEARNED) {
            float[] gp = gr.get(UserGraph.POS);
            float[] pt = grads.data(ParamLayout.POSITION_EMBEDDING);
            int offset = (config.maxLen() - batch.length()) * d;
            for (int i = 0; i < gp.length; i++) {
                pt[offset + i] += gp[i];
            }
        }
    }

    /** Where gradients of item vectors go: the item table (id-only) or the content graph's vector gradient. */
    private float[] itemGradTarget(ContentOut co) {
        return co == null ? grads.data(ParamLayout.ITEM_EMBEDDING) : co.gradVec;
    }

    private void gatherRows(Graph g, String name, int[] ids, float[] table, int[] local) {
        int d = config.dim();
        float[] buf = g.buffer(name, ids.length * d);
        for (int k = 0; k < ids.length; k++) {
            System.arraycopy(table, row(local, ids[k]) * d, buf, k * d, d);
        }
        g.setVariable(name, buf);
    }

    /** KEYS {@code [B, C, T, d]} and KEY_KEEP {@code [B, C, T]} of the candidates, from a content run. */
    private void gatherContext(Graph g, int[] ids, ContentOut co) {
        int t = config.contentLen();
        int block = t * config.dim();
        float[] keys = g.buffer(UserGraph.KEYS, ids.length * block);
        float[] kk = g.buffer(UserGraph.KEY_KEEP, ids.length * t);
        for (int k = 0; k < ids.length; k++) {
            System.arraycopy(co.ctx, co.local[ids[k]] * block, keys, k * block, block);
            for (int j = 0; j < t; j++) {
                kk[k * t + j] = content.tokens()[ids[k] * t + j] != 0 ? 1f : 0f;
            }
        }
        g.setVariable(UserGraph.KEYS, keys);
        g.setPlaceholder(UserGraph.KEY_KEEP, kk);
    }

    /** The event type at flat position p: 0 when the batch carries none. */
    private static int eventOf(SeqBatch batch, int p) {
        return batch.events() == null ? 0 : batch.events()[p];
    }

    private static int row(int[] local, int id) {
        return local == null ? id : local[id];
    }

    private static void addRow(float[] target, int row, float[] src, int srcRow, int width) {
        int to = row * width;
        int from = srcRow * width;
        for (int i = 0; i < width; i++) {
            target[to + i] += src[from + i];
        }
    }

    private static void addInto(float[] target, float[] src) {
        if (src == null) {
            return;
        }
        for (int i = 0; i < target.length; i++) {
            target[i] += src[i];
        }
    }

    // ---------------------------------------------------------------- content side

    /** Output of the content graph for a set of items (padded to the graph's row count). */
    private static final class ContentOut {
        ContentGraph graph;
        int[] items;
        /** item id → row, -1 when absent. */
        int[] local;
        float[] vec;
        float[] ctx;
        float[] gradVec;
        float[] gradCtx;
    }

    /**
     * @param train the run will be back-propagated ({@link #backwardContent}); else forward only
     */
    private ContentOut runContent(int[] items, boolean dropout, boolean needCtxGrad, boolean train) {
        int rows = bucket(items.length);
        ContentGraph g = contentGraph(rows, dropout, train);
        g.syncWeights(weights, version);
        int t = config.contentLen();
        int d = config.dim();
        int[] padded = Arrays.copyOf(items, rows); // padding rows: item 0
        float[] tok = g.buffer(ContentGraph.TOKENS, rows * t * d);
        float[] tt = weights.data(ParamLayout.TOKEN_EMBEDDING);
        float[] ck = g.buffer(ContentGraph.CKEEP, rows * t);
        int[] tokens = content.tokens();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < t; j++) {
                int token = tokens[padded[r] * t + j];
                System.arraycopy(tt, token * d, tok, (r * t + j) * d, d);
                ck[r * t + j] = token != 0 ? 1f : 0f;
            }
        }
        g.setVariable(ContentGraph.TOKENS, tok);
        g.setPlaceholder(ContentGraph.CKEEP, ck);
        float[] cpos = config.positional() == Positional.LEARNED ? weights.data(ParamLayout.CONTENT_POSITION_EMBEDDING) : contentSinusoid;
        g.setVariable(ContentGraph.POS, cpos);
        if (config.itemIds()) {
            gatherRows(g, ContentGraph.IDS, padded, weights.data(ParamLayout.ITEM_EMBEDDING), null);
        }
        if (dropout) {
            g.drawDropout(rng);
        }
        Map<String, float[]> out = g.output(List.of(ContentGraph.VEC, ContentGraph.CTX));
        ContentOut co = new ContentOut();
        co.graph = g;
        co.items = padded;
        co.local = new int[config.numItems() + 1];
        Arrays.fill(co.local, -1);
        for (int r = items.length - 1; r >= 0; r--) {
            co.local[items[r]] = r;
        }
        co.vec = out.get(ContentGraph.VEC);
        co.ctx = out.get(ContentGraph.CTX);
        co.gradVec = new float[rows * d];
        co.gradCtx = needCtxGrad ? new float[rows * t * d] : null;
        return co;
    }

    /** Back-propagates the gradients collected in co through the content graph into the tables. */
    private void backwardContent(ContentOut co) {
        ContentGraph g = co.graph;
        int t = config.contentLen();
        int d = config.dim();
        int rows = co.items.length;
        g.setPlaceholder(ContentGraph.GRAD_VEC, co.gradVec);
        g.setPlaceholder(ContentGraph.GRAD_CTX, co.gradCtx != null ? co.gradCtx : g.buffer(ContentGraph.GRAD_CTX, rows * t * d));
        Graph.Result r = g.lossAndGradients(g.gradNames);
        for (String p : g.net.paramNames()) {
            addInto(grads.data(p), r.gradients().get(p));
        }
        float[] gt = r.gradients().get(ContentGraph.TOKENS);
        float[] tt = grads.data(ParamLayout.TOKEN_EMBEDDING);
        int[] tokens = content.tokens();
        for (int row = 0; row < rows; row++) {
            for (int j = 0; j < t; j++) {
                addRow(tt, tokens[co.items[row] * t + j], gt, row * t + j, d);
            }
        }
        if (config.positional() == Positional.LEARNED) {
            addInto(grads.data(ParamLayout.CONTENT_POSITION_EMBEDDING), r.gradients().get(ContentGraph.POS));
        }
        if (config.itemIds()) {
            float[] gi = r.gradients().get(ContentGraph.IDS);
            float[] it = grads.data(ParamLayout.ITEM_EMBEDDING);
            for (int row = 0; row < rows; row++) {
                addRow(it, co.items[row], gi, row, d);
            }
        }
    }

    /** Item vectors of every item {@code [N+1, d]}, cached per weight version. */
    private float[] allItemVectors() {
        if (itemVectorsVersion == version && itemVectors != null) {
            return itemVectors;
        }
        int n = config.numItems() + 1;
        int d = config.dim();
        float[] v;
        if (!config.hasContent()) {
            v = weights.data(ParamLayout.ITEM_EMBEDDING).clone();
        } else {
            v = new float[n * d];
            for (int start = 0; start < n; start += ITEM_CHUNK) {
                int count = Math.min(ITEM_CHUNK, n - start);
                ContentOut co = runContent(rangeFrom(start, count), false, false, false);
                System.arraycopy(co.vec, 0, v, start * d, count * d);
            }
        }
        itemVectors = v;
        itemVectorsVersion = version;
        return v;
    }

    /** Encoded content of every item {@code [N+1, T, d]} (trace only). */
    private float[] allContentOutputs() {
        int n = config.numItems() + 1;
        int block = config.contentLen() * config.dim();
        float[] out = new float[n * block];
        for (int start = 0; start < n; start += ITEM_CHUNK) {
            int count = Math.min(ITEM_CHUNK, n - start);
            ContentOut co = runContent(rangeFrom(start, count), false, false, false);
            System.arraycopy(co.ctx, 0, out, start * block, count * block);
        }
        return out;
    }

    /** Rows of a content graph for n items: rounded up so that few graph shapes are built. */
    static int bucket(int n) {
        int step = n <= 256 ? 32 : n <= 2048 ? 128 : 512;
        return (n + step - 1) / step * step;
    }

    // ---------------------------------------------------------------- graphs

    private UserGraph userGraph(UserGraph.Spec spec) {
        Graph g = graphs.get(spec);
        if (g == null) {
            long t0 = System.nanoTime();
            g = UserGraph.build(config, spec);
            graphs.put(spec, g);
            LOG.debug("built user graph {} in {} ms", spec, (System.nanoTime() - t0) / 1_000_000);
        }
        return (UserGraph) g;
    }

    private record ContentKey(int rows, boolean dropout, boolean differentiable) {
    }

    private ContentGraph contentGraph(int rows, boolean dropout, boolean differentiable) {
        ContentKey key = new ContentKey(rows, dropout, differentiable);
        Graph g = graphs.get(key);
        if (g == null) {
            g = ContentGraph.build(config, rows, dropout, differentiable);
            graphs.put(key, g);
            LOG.debug("built content graph for {} rows (dropout {})", rows, dropout);
        }
        return (ContentGraph) g;
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

    /** {@code users [B, d] · itemVectors^T} → {@code [B, N+1]}. */
    private float[] dotAll(float[] users, int b) {
        int d = config.dim();
        float[] vectors = allItemVectors();
        if (itemMatrix == null || itemMatrixVersion != itemVectorsVersion) {
            if (itemBase != null) {
                itemBase.close();
            }
            itemBase = Nd4j.create(vectors, new long[] {config.numItems() + 1, d}, 'c');
            itemMatrix = itemBase.transpose(); // [d, N+1] view
            itemMatrixVersion = itemVectorsVersion;
        }
        INDArray u = Nd4j.create(users, new long[] {b, d}, 'c');
        INDArray s = u.mmul(itemMatrix);
        float[] out = Arrays2.toFloats(s);
        s.close();
        u.close();
        return out;
    }

    private static int[] distinct(int[]... arrays) {
        int max = 0;
        for (int[] a : arrays) {
            if (a != null) {
                for (int v : a) {
                    max = Math.max(max, v);
                }
            }
        }
        boolean[] seen = new boolean[max + 1];
        int[] out = new int[16];
        int n = 0;
        for (int[] a : arrays) {
            if (a == null) {
                continue;
            }
            for (int v : a) {
                if (!seen[v]) {
                    seen[v] = true;
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = v;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int[] range(int n) {
        return rangeFrom(0, n);
    }

    private static int[] rangeFrom(int start, int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = start + i;
        }
        return r;
    }

    /** {@code pe[p, 2i] = sin(p / 10000^(2i/d))}, {@code pe[p, 2i+1] = cos(..)}; odd d: the last column uses sin. */
    static float[] sinusoid(int rows, int d) {
        float[] pe = new float[rows * d];
        for (int p = 0; p < rows; p++) {
            for (int k = 0; k < d; k++) {
                int i = k / 2;
                double angle = p / Math.pow(10000.0, (2.0 * i) / d);
                pe[p * d + k] = (float) (k % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        }
        return pe;
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
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Graph g : graphs.values()) {
                g.close();
            }
            graphs.clear();
            itemVectors = null;
            lastUser = null;
            if (itemBase != null) {
                itemBase.close();
                itemBase = null;
                itemMatrix = null;
            }
            try {
                rng.close();
            } catch (Exception e) {
                LOG.debug("closing the dropout generator failed: {}", e.toString());
            }
        } finally {
            lock.unlock();
        }
    }
}
