package dev.recsys.api.reference;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossMath;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.StepInputs;
import dev.recsys.api.model.CrossAttention;
import dev.recsys.api.model.Encoder;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.InputChecks;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Scorer;
import dev.recsys.api.model.Weights;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference forward pass: the whole model of docs/MODEL.md in double precision, written as
 * plain loops over one row at a time so that it can be read against the document line by line.
 * It is slow (meant for tiny test sizes) and immutable: weights are copied (widened to double) at
 * construction. Eval mode (no dropout) everywhere except {@link #trainingLoss}.
 *
 * <p>The components are exposed through the engine-neutral interfaces with {@link RefTensor}:
 * {@link #userEncoder()} (causal mask), {@link #contentEncoder()} (bidirectional padding mask),
 * {@link #crossAttention()} and {@link #scorer()}.
 *
 * <p>Inputs: {@code SeqBatch.length <= maxLen}; item ids and candidates in {@code 0..N}; event
 * types in {@code 0..eventTypes-1} (a null events array means type 0 everywhere; events are
 * ignored when the model has no event embedding). A row without any item has no stage-2 score.
 */
public final class ReferenceModel {
    private final ModelConfig config;
    private final ItemContent content;
    private final Map<String, double[]> params;
    private final int numItems;
    private final int dim;
    private final double embedScale;
    private ItemSide evalItems;
    private TrainingItems trainingItems;

    /** Seed of the user side's dropout stream, relative to the item side's. */
    private static final long USER_STREAM = 0x9E3779B97F4A7C15L;

    /** The item side of a training pass with the dropout stream of seed. */
    private record TrainingItems(long seed, ItemSide side) {}

    /** Content output {@code [(N+1), T, d]} (null without content), its keep mask, and item vectors {@code [(N+1), d]}. */
    private record ItemSide(double[] contentOutput, boolean[] contentKeep, double[] itemVectors) {}

    /**
     * @param config  the model shape
     * @param content item content; required when {@code config.hasContent()}, else ignored (may be null)
     * @param weights canonical weights of this config ({@link ParamLayout#validate})
     */
    public ReferenceModel(ModelConfig config, ItemContent content, Weights weights) {
        if (config == null || weights == null) {
            throw new IllegalArgumentException("config and weights must not be null");
        }
        ParamLayout.validate(config, weights);
        this.config = config;
        this.content = InputChecks.content(config, content);
        this.params = new HashMap<>();
        for (Map.Entry<String, Weights.Tensor> e : weights.asMap().entrySet()) {
            float[] f = e.getValue().data();
            double[] v = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                v[i] = f[i];
            }
            params.put(e.getKey(), v);
        }
        this.numItems = config.numItems();
        this.dim = config.dim();
        this.embedScale = config.scaleEmbeddings() ? Math.sqrt(dim) : 1.0;
    }

    private ReferenceModel(
            ReferenceModel base, Map<String, double[]> params, ItemSide items, TrainingItems trainingItems) {
        this.config = base.config;
        this.content = base.content;
        this.params = params;
        this.numItems = base.numItems;
        this.dim = base.dim;
        this.embedScale = base.embedScale;
        this.evalItems = items;
        this.trainingItems = trainingItems;
    }

    public ModelConfig config() {
        return config;
    }

    /** Item content, or null for an id-only model. */
    public ItemContent content() {
        return content;
    }

    /** One parameter value (as held, in double). */
    public double parameter(String name, int index) {
        return param(name)[index];
    }

    /**
     * This model with one scalar parameter replaced, for finite differences. The copy shares every
     * other array, and shares the cached item side when the parameter cannot change it.
     */
    public ReferenceModel withParameter(String name, int index, double value) {
        double[] old = param(name);
        if (index < 0 || index >= old.length) {
            throw new IllegalArgumentException(
                    "index of " + name + " must be in [0, " + old.length + "), found " + index);
        }
        Map<String, double[]> p = new HashMap<>(params);
        double[] copy = old.clone();
        copy[index] = value;
        p.put(name, copy);
        boolean shared = !affectsItemSide(name);
        return new ReferenceModel(this, p, shared ? evalItemSide() : null, shared ? cachedTrainingItems() : null);
    }

    /** Whether a parameter enters the item vectors / content outputs (the rest is user side, cross-attention and scorer). */
    public static boolean affectsItemSide(String name) {
        return name.equals(ParamLayout.ITEM_EMBEDDING) || name.startsWith(ParamLayout.CONTENT_ENCODER + ".");
    }

    // ------------------------------------------------------------------ public forward pass (eval mode)

    /** Encoded content {@code I_c} of every item, {@code [N+1, T, d]}; null for an id-only model. */
    public double[] contentOutput() {
        double[] c = evalItemSide().contentOutput();
        return c == null ? null : c.clone();
    }

    /** Item vectors {@code [N+1, d]}. */
    public double[] itemVectors() {
        return evalItemSide().itemVectors().clone();
    }

    /** User encoder input {@code [B, L, d]}: scaled item vectors + event + position (before the keep mask). */
    public double[] userInput(SeqBatch batch) {
        return new Pass(null).userInput(batch, evalItemSide());
    }

    /** The encoded user sequence U {@code [B, L, d]} (padding rows are garbage). */
    public double[] userOutput(SeqBatch batch) {
        return new Pass(null).users(batch, evalItemSide(), null);
    }

    /** Stage-1 user vectors {@code u_last = U[b, L-1]}, {@code [B, d]}. */
    public double[] userVectors(SeqBatch batch) {
        return lastPositions(userOutput(batch), batch);
    }

    /** Stage-1 scores of every item {@code [B, N+1]} (column 0: the padding item). */
    public double[] scoreAll(SeqBatch batch) {
        return stage1(userVectors(batch), batch.size(), evalItemSide().itemVectors());
    }

    /** Stage-2 scores {@code [B, perRow]} of the candidates {@code [B * perRow]}. */
    public double[] scoreCandidates(SeqBatch batch, int[] candidates, int perRow) {
        Pass pass = new Pass(null);
        ItemSide items = evalItemSide();
        double[] u = pass.users(batch, items, null);
        return pass.stage2(batch, u, items, candidates, perRow, null);
    }

    /**
     * Every intermediate result named in {@link ForwardTrace}: item vectors, content output
     * (content models), user input, each user layer, user output, stage-1 scores, and with
     * candidates the cross-attention output {@code [B, C, L, d]} and stage-2 scores {@code [B, C]}.
     *
     * @param candidates {@code [B * perRow]} or null for no stage 2
     */
    public ForwardTrace trace(SeqBatch batch, int[] candidates, int perRow) {
        Pass pass = new Pass(null);
        ItemSide items = evalItemSide();
        ForwardTrace t = new ForwardTrace();
        t.put(ForwardTrace.ITEM_VECTORS, RefOps.toFloats(items.itemVectors()));
        if (items.contentOutput() != null) {
            t.put(ForwardTrace.CONTENT_OUTPUT, RefOps.toFloats(items.contentOutput()));
        }
        t.put(ForwardTrace.USER_INPUT, RefOps.toFloats(pass.userInput(batch, items)));
        List<double[]> layers = new ArrayList<>();
        double[] u = pass.users(batch, items, layers);
        for (int i = 0; i < layers.size(); i++) {
            t.put(ForwardTrace.userLayer(i), RefOps.toFloats(layers.get(i)));
        }
        t.put(ForwardTrace.USER_OUTPUT, RefOps.toFloats(u));
        t.put(ForwardTrace.STAGE1, RefOps.toFloats(stage1(lastPositions(u, batch), batch.size(), items.itemVectors())));
        if (candidates != null) {
            List<double[]> cross = new ArrayList<>();
            double[] s2 = pass.stage2(batch, u, items, candidates, perRow, cross);
            t.put(ForwardTrace.CROSS_OUTPUT, RefOps.toFloats(cross.get(0)));
            t.put(ForwardTrace.STAGE2, RefOps.toFloats(s2));
        }
        return t;
    }

    /**
     * Why a model scores items as it does for one history, read from its attention weights (eval
     * mode, mean over heads): how much the last position of the last user-encoder layer attends
     * to each position of the history, and for content models, for each item, how much the
     * cross-attention weighs each of its content tokens, averaged over the history's positions
     * (the mean-pooled scorer reads every position equally).
     *
     * @param batch one row
     * @param items the items to explain, in {@code 1..N}
     */
    public Explanation explain(SeqBatch batch, int[] items) {
        if (batch.size() != 1) {
            throw new IllegalArgumentException("explain takes one history, found a batch of " + batch.size());
        }
        InputChecks.candidates(config, batch, items, items.length);
        Map<String, double[]> weights = new HashMap<>();
        Pass pass = new Pass(null, weights);
        ItemSide side = evalItemSide();
        int l = batch.length();
        double[] u = pass.users(batch, side, null);
        int heads = config.heads();
        double[] last = weights.get(name(ParamLayout.USER_ENCODER, ".layers." + (config.layers() - 1)) + ".attention");
        double[] history = new double[l];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < l; j++) {
                history[j] += last[(h * l + l - 1) * l + j] / heads;
            }
        }
        if (side.contentOutput() == null) {
            return new Explanation(history, null);
        }
        int n = config.crossKeyLen();
        int kept = 0;
        for (int j = 0; j < l; j++) {
            kept += batch.item(0, j) != 0 ? 1 : 0;
        }
        double[][] tokens = new double[items.length][n];
        RefCrossAttention attention = new RefCrossAttention(weights);
        for (int c = 0; c < items.length; c++) {
            double[] keys = new double[n * dim];
            double[] keyKeep = new double[n];
            System.arraycopy(side.contentOutput(), items[c] * n * dim, keys, 0, n * dim);
            for (int t = 0; t < n; t++) {
                keyKeep[t] = side.contentKeep()[items[c] * n + t] ? 1 : 0;
            }
            attention.attend(RefTensor.of(u, 1, l, dim), RefTensor.of(keys, 1, n, dim), RefTensor.of(keyKeep, 1, n));
            double[] w = weights.get(ParamLayout.CROSS);
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < l; j++) {
                    if (batch.item(0, j) == 0) {
                        continue;
                    }
                    for (int t = 0; t < n; t++) {
                        tokens[c][t] += w[(h * l + j) * n + t] / (heads * (double) kept);
                    }
                }
            }
        }
        return new Explanation(history, tokens);
    }

    /**
     * Attention weights behind a score (see {@link #explain}).
     *
     * @param history {@code [L]}: weight of each position of the history row (padding: 0), summing to 1
     * @param tokens  {@code [items][T]}: weight of each content token of each item (padding: 0), each
     *                row summing to 1; null for an id-only model
     */
    public record Explanation(double[] history, double[][] tokens) {}

    /** The eval-mode loss of a batch: stage-1 logits for {@link TrainBatch.NextItem}, stage-2 scores for {@link TrainBatch.Candidates}. */
    public double loss(TrainBatch batch, LossSpec spec) {
        return lossResult(batch, spec).value();
    }

    /** The eval-mode loss with its gradient with respect to the logits or scores (layout: see {@link #logits}). */
    public LossMath.Result lossResult(TrainBatch batch, LossSpec spec) {
        Pass pass = new Pass(null);
        return pass.loss(batch, spec, evalItemSide());
    }

    /**
     * The loss with dropout (rate {@code config.dropout()}, inverted: kept values scaled by
     * {@code 1/(1-p)}) at the places MODEL.md lists. Masks are drawn in a fixed order, for the
     * item side (content encoder) from {@code new SplittableRandom(dropoutSeed)} and for the user
     * side from {@code new SplittableRandom(dropoutSeed ^ 0x9E3779B97F4A7C15L)}, so the same seed
     * gives the same masks. The reference's own streams: only eval-mode numbers are comparable
     * across backends.
     */
    public double trainingLoss(TrainBatch batch, LossSpec spec, long dropoutSeed) {
        if (config.dropout() == 0) {
            return loss(batch, spec);
        }
        ItemSide items = trainingItemSide(dropoutSeed);
        return new Pass(new Dropout(config.dropout(), dropoutSeed ^ USER_STREAM))
                .loss(batch, spec, items)
                .value();
    }

    private synchronized ItemSide trainingItemSide(long seed) {
        TrainingItems t = trainingItems;
        if (t == null || t.seed() != seed) {
            t = new TrainingItems(seed, new Pass(new Dropout(config.dropout(), seed)).itemSide());
            trainingItems = t;
        }
        return t.side();
    }

    private synchronized TrainingItems cachedTrainingItems() {
        return trainingItems;
    }

    /**
     * The logits the loss of a batch sees (eval mode): for pre-training {@code [G, C]} (ranking,
     * candidates of each counted position; with shared negatives {@code C = 1 + K}, the target then
     * the K shared negatives, a negative equal to the target included here but dropped by the loss)
     * or {@code [G, N]} (softmax, items 1..N) over the
     * positions with a target, row-major by row then position; for fine-tuning the stage-2
     * scores {@code [B, C]}.
     */
    public double[] logits(TrainBatch batch, LossSpec spec) {
        return new Pass(null).logits(batch, spec, evalItemSide());
    }

    // ------------------------------------------------------------------ components

    /** The user (sequence) encoder with the causal + padding mask, eval mode. */
    public Encoder<RefTensor> userEncoder() {
        return new RefEncoder(ParamLayout.USER_ENCODER, config.layers(), true, null);
    }

    /** The content encoder with the bidirectional padding mask, eval mode. */
    public Encoder<RefTensor> contentEncoder() {
        if (!config.hasContent()) {
            throw new IllegalStateException("this model has no content encoder (contentVocab = 0)");
        }
        return new RefEncoder(ParamLayout.CONTENT_ENCODER, config.contentLayers(), false, null);
    }

    /** The stage-2 cross-attention {@code cross.attention} (no norm, no residual). */
    public CrossAttention<RefTensor> crossAttention() {
        return new RefCrossAttention();
    }

    /** The stage-2 scorer {@code ŷ = s1 + Pool(A ⊙ U) · w + b}. */
    public Scorer<RefTensor> scorer() {
        return new RefScorer();
    }

    // ------------------------------------------------------------------ internals

    private static final ConcurrentHashMap<String, ConcurrentHashMap<String, String>> NAMES = new ConcurrentHashMap<>();

    /** {@code prefix + suffix}, interned in a cache: the forward pass looks parameters up by name in its inner loops. */
    private static String name(String prefix, String suffix) {
        return NAMES.computeIfAbsent(prefix, k -> new ConcurrentHashMap<>()).computeIfAbsent(suffix, x -> prefix + x);
    }

    private double[] param(String prefix, String suffix) {
        return param(name(prefix, suffix));
    }

    private double[] param(String name) {
        double[] p = params.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "' in this model");
        }
        return p;
    }

    private synchronized ItemSide evalItemSide() {
        if (evalItems == null) {
            evalItems = new Pass(null).itemSide();
        }
        return evalItems;
    }

    private double[] lastPositions(double[] u, SeqBatch batch) {
        int b = batch.size();
        int l = batch.length();
        double[] out = new double[b * dim];
        for (int r = 0; r < b; r++) {
            System.arraycopy(u, (r * l + l - 1) * dim, out, r * dim, dim);
        }
        return out;
    }

    private double[] stage1(double[] userVectors, int rows, double[] itemVectors) {
        double[] s = new double[rows * (numItems + 1)];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i <= numItems; i++) {
                s[r * (numItems + 1) + i] = RefOps.dot(userVectors, r * dim, itemVectors, i * dim, dim);
            }
        }
        return s;
    }

    private double[] position(boolean contentSide, int p) {
        if (config.positional() == Positional.SINUSOIDAL) {
            return RefOps.sinusoid(p, dim);
        }
        double[] table = param(contentSide ? ParamLayout.CONTENT_POSITION_EMBEDDING : ParamLayout.POSITION_EMBEDDING);
        double[] row = new double[dim];
        System.arraycopy(table, p * dim, row, 0, dim);
        return row;
    }

    /** Inverted dropout with a seeded stream. */
    private static final class Dropout {
        private final double rate;
        private final SplittableRandom random;

        Dropout(double rate, long seed) {
            this.rate = rate;
            this.random = new SplittableRandom(seed);
        }

        void apply(double[] x) {
            double keepScale = 1 / (1 - rate);
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextDouble() < rate ? 0 : x[i] * keepScale;
            }
        }
    }

    /** One forward pass: eval (drop == null) or training with its dropout stream. */
    private final class Pass {
        final Dropout drop;
        /** Attention weights {@code [heads, lq, lk]} of the last call of each attention prefix, or null. */
        final Map<String, double[]> weights;

        Pass(Dropout drop) {
            this(drop, null);
        }

        Pass(Dropout drop, Map<String, double[]> weights) {
            this.drop = drop;
            this.weights = weights;
        }

        ItemSide itemSide() {
            int rows = numItems + 1;
            double[] contentOut = null;
            boolean[] ckeep = null;
            int len = config.crossKeyLen();
            if (config.hasContent()) {
                int[] tokens = content.tokens();
                double[] table = param(ParamLayout.TOKEN_EMBEDDING);
                double[] x0 = new double[rows * len * dim];
                double[] keep = new double[rows * len];
                ckeep = new boolean[rows * len];
                for (int t = 0; t < len; t++) {
                    double[] pos = position(true, t);
                    for (int i = 0; i < rows; i++) {
                        int tok = tokens[i * len + t];
                        int o = (i * len + t) * dim;
                        for (int c = 0; c < dim; c++) {
                            x0[o + c] = table[tok * dim + c] * embedScale + pos[c];
                        }
                        keep[i * len + t] = tok != ItemContent.PAD ? 1 : 0;
                        ckeep[i * len + t] = tok != ItemContent.PAD;
                    }
                }
                RefEncoder enc = new RefEncoder(ParamLayout.CONTENT_ENCODER, config.contentLayers(), false, drop);
                contentOut = enc.encode(RefTensor.of(x0, rows, len, dim), RefTensor.of(keep, rows, len), null)
                        .data();
            }
            double[] vectors = new double[rows * dim];
            if (config.itemIds()) {
                System.arraycopy(param(ParamLayout.ITEM_EMBEDDING), 0, vectors, 0, rows * dim);
            }
            if (contentOut != null) {
                for (int i = 0; i < rows; i++) {
                    double[] mean = contentMean(contentOut, ckeep, i);
                    for (int c = 0; c < dim; c++) {
                        vectors[i * dim + c] += mean[c];
                    }
                }
            }
            return new ItemSide(contentOut, ckeep, vectors);
        }

        /** {@code mean_{t: ckeep[t]} I_i[t]}, item i's content vector. */
        double[] contentMean(double[] contentOut, boolean[] ckeep, int i) {
            int len = config.contentLen();
            int kept = 0;
            double[] mean = new double[dim];
            for (int t = 0; t < len; t++) {
                if (ckeep[i * len + t]) {
                    kept++;
                    for (int c = 0; c < dim; c++) {
                        mean[c] += contentOut[(i * len + t) * dim + c];
                    }
                }
            }
            for (int c = 0; c < dim; c++) {
                mean[c] /= kept; // kept >= 1: the marker is never padding
            }
            return mean;
        }

        double[] userInput(SeqBatch batch, ItemSide items) {
            InputChecks.batch(config, batch);
            int b = batch.size();
            int l = batch.length();
            double[] vectors = items.itemVectors();
            double[] events = config.eventTypes() > 0 ? param(ParamLayout.EVENT_EMBEDDING) : null;
            double[] x0 = new double[b * l * dim];
            for (int j = 0; j < l; j++) {
                double[] pos = position(false, config.maxLen() - l + j);
                for (int r = 0; r < b; r++) {
                    int item = batch.item(r, j);
                    int event = events == null || batch.events() == null ? 0 : batch.events()[r * l + j];
                    int o = (r * l + j) * dim;
                    for (int c = 0; c < dim; c++) {
                        double v = vectors[item * dim + c] * embedScale + pos[c];
                        if (events != null) {
                            v += events[event * dim + c];
                        }
                        x0[o + c] = v;
                    }
                }
            }
            return x0;
        }

        double[] users(SeqBatch batch, ItemSide items, List<double[]> layerOutputs) {
            double[] x0 = userInput(batch, items);
            double[] keep = new double[batch.size() * batch.length()];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = batch.items()[i] != 0 ? 1 : 0;
            }
            RefEncoder enc = new RefEncoder(ParamLayout.USER_ENCODER, config.layers(), true, drop, weights);
            return enc.encode(
                            RefTensor.of(x0, batch.size(), batch.length(), dim),
                            RefTensor.of(keep, batch.size(), batch.length()),
                            layerOutputs)
                    .data();
        }

        /** Stage-2 scores {@code [B, C]}; crossOut (if not null) receives A as {@code [B, C, L, d]}. */
        double[] stage2(
                SeqBatch batch, double[] u, ItemSide items, int[] candidates, int perRow, List<double[]> crossOut) {
            int b = batch.size();
            int l = batch.length();
            InputChecks.candidates(config, batch, candidates, perRow);
            int n = config.crossKeyLen();
            double[] keep = new double[b * l];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = batch.items()[i] != 0 ? 1 : 0;
            }
            double[] vectors = items.itemVectors();
            double[] scores = new double[b * perRow];
            double[] cross = new double[b * perRow * l * dim];
            RefTensor users = RefTensor.of(u, b, l, dim);
            RefTensor userKeep = RefTensor.of(keep, b, l);
            RefCrossAttention attention = new RefCrossAttention();
            RefScorer scorer = new RefScorer();
            for (int k = 0; k < perRow; k++) {
                double[] keys = new double[b * n * dim];
                double[] keyKeep = new double[b * n];
                double[] s1 = new double[b];
                for (int r = 0; r < b; r++) {
                    int cand = candidates[r * perRow + k];
                    if (items.contentOutput() != null) {
                        System.arraycopy(items.contentOutput(), cand * n * dim, keys, r * n * dim, n * dim);
                        for (int t = 0; t < n; t++) {
                            keyKeep[r * n + t] = items.contentKeep()[cand * n + t] ? 1 : 0;
                        }
                    } else {
                        System.arraycopy(vectors, cand * dim, keys, r * dim, dim);
                        keyKeep[r] = 1;
                    }
                    s1[r] = RefOps.dot(u, (r * l + l - 1) * dim, vectors, cand * dim, dim);
                }
                RefTensor a = attention.attend(users, RefTensor.of(keys, b, n, dim), RefTensor.of(keyKeep, b, n));
                double[] y =
                        scorer.score(a, users, userKeep, RefTensor.of(s1, b)).data();
                for (int r = 0; r < b; r++) {
                    scores[r * perRow + k] = y[r];
                    System.arraycopy(a.data(), r * l * dim, cross, (r * perRow + k) * l * dim, l * dim);
                }
            }
            if (crossOut != null) {
                crossOut.add(cross);
            }
            return scores;
        }

        double[] logits(TrainBatch batch, LossSpec spec, ItemSide items) {
            if (batch instanceof TrainBatch.Candidates c) {
                StepInputs.candidates(config, c, spec);
                double[] u = users(c.input(), items, null);
                return stage2(c.input(), u, items, c.candidates(), c.perRow(), null);
            }
            return logits(StepInputs.nextItem(config, (TrainBatch.NextItem) batch, spec), items);
        }

        /** The logits {@code [P, width]} of next-item loss groups. */
        double[] logits(StepInputs.Groups groups, ItemSide batchItems) {
            ItemSide items = withoutIds(batchItems, groups.batch().droppedIds());
            double[] u = users(groups.batch().input(), items, null);
            double[] vectors = items.itemVectors();
            int width = groups.width();
            double[] out = new double[groups.count() * width];
            for (int g = 0; g < groups.count(); g++) {
                int pos = groups.positions()[g];
                for (int k = 0; k < width; k++) {
                    out[g * width + k] = RefOps.dot(u, pos * dim, vectors, groups.item(g, k) * dim, dim);
                }
            }
            return out;
        }

        /** The item side with the id rows of the flagged items left out (MODEL.md "Item-id dropout"). */
        ItemSide withoutIds(ItemSide items, boolean[] dropped) {
            if (dropped == null) {
                return items;
            }
            double[] vectors = items.itemVectors().clone();
            for (int i = 0; i < dropped.length; i++) {
                if (dropped[i]) {
                    System.arraycopy(
                            contentMean(items.contentOutput(), items.contentKeep(), i), 0, vectors, i * dim, dim);
                }
            }
            return new ItemSide(items.contentOutput(), items.contentKeep(), vectors);
        }

        LossMath.Result loss(TrainBatch batch, LossSpec spec, ItemSide items) {
            if (batch instanceof TrainBatch.Candidates c) {
                double[] logits = logits(batch, spec, items);
                return LossMath.finetune(spec, logits, c.input().size(), c.perRow(), c.labels());
            }
            StepInputs.Groups groups = StepInputs.nextItem(config, (TrainBatch.NextItem) batch, spec);
            return LossMath.pretrain(groups, logits(groups, items));
        }

        double[] mha(String prefix, double[] xq, int lq, double[] xkv, int lk, boolean[] allowed) {
            return mha(prefix, xq, lq, xkv, lk, allowed, false);
        }

        /** dropWeights: dropout on the attention weights (training mode; SASREC layers). */
        double[] mha(String prefix, double[] xq, int lq, double[] xkv, int lk, boolean[] allowed, boolean dropWeights) {
            double[] q = RefOps.linear(xq, lq, dim, param(prefix, ".query.weight"), param(prefix, ".query.bias"), dim);
            double[] k = RefOps.linear(xkv, lk, dim, param(prefix, ".key.weight"), param(prefix, ".key.bias"), dim);
            double[] v = RefOps.linear(xkv, lk, dim, param(prefix, ".value.weight"), param(prefix, ".value.bias"), dim);
            double[] w = weights == null ? null : new double[config.heads() * lq * lk];
            double[] a = RefOps.attend(
                    q, k, v, lq, lk, dim, config.heads(), allowed, w, dropWeights && drop != null ? drop::apply : null);
            if (w != null) {
                weights.put(prefix, w);
            }
            return RefOps.linear(a, lq, dim, param(prefix, ".output.weight"), param(prefix, ".output.bias"), dim);
        }

        double[] norm(String prefix, double[] x, int rows) {
            return RefOps.layerNorm(
                    x, rows, dim, param(prefix, ".weight"), param(prefix, ".bias"), config.layerNormEps());
        }

        double[] ffn(String prefix, double[] x, int rows) {
            int f = config.ffnDim();
            double[] h = RefOps.reluInPlace(
                    RefOps.linear(x, rows, dim, param(prefix, ".in.weight"), param(prefix, ".in.bias"), f));
            dropout(h);
            double[] o = RefOps.linear(h, rows, f, param(prefix, ".out.weight"), param(prefix, ".out.bias"), dim);
            dropout(o);
            return o;
        }

        void dropout(double[] x) {
            if (drop != null) {
                drop.apply(x);
            }
        }
    }

    private static void addInPlace(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    private void keepRows(double[] x, double[] keep, int keepOffset, int rows) {
        for (int r = 0; r < rows; r++) {
            if (keep[keepOffset + r] == 0) {
                java.util.Arrays.fill(x, r * dim, (r + 1) * dim, 0);
            } else if (keep[keepOffset + r] != 1) {
                for (int c = 0; c < dim; c++) {
                    x[r * dim + c] *= keep[keepOffset + r];
                }
            }
        }
    }

    /** A Transformer encoder of MODEL.md, row by row. */
    private final class RefEncoder implements Encoder<RefTensor> {
        private final int layers;
        private final boolean causal;
        private final Dropout drop;

        private final String[] layerPrefixes;
        private final String finalNorm;

        /** Receives the attention weights of every layer (the last row encoded), or null. */
        private final Map<String, double[]> weights;

        RefEncoder(String prefix, int layers, boolean causal, Dropout drop) {
            this(prefix, layers, causal, drop, null);
        }

        RefEncoder(String prefix, int layers, boolean causal, Dropout drop, Map<String, double[]> weights) {
            this.weights = weights;
            this.layerPrefixes = new String[layers];
            for (int i = 0; i < layers; i++) {
                layerPrefixes[i] = name(prefix, ".layers." + i);
            }
            this.finalNorm = name(prefix, ".final_norm");
            this.layers = layers;
            this.causal = causal;
            this.drop = drop;
        }

        @Override
        public RefTensor encode(RefTensor input, RefTensor keep) {
            return encode(input, keep, null);
        }

        /** layerOutputs (if not null) receives one {@code [B, L, d]} array per layer. */
        RefTensor encode(RefTensor input, RefTensor keep, List<double[]> layerOutputs) {
            if (input.rank() != 3 || input.dim(2) != dim) {
                throw new IllegalArgumentException(
                        "encoder input must be [B, L, " + dim + "], found " + java.util.Arrays.toString(input.shape()));
            }
            int b = input.dim(0);
            int l = input.dim(1);
            keep.requireShape("keep", b, l);
            Pass pass = new Pass(drop, weights);
            double[] out = new double[b * l * dim];
            double[][] perLayer = new double[layers][];
            for (int i = 0; i < layers; i++) {
                perLayer[i] = new double[b * l * dim];
            }
            for (int r = 0; r < b; r++) {
                double[] x = new double[l * dim];
                System.arraycopy(input.data(), r * l * dim, x, 0, l * dim);
                pass.dropout(x);
                keepRows(x, keep.data(), r * l, l);
                boolean[] allowed = new boolean[l * l];
                for (int i = 0; i < l; i++) {
                    for (int j = 0; j < l; j++) {
                        boolean kept = keep.data()[r * l + j] != 0;
                        allowed[i * l + j] = i == j || (causal ? j <= i && kept : kept);
                    }
                }
                for (int i = 0; i < layers; i++) {
                    x = layer(pass, layerPrefixes[i], x, l, allowed);
                    keepRows(x, keep.data(), r * l, l);
                    System.arraycopy(x, 0, perLayer[i], r * l * dim, l * dim);
                }
                if (config.norm().finalNorm()) {
                    x = pass.norm(finalNorm, x, l);
                }
                System.arraycopy(x, 0, out, r * l * dim, l * dim);
            }
            if (layerOutputs != null) {
                layerOutputs.addAll(List.of(perLayer));
            }
            return RefTensor.of(out, b, l, dim);
        }

        private double[] layer(Pass pass, String p, double[] x, int l, boolean[] allowed) {
            if (config.norm() == Norm.SASREC) {
                double[] y = pass.norm(name(p, ".attention_norm"), x, l);
                addInPlace(y, pass.mha(name(p, ".attention"), y, l, x, l, allowed, true));
                double[] f = pass.ffn(name(p, ".ffn"), pass.norm(name(p, ".ffn_norm"), y, l), l);
                addInPlace(y, f);
                return y;
            }
            if (config.norm() == Norm.PRE) {
                double[] h = pass.norm(name(p, ".attention_norm"), x, l);
                double[] a = pass.mha(name(p, ".attention"), h, l, h, l, allowed);
                pass.dropout(a);
                double[] y = x.clone();
                addInPlace(y, a);
                double[] f = pass.ffn(name(p, ".ffn"), pass.norm(name(p, ".ffn_norm"), y, l), l);
                addInPlace(y, f);
                return y;
            }
            double[] a = pass.mha(name(p, ".attention"), x, l, x, l, allowed);
            pass.dropout(a);
            double[] y = x.clone();
            addInPlace(y, a);
            y = pass.norm(name(p, ".attention_norm"), y, l);
            double[] f = pass.ffn(name(p, ".ffn"), y, l);
            addInPlace(f, y);
            return pass.norm(name(p, ".ffn_norm"), f, l);
        }
    }

    /** {@code cross.attention}: user positions attend to an item's content tokens (or its vector). */
    private final class RefCrossAttention implements CrossAttention<RefTensor> {
        /** Receives the weights of the last row attended, or null. */
        private final Map<String, double[]> weights;

        RefCrossAttention() {
            this(null);
        }

        RefCrossAttention(Map<String, double[]> weights) {
            this.weights = weights;
        }

        @Override
        public RefTensor attend(RefTensor queries, RefTensor keys, RefTensor keyKeep) {
            if (queries.rank() != 3 || queries.dim(2) != dim || keys.rank() != 3 || keys.dim(2) != dim) {
                throw new IllegalArgumentException("cross-attention needs queries [B, L, " + dim + "] and keys [B, n, "
                        + dim + "], found " + queries + " and " + keys);
            }
            int b = queries.dim(0);
            int l = queries.dim(1);
            int n = keys.dim(1);
            keys.requireShape("keys", b, n, dim);
            keyKeep.requireShape("keyKeep", b, n);
            Pass pass = new Pass(null, weights);
            double[] out = new double[b * l * dim];
            for (int r = 0; r < b; r++) {
                double[] q = new double[l * dim];
                double[] k = new double[n * dim];
                System.arraycopy(queries.data(), r * l * dim, q, 0, l * dim);
                System.arraycopy(keys.data(), r * n * dim, k, 0, n * dim);
                boolean[] allowed = new boolean[l * n];
                for (int i = 0; i < l; i++) {
                    for (int j = 0; j < n; j++) {
                        allowed[i * n + j] = keyKeep.data()[r * n + j] != 0;
                    }
                }
                double[] a = pass.mha(ParamLayout.CROSS, q, l, k, n, allowed);
                System.arraycopy(a, 0, out, r * l * dim, l * dim);
            }
            return RefTensor.of(out, b, l, dim);
        }
    }

    /** {@code ŷ = s1 + Pool_{j valid}(A_j ⊙ U_j) · w + b}. */
    private final class RefScorer implements Scorer<RefTensor> {
        @Override
        public RefTensor score(RefTensor attended, RefTensor users, RefTensor userKeep, RefTensor stage1) {
            int b = attended.dim(0);
            int l = attended.dim(1);
            attended.requireShape("attended", b, l, dim);
            users.requireShape("users", b, l, dim);
            userKeep.requireShape("userKeep", b, l);
            stage1.requireShape("stage1", b);
            double[] w = param(ParamLayout.SCORER_WEIGHT);
            double bias = param(ParamLayout.SCORER_BIAS)[0];
            boolean max = config.pooling() == Pooling.MAX;
            double[] out = new double[b];
            for (int r = 0; r < b; r++) {
                double[] pooled = new double[dim];
                java.util.Arrays.fill(pooled, max ? Double.NEGATIVE_INFINITY : 0);
                int valid = 0;
                for (int j = 0; j < l; j++) {
                    if (userKeep.data()[r * l + j] == 0) {
                        continue;
                    }
                    valid++;
                    int o = (r * l + j) * dim;
                    for (int c = 0; c < dim; c++) {
                        double v = attended.data()[o + c] * users.data()[o + c];
                        pooled[c] = max ? Math.max(pooled[c], v) : pooled[c] + v;
                    }
                }
                if (valid == 0) {
                    throw new IllegalArgumentException(
                            "row " + r + " has no item: stage-2 pooling needs at least one valid position");
                }
                double y = stage1.data()[r] + bias;
                for (int c = 0; c < dim; c++) {
                    y += (max ? pooled[c] : pooled[c] / valid) * w[c];
                }
                out[r] = y;
            }
            return RefTensor.of(out, b);
        }
    }
}
