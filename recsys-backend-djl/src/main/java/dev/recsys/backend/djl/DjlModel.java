package dev.recsys.backend.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.StepInputs;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.InputChecks;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.RefOps;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import dev.recsys.api.train.RowGroups;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The recsys model (docs/MODEL.md) on DJL/PyTorch: raw NDArray operations on parameters kept in
 * one base {@link NDManager} under the canonical names of {@link ParamLayout} (internally laid
 * out for PyTorch, see {@link ParamStore}).
 *
 * <p><b>Native memory.</b> Every call runs in its own sub-manager ({@link Ctx}) closed before it
 * returns; parameters enter a call as detached aliases, inputs are engine-allocated, so nothing
 * is left behind and nothing waits for the garbage collector. The only long-lived tensors are the
 * parameters and the item-vector cache.
 *
 * <p><b>Threads.</b> Scoring ({@link #scoreAll}, {@link #scoreCandidates}, {@link #userVectors},
 * {@link #itemVectors}, {@link #trace}) is thread-safe: calls share the parameter tensors
 * read-only under a read lock; item vectors (and, for content models, the encoded content of
 * every item) are computed once per weight version under a lock and cached. {@link #setWeights}
 * and {@link #close} take the write lock. {@link #lossAndGradients} is meant for one training
 * thread, and only one training step may run in the process at a time (DJL's gradient
 * collector is process-wide).
 *
 * <p><b>Determinism.</b> Dropout masks come from the model's own stream ({@link DropoutMasks}),
 * seeded at every training-mode call from (seed, number of earlier training-mode calls): a model's masks depend only on its
 * seed and on how many training steps it has taken, not on other models, on scoring calls or on
 * threads. With one intra-op thread, losses and gradients are bit-identical between runs of the
 * same seed; with more threads, PyTorch's reductions may differ in the last bits. Eval-mode calls
 * do not depend on the seed at all.
 *
 * <p><b>Speed.</b> Leading columns that are padding in every row are dropped before the
 * encoder (positions are right-aligned, so this changes nothing); pre-training losses are
 * computed at target positions only; Q, K and V projections run as one GEMM.
 */
public final class DjlModel implements RecModel {
    private final ModelConfig config;
    private final ItemContent content;
    private final long seed;
    private final Engine engine;
    private final NDManager manager;
    private final ParamStore store;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Object cacheLock = new Object();
    private final float[] userSinusoids;
    private final float[] contentSinusoids;
    private final float scale;
    private final Consumer<DjlModel> onClose;
    private final DropoutMasks dropoutMasks;
    private volatile ItemCache cache;
    private volatile boolean closed;
    private long step;
    private double rowGroupOverhead = RowGroups.DEFAULT_OVERHEAD;

    /**
     * Item vectors (and encoded content) of a subset of items, with the map id -> row; kvFlat, when
     * not null, holds every item's cross-attention key and value projections {@code [N+1, T*2d]}
     * (scoring: computed once per weight version instead of for every candidate of every call).
     */
    private record ItemTable(NDArray vectors, NDArray contentOut, int[] local, NDArray kvFlat) {
        ItemTable(NDArray vectors, NDArray contentOut, int[] local) {
            this(vectors, contentOut, local, null);
        }

        int row(int id) {
            return local == null ? id : local[id];
        }
    }

    /** The encoded user sequences and their keep mask. */
    private record UserSide(NDArray u, NDArray keep, int len) {}

    /** Item vectors of every item for one weight version. */
    private static final class ItemCache implements AutoCloseable {
        final NDManager m;
        final NDArray vectors;
        final NDArray contentFlat;
        /** Cross-attention key and value projections of every item's content {@code [N+1, T*2d]}, or null. */
        final NDArray kvFlat;

        final float[] javaVectors;

        ItemCache(NDManager m, NDArray vectors, NDArray contentFlat, NDArray kvFlat, float[] javaVectors) {
            this.m = m;
            this.vectors = vectors;
            this.contentFlat = contentFlat;
            this.kvFlat = kvFlat;
            this.javaVectors = javaVectors;
        }

        /** Every item, for stage 2, in the scope of c. */
        ItemTable table(Ctx c) {
            return new ItemTable(
                    c.view(vectors),
                    contentFlat == null ? null : c.view(contentFlat),
                    null,
                    kvFlat == null ? null : c.view(kvFlat));
        }

        @Override
        public void close() {
            m.close();
        }
    }

    DjlModel(ModelConfig config, ItemContent content, Weights weights, long seed, Consumer<DjlModel> onClose) {
        if (config == null || weights == null) {
            throw new IllegalArgumentException("config and weights are required");
        }
        ParamLayout.validate(config, weights);
        this.config = config;
        this.content = InputChecks.content(config, content);
        this.seed = seed;
        this.onClose = onClose;
        this.dropoutMasks = new DropoutMasks(config.dropout());
        this.scale = config.scaleEmbeddings() ? (float) Math.sqrt(config.dim()) : 1f;
        this.userSinusoids =
                config.positional() == Positional.SINUSOIDAL ? sinusoids(config.maxLen(), config.dim()) : null;
        this.contentSinusoids = config.positional() == Positional.SINUSOIDAL && config.hasContent()
                ? sinusoids(config.contentLen(), config.dim())
                : null;
        this.engine = Engine.getEngine("PyTorch");
        this.manager = engine.newBaseManager();
        try {
            this.store = new ParamStore(config, manager);
            store.load(weights);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Sinusoidal table {@code [len, d]} of MODEL.md (the reference's own table, so both agree to the last bit). */
    static float[] sinusoids(int len, int d) {
        return RefOps.sinusoidTable(len, d);
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

    // ---------------------------------------------------------------- scoring

    @Override
    public float[] userVectors(SeqBatch batch) {
        return read(() -> {
            InputChecks.batch(config, batch);
            ItemCache ic = itemCache();
            return chunked(batch, null, 0, config.dim(), (part, cands) -> {
                try (Ctx c = evalCtx(false)) {
                    ItemTable t = new ItemTable(c.view(ic.vectors), null, null);
                    UserSide u = encodeUsers(c, t, part, leadingPadding(part, null));
                    return floatsOf(last(u));
                }
            });
        });
    }

    @Override
    public float[] itemVectors() {
        return read(() -> itemCache().javaVectors.clone());
    }

    @Override
    public float[] scoreAll(SeqBatch batch) {
        return read(() -> {
            InputChecks.batch(config, batch);
            ItemCache ic = itemCache();
            return chunked(batch, null, 0, config.numItems() + 1, (part, cands) -> {
                try (Ctx c = evalCtx(false)) {
                    NDArray vectors = c.view(ic.vectors);
                    ItemTable t = new ItemTable(vectors, null, null);
                    UserSide u = encodeUsers(c, t, part, leadingPadding(part, null));
                    return floatsOf(last(u).matMul(vectors.transpose()));
                }
            });
        });
    }

    @Override
    public float[] scoreCandidates(SeqBatch batch, int[] candidates, int perRow) {
        return read(() -> {
            InputChecks.batch(config, batch);
            InputChecks.candidates(config, batch, candidates, perRow);
            ItemCache ic = itemCache();
            return chunked(batch, candidates, perRow, perRow, (part, cands) -> {
                try (Ctx c = evalCtx(false)) {
                    ItemTable t = ic.table(c);
                    UserSide u = encodeUsers(c, t, part, leadingPadding(part, null));
                    return floatsOf(stage2(c, t, u, part.size(), cands, perRow));
                }
            });
        });
    }

    /** Both stages in one native scope, the users encoded once (batches of more than {@link #SCORING_ROWS} rows: the default). */
    @Override
    public TwoStageScores scoreTwoStage(SeqBatch batch, java.util.function.Function<float[], Candidates> pick) {
        if (batch.size() > SCORING_ROWS) {
            return RecModel.super.scoreTwoStage(batch, pick);
        }
        return read(() -> {
            InputChecks.batch(config, batch);
            ItemCache ic = itemCache();
            try (Ctx c = evalCtx(false)) {
                ItemTable t = ic.table(c);
                UserSide u = encodeUsers(c, t, batch, leadingPadding(batch, null));
                float[] s1 = floatsOf(last(u).matMul(t.vectors().transpose()));
                Candidates chosen = pick.apply(s1);
                if (chosen.perRow() == 0) {
                    return new TwoStageScores(s1, chosen, new float[0]);
                }
                InputChecks.candidates(config, batch, chosen.ids(), chosen.perRow());
                float[] s2 = floatsOf(stage2(c, t, u, batch.size(), chosen.ids(), chosen.perRow()));
                return new TwoStageScores(s1, chosen, s2);
            }
        });
    }

    /** Rows per native pass of the scoring methods, so that a large batch never needs [B, L, L] at once. */
    static final int SCORING_ROWS = 256;

    /** One scoring pass over a slice of rows (with its candidates, or null). */
    private interface RowPass {
        float[] run(SeqBatch rows, int[] candidates);
    }

    /**
     * Runs a scoring pass over slices of at most {@link #SCORING_ROWS} rows, each in its own
     * native scope, and concatenates the {@code width} outputs per row.
     */
    private static float[] chunked(SeqBatch batch, int[] candidates, int perRow, int width, RowPass pass) {
        int b = batch.size();
        if (b <= SCORING_ROWS) {
            return pass.run(batch, candidates);
        }
        float[] out = new float[b * width];
        int len = batch.length();
        for (int from = 0; from < b; from += SCORING_ROWS) {
            int n = Math.min(SCORING_ROWS, b - from);
            int[] items = java.util.Arrays.copyOfRange(batch.items(), from * len, (from + n) * len);
            int[] events = batch.events() == null
                    ? null
                    : java.util.Arrays.copyOfRange(batch.events(), from * len, (from + n) * len);
            int[] cands = candidates == null
                    ? null
                    : java.util.Arrays.copyOfRange(candidates, from * perRow, (from + n) * perRow);
            float[] part = pass.run(new SeqBatch(n, len, items, events), cands);
            System.arraycopy(part, 0, out, from * width, n * width);
        }
        return out;
    }

    @Override
    public ForwardTrace trace(SeqBatch batch, int[] candidates, int perRow) {
        return read(() -> {
            InputChecks.batch(config, batch);
            if (candidates != null) {
                InputChecks.candidates(config, batch, candidates, perRow);
            }
            try (Ctx c = evalCtx(true)) {
                ItemTable t = allItems(c);
                c.record(ForwardTrace.ITEM_VECTORS, t.vectors());
                UserSide u = encodeUsers(c, t, batch, 0);
                c.record(ForwardTrace.STAGE1, last(u).matMul(t.vectors().transpose()));
                if (candidates != null) {
                    c.record(ForwardTrace.STAGE2, stage2(c, t, u, batch.size(), candidates, perRow));
                }
                ForwardTrace tr = new ForwardTrace();
                for (Map.Entry<String, NDArray> e : c.trace.entrySet()) {
                    tr.put(e.getKey(), floatsOf(e.getValue()));
                }
                return tr;
            }
        });
    }

    // ---------------------------------------------------------------- training

    @Override
    public void seekDropout(long call) {
        if (call < 0) {
            throw new IllegalArgumentException("call must be >= 0, found " + call);
        }
        step = call; // the training thread's counter (lossAndGradients and seekDropout share one thread)
    }

    @Override
    public StepResult lossAndGradients(TrainBatch batch, LossSpec loss, boolean training) {
        return read(() -> {
            if (batch instanceof TrainBatch.NextItem n) {
                StepInputs.Groups groups = StepInputs.nextItem(config, n, loss);
                return nextItem(groups, dropout(training));
            }
            TrainBatch.Candidates cb = (TrainBatch.Candidates) batch;
            StepInputs.candidates(config, cb, loss);
            return candidates(cb, loss, dropout(training));
        });
    }

    /** The dropout masks of a training-mode call (drawn from (seed, call)), or null. */
    private DropoutMasks dropout(boolean training) {
        if (!training || config.dropout() <= 0f) {
            return null;
        }
        dropoutMasks.reseed(RecModel.dropoutSeed(seed, step++));
        return dropoutMasks;
    }

    /**
     * A next-item step: the loss groups laid out engine-free ({@link StepInputs#nextItem}), then the
     * user encoder over the columns that hold a history item or a target, each counted position's
     * user vector, its logits by the mode of the batch's negatives, the loss and its gradients.
     */
    private StepResult nextItem(StepInputs.Groups groups, DropoutMasks masks) {
        TrainBatch.NextItem n = groups.batch();
        if (groups.count() == 0) {
            return new StepResult(0f, store.gradients(new NDArray[store.slotCount()]));
        }
        SeqBatch in = n.input();
        int lead = leadingPadding(in, n.targets());
        int[] rowOf = encodedRows(groups, lead);
        try (Ctx c = new Ctx(store, masks, true, false);
                GradientCollector gc = engine.newGradientCollector()) {
            c.droppedIds = n.droppedIds();
            ItemTable t = groupItems(c, groups, lead);
            Negatives negatives = n.negatives();
            UserSide u = null;
            NDArray uv;
            if (negatives instanceof Negatives.SharedByRow && !rowSoftmax(groups)) {
                // the negative logits are one product per row over the encoded [B, kept, d] output
                u = encodeUsers(c, t, in, lead);
                uv = c.rows(u.u().reshape((long) in.size() * u.len(), config.dim()), c.longs(rowOf, groups.count()));
            } else {
                uv = userVectorsByLength(c, t, groups);
            }
            NDArray lossValue;
            if (negatives instanceof Negatives.PerPosition) {
                lossValue = perPositionLoss(c, t, uv, groups);
            } else if (negatives instanceof Negatives.Shared shared) {
                lossValue = sharedLoss(c, t, u, uv, rowOf, groups, shared);
            } else {
                lossValue = DjlLosses.fullSoftmax(
                        c, uv.matMul(t.vectors().transpose()), c.longs(groups.targets(), groups.count(), 1));
            }
            return backward(c, gc, lossValue);
        }
    }

    /** Whether a loss over negatives shared by row runs as {@link RowSoftmax} (it reads the counted user vectors only). */
    private static boolean rowSoftmax(StepInputs.Groups groups) {
        return groups.shared() instanceof Negatives.SharedByRow
                && groups.spec() instanceof LossSpec.SampledSoftmax ss
                && groups.dropped() == null
                && (!ss.logQ() || groups.logQ() == null);
    }

    /** Sets the cost of one more row group of {@link #userVectorsByLength} (tests: 0 splits by every length). */
    void rowGroupOverhead(double overhead) {
        this.rowGroupOverhead = overhead;
    }

    /**
     * The user vectors {@code [P, d]} of the counted positions, the rows encoded by groups of similar
     * length ({@link RowGroups}), each group from its longest row's first item or target: the same
     * values as encoding the whole batch, without the padding columns.
     */
    private NDArray userVectorsByLength(Ctx c, ItemTable t, StepInputs.Groups groups) {
        SeqBatch in = groups.batch().input();
        int[] targets = groups.batch().targets();
        int full = in.length();
        RowGroups rg = RowGroups.split(RowGroups.encodedLengths(in, targets, groups.positions()), rowGroupOverhead);
        int[] rowStart = new int[in.size()]; // row of each batch row's column 0 in the concatenated output
        NDList flats = new NDList(rg.count());
        int offset = 0;
        for (int g = 0; g < rg.count(); g++) {
            int[] rows = rg.rows(g);
            int len = rg.length(g);
            int[] items = new int[rows.length * full];
            int[] events = in.events() == null ? null : new int[rows.length * full];
            for (int k = 0; k < rows.length; k++) {
                System.arraycopy(in.items(), rows[k] * full, items, k * full, full);
                if (events != null) {
                    System.arraycopy(in.events(), rows[k] * full, events, k * full, full);
                }
                rowStart[rows[k]] = offset + k * len - (full - len);
            }
            UserSide u = encodeUsers(c, t, new SeqBatch(rows.length, full, items, events), full - len);
            flats.add(u.u().reshape((long) rows.length * len, config.dim()));
            offset += rows.length * len;
        }
        int[] at = new int[groups.count()];
        for (int i = 0; i < at.length; i++) {
            int flat = groups.positions()[i];
            at[i] = rowStart[flat / full] + flat % full;
        }
        NDArray all = flats.size() == 1 ? flats.singletonOrThrow() : NDArrays.concat(flats);
        return c.rows(all, c.longs(at, at.length));
    }

    /** Row of each group's position in the encoded {@code [B * kept, d]} user output (columns from lead). */
    private static int[] encodedRows(StepInputs.Groups groups, int lead) {
        int len = groups.batch().input().length();
        int kept = len - lead;
        int[] rowOf = new int[groups.count()];
        for (int g = 0; g < rowOf.length; g++) {
            int flat = groups.positions()[g];
            rowOf[g] = (flat / len) * kept + (flat % len - lead);
        }
        return rowOf;
    }

    /**
     * The item vectors the loss reads: every item for full softmax and id-only models; for content
     * models the batch's history items and the candidates (or the targets and the shared negatives).
     */
    private ItemTable groupItems(Ctx c, StepInputs.Groups groups, int lead) {
        if (groups.fullSoftmax() || !config.hasContent()) {
            return allItems(c);
        }
        int[] needed = groups.candidates();
        Negatives.Shared shared = groups.shared();
        if (shared != null) {
            int p = groups.count();
            needed = new int[p + shared.ids().length];
            System.arraycopy(groups.targets(), 0, needed, 0, p);
            System.arraycopy(shared.ids(), 0, needed, p, shared.ids().length);
        }
        return someItems(c, groups.batch().input(), lead, needed);
    }

    /** Per-position candidates: logits {@code [P, C]} of each group's own candidates. */
    private NDArray perPositionLoss(Ctx c, ItemTable t, NDArray uv, StepInputs.Groups groups) {
        int p = groups.count();
        int cands = groups.width();
        int[] candIds = groups.candidates();
        int[] local = new int[candIds.length];
        for (int i = 0; i < local.length; i++) {
            local[i] = t.row(candIds[i]);
        }
        NDArray cv = c.rows(t.vectors(), c.longs(local, p, cands));
        NDArray logits = cv.mul(uv.expandDims(1)).sum(new int[] {2});
        NDArray lq = groups.logQ() == null ? null : c.floats(groups.logQ(), p, cands);
        return DjlLosses.sampled(c, groups.spec(), logits, lq, config.numItems(), null);
    }

    /**
     * Shared negatives: target logits row by row, negative logits as one product
     * {@code U [P, d] x V_neg^T [d, K]} (batch) or {@code U [B, kept, d] x V_neg^T [B, d, K]} (by row).
     */
    private NDArray sharedLoss(
            Ctx c,
            ItemTable t,
            UserSide u,
            NDArray uv,
            int[] rowOf,
            StepInputs.Groups groups,
            Negatives.Shared shared) {
        int p = groups.count();
        int cands = groups.width();
        int k = cands - 1;
        int[] tl = new int[p];
        for (int i = 0; i < p; i++) {
            tl[i] = t.row(groups.targets()[i]);
        }
        NDArray pos = c.rows(t.vectors(), c.longs(tl, p)).mul(uv).sum(new int[] {1}, true); // [P, 1]
        int[] nl = new int[shared.ids().length];
        for (int i = 0; i < nl.length; i++) {
            nl[i] = t.row(shared.ids()[i]);
        }
        NDArray neg;
        if (shared instanceof Negatives.SharedByRow) {
            if (rowSoftmax(groups)) {
                int len = groups.batch().input().length();
                int[] seqRow = new int[p];
                for (int g = 0; g < p; g++) {
                    seqRow[g] = groups.positions()[g] / len;
                }
                return RowSoftmax.loss(c, t.vectors(), uv, pos, seqRow, nl, k);
            }
            // each row's K negatives, then the counted positions
            int rows = nl.length / k;
            NDArray vneg = c.rows(t.vectors(), c.longs(nl, rows, k)); // [B, K, d]
            NDArray all = u.u().matMul(vneg.transpose(0, 2, 1)).reshape((long) rows * u.len(), k); // [B*kept, K]
            neg = c.rows(all, c.longs(rowOf, p)); // [P, K]
        } else {
            neg = uv.matMul(c.rows(t.vectors(), c.longs(nl, k)).transpose()); // [P, K]
        }
        NDArray logits = pos.concat(neg, 1);
        NDArray lq = groups.logQ() == null ? null : c.floats(groups.logQ(), p, cands);
        return DjlLosses.sampled(c, groups.spec(), logits, lq, config.numItems(), groups.dropped());
    }

    private StepResult candidates(TrainBatch.Candidates cb, LossSpec spec, DropoutMasks masks) {
        SeqBatch in = cb.input();
        int lead = leadingPadding(in, null);
        try (Ctx c = new Ctx(store, masks, true, false);
                GradientCollector gc = engine.newGradientCollector()) {
            ItemTable t = config.hasContent() ? someItems(c, in, lead, cb.candidates()) : allItems(c);
            UserSide u = encodeUsers(c, t, in, lead);
            NDArray y = stage2(c, t, u, in.size(), cb.candidates(), cb.perRow());
            NDArray labels = cb.labels() == null ? null : c.floats(cb.labels(), in.size(), cb.perRow());
            return backward(c, gc, DjlLosses.finetune(c, spec, y, labels));
        }
    }

    private StepResult backward(Ctx c, GradientCollector gc, NDArray lossValue) {
        gc.backward(lossValue);
        float value = lossValue.getFloat();
        return new StepResult(value, store.gradients(c.gradients()));
    }

    // ---------------------------------------------------------------- weights

    @Override
    public Weights weights() {
        return read(store::export);
    }

    @Override
    public void setWeights(Weights weights) {
        ParamLayout.validate(config, weights);
        lock.writeLock().lock();
        try {
            ensureOpen();
            store.load(weights);
            invalidateCache();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            invalidateCache();
            store.close();
            manager.close();
        } finally {
            lock.writeLock().unlock();
        }
        if (onClose != null) {
            onClose.accept(this);
        }
    }

    private void invalidateCache() {
        synchronized (cacheLock) {
            if (cache != null) {
                cache.close();
                cache = null;
            }
        }
    }

    // ---------------------------------------------------------------- forward pieces

    private ItemCache itemCache() {
        ItemCache ic = cache;
        if (ic != null) {
            return ic;
        }
        synchronized (cacheLock) {
            if (cache == null) {
                NDManager cm = manager.newSubManager();
                try (Ctx c = evalCtx(false)) {
                    ItemTable t = allItems(c);
                    NDArray v = t.vectors().duplicate();
                    v.attach(cm);
                    NDArray flat = null;
                    NDArray kv = null;
                    if (t.contentOut() != null) {
                        long rows = config.numItems() + 1L;
                        long width = (long) config.contentLen() * config.dim();
                        flat = t.contentOut().reshape(rows, width).duplicate();
                        flat.attach(cm);
                        kv = new DjlCrossAttention(c, config.heads())
                                .keyValues(t.contentOut())
                                .reshape(rows, 2 * width)
                                .duplicate();
                        kv.attach(cm);
                    }
                    cache = new ItemCache(cm, v, flat, kv, floatsOf(v));
                } catch (RuntimeException e) {
                    cm.close();
                    throw e;
                }
            }
            return cache;
        }
    }

    private Ctx evalCtx(boolean traced) {
        return new Ctx(store, null, false, traced);
    }

    /** Item vectors of every item 0..N (rows = ids). */
    private ItemTable allItems(Ctx c) {
        if (!config.hasContent()) {
            return new ItemTable(c.p(ParamLayout.ITEM_EMBEDDING), null, null);
        }
        int n = config.numItems() + 1;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        ItemTable t = contentItems(c, ids, null);
        c.record(ForwardTrace.CONTENT_OUTPUT, t.contentOut());
        return t;
    }

    /** Item vectors of the items of a batch (history from column lead, and candidates), content models. */
    private ItemTable someItems(Ctx c, SeqBatch in, int lead, int[] candidates) {
        int[] local = new int[config.numItems() + 1];
        java.util.Arrays.fill(local, -1);
        int[] ids = new int
                [Math.min(
                        local.length, in.size() * (in.length() - lead) + (candidates == null ? 0 : candidates.length))];
        int u = 0;
        for (int b = 0; b < in.size(); b++) {
            for (int j = lead; j < in.length(); j++) {
                int id = in.item(b, j);
                if (local[id] < 0) {
                    local[id] = u;
                    ids[u++] = id;
                }
            }
        }
        if (candidates != null) {
            for (int id : candidates) {
                if (local[id] < 0) {
                    local[id] = u;
                    ids[u++] = id;
                }
            }
        }
        return contentItems(c, java.util.Arrays.copyOf(ids, u), local);
    }

    /** Content encoder over the given items and their item vectors (MODEL.md "Item side"). */
    private ItemTable contentItems(Ctx c, int[] ids, int[] local) {
        int n = ids.length;
        int len = config.contentLen();
        int d = config.dim();
        int[] tok = new int[n * len];
        float[] keep = new float[n * len];
        int[] all = content.tokens();
        for (int i = 0; i < n; i++) {
            System.arraycopy(all, ids[i] * len, tok, i * len, len);
            for (int t = 0; t < len; t++) {
                keep[i * len + t] = tok[i * len + t] != 0 ? 1f : 0f;
            }
        }
        NDArray x0 = c.rows(c.p(ParamLayout.TOKEN_EMBEDDING), c.longs(tok, n, len));
        if (scale != 1f) {
            x0 = x0.mul(c.scalar(scale));
        }
        NDArray pos = config.positional() == Positional.LEARNED
                ? c.p(ParamLayout.CONTENT_POSITION_EMBEDDING)
                : c.floats(contentSinusoids, len, d);
        x0 = x0.add(pos);
        NDArray keepT = c.floats(keep, n, len);
        NDArray out = new DjlEncoder(c, config, ParamLayout.CONTENT_ENCODER, config.contentLayers(), false, null)
                .encode(x0, keepT);
        NDArray cnt = keepT.sum(new int[] {1}, true);
        NDArray pooled = out.mul(keepT.reshape(n, len, 1)).sum(new int[] {1}).div(cnt);
        NDArray vectors = pooled;
        if (config.itemIds()) {
            NDArray idRows = c.rows(c.p(ParamLayout.ITEM_EMBEDDING), c.longs(ids, n));
            if (c.droppedIds != null) {
                float[] keepId = new float[n];
                for (int i = 0; i < n; i++) {
                    keepId[i] = c.droppedIds[ids[i]] ? 0f : 1f;
                }
                idRows = idRows.mul(c.floats(keepId, n, 1));
            }
            vectors = idRows.add(pooled);
        }
        return new ItemTable(vectors, out, local);
    }

    /** The user encoder over columns lead..L-1 of the batch (MODEL.md "User side"). */
    private UserSide encodeUsers(Ctx c, ItemTable t, SeqBatch batch, int lead) {
        int b = batch.size();
        int full = batch.length();
        int len = full - lead;
        int d = config.dim();
        int[] rows = new int[b * len];
        float[] keep = new float[b * len];
        boolean events = config.eventTypes() > 0;
        int[] ev = events ? new int[b * len] : null;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < len; j++) {
                int id = batch.items()[i * full + lead + j];
                rows[i * len + j] = t.row(id);
                keep[i * len + j] = id != 0 ? 1f : 0f;
                if (events && batch.events() != null) {
                    ev[i * len + j] = batch.events()[i * full + lead + j];
                }
            }
        }
        NDArray x0 = c.rows(t.vectors(), c.longs(rows, b, len));
        if (scale != 1f) {
            x0 = x0.mul(c.scalar(scale));
        }
        if (events) {
            x0 = x0.add(c.rows(c.p(ParamLayout.EVENT_EMBEDDING), c.longs(ev, b, len)));
        }
        int first = config.maxLen() - len;
        NDArray pos;
        if (config.positional() == Positional.LEARNED) {
            int[] p = new int[len];
            for (int j = 0; j < len; j++) {
                p[j] = first + j;
            }
            pos = c.rows(c.p(ParamLayout.POSITION_EMBEDDING), c.longs(p, len));
        } else {
            pos = c.floatsAt(userSinusoids, first * d, len, d);
        }
        x0 = x0.add(pos);
        c.record(ForwardTrace.USER_INPUT, x0);
        NDArray keepT = c.floats(keep, b, len);
        NDArray u = new DjlEncoder(
                        c,
                        config,
                        ParamLayout.USER_ENCODER,
                        config.layers(),
                        true,
                        c.trace != null ? "user_encoder.layers." : null)
                .encode(x0, keepT);
        c.record(ForwardTrace.USER_OUTPUT, u);
        return new UserSide(u, keepT, len);
    }

    private static NDArray last(UserSide u) {
        return u.u().get(new NDIndex(":, {}, :", u.len() - 1));
    }

    /** Stage-2 scores {@code [B, C]} (MODEL.md "Scores"). */
    private NDArray stage2(Ctx c, ItemTable t, UserSide u, int b, int[] candidates, int perRow) {
        int d = config.dim();
        int[] local = new int[candidates.length];
        for (int i = 0; i < local.length; i++) {
            local[i] = t.row(candidates[i]);
        }
        NDArray idx = c.longs(local, b, perRow);
        NDArray cv = c.rows(t.vectors(), idx);
        NDArray s1 = cv.mul(last(u).expandDims(1)).sum(new int[] {2});
        DjlCrossAttention cross = new DjlCrossAttention(c, config.heads());
        NDArray kv;
        NDArray keyAdd;
        if (config.hasContent()) {
            int len = config.contentLen();
            if (t.kvFlat() != null) {
                kv = c.rows(t.kvFlat(), idx).reshape(b, perRow, len, 2L * d);
            } else {
                NDArray flat = t.contentOut().reshape(t.contentOut().getShape().get(0), (long) len * d);
                kv = cross.keyValues(c.rows(flat, idx).reshape(b, perRow, len, d));
            }
            float[] add = new float[candidates.length * len];
            int[] all = content.tokens();
            for (int i = 0; i < candidates.length; i++) {
                for (int k = 0; k < len; k++) {
                    add[i * len + k] = all[candidates[i] * len + k] != 0 ? 0f : Mha.NEG;
                }
            }
            keyAdd = c.floats(add, b, perRow, len);
        } else {
            kv = cross.keyValues(cv.expandDims(2));
            keyAdd = c.m.zeros(new ai.djl.ndarray.types.Shape(b, perRow, 1));
        }
        if (config.pooling() == Pooling.MEAN && c.trace == null) {
            return cross.meanPooledScores(u.u(), kv, keyAdd, u.keep())
                    .add(c.p(ParamLayout.SCORER_BIAS))
                    .add(s1);
        }
        NDArray a = cross.attendMany(u.u(), kv, keyAdd);
        c.record(ForwardTrace.CROSS_OUTPUT, a);
        return new DjlScorer(c, config.pooling()).scoreMany(a, u.u(), u.keep(), s1);
    }

    // ---------------------------------------------------------------- checks and helpers

    /** Columns that are padding in every row (items, and targets when given), dropped before encoding. */
    static int leadingPadding(SeqBatch b, int[] targets) {
        int len = b.length();
        for (int j = 0; j < len - 1; j++) {
            for (int i = 0; i < b.size(); i++) {
                int f = i * len + j;
                if (b.items()[f] != 0 || (targets != null && targets[f] != 0)) {
                    return j;
                }
            }
        }
        return len - 1;
    }

    /** A tensor's values (made contiguous first). */
    static float[] floatsOf(NDArray a) {
        FloatBuffer fb = a.toByteBuffer(true).asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
    }

    private <T> T read(java.util.function.Supplier<T> body) {
        lock.readLock().lock();
        try {
            ensureOpen();
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }
}
