package dev.recsys.api.train;

import dev.recsys.api.config.Sampling;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import java.util.SplittableRandom;

/**
 * Builds training batches, engine-free: left padding, right-aligned positions, targets and
 * sampled negatives. Thread-safe (no mutable state); randomness from the caller.
 *
 * <p>Pre-training (SASRec): for a user's sequence {@code s_1..s_n} the input is the last
 * {@code maxLen} items of {@code s_1..s_{n-1}} and the target at each position the next item.
 * Fine-tuning: a cut point {@code t} is drawn uniformly from {@code 1..n-1}; the history is the
 * last {@code maxLen} items before it, the positive {@code s_t}, then K negatives (pointwise BCE
 * labels 1, 0, …; MSE: the positive alone with its rating as label).
 *
 * <p>Shared negatives (pre-training with bce, gbce or sampled softmax, when asked for; the
 * {@link Trainer} asks when {@code K >= }{@value #SHARED_THRESHOLD} and per-position negatives
 * would exceed {@link #PER_POSITION_BUDGET}, see
 * {@link #sharesNegatives(Stage, LossSpec, int, int, int)}): K negatives are drawn for each
 * sequence row from the sampler's distribution, without excluding any target, and shared by
 * that row's positions ({@link dev.recsys.api.data.Negatives.SharedByRow}); a negative
 * that equals a position's target is dropped from that position's group by the loss. Otherwise K negatives are drawn per
 * position, never equal to its target.
 *
 * <p>With {@link Sampling#UNSEEN} every negative (shared, per position, fine-tuning) is drawn
 * uniformly from the items that are not in that user's training sequence; shared ones without
 * replacement per row.
 */
public final class Batcher {
    /**
     * Pre-training ranking losses with fewer negatives never share them; from this many on the
     * {@link Trainer} shares them when per-position ones would exceed {@link #PER_POSITION_BUDGET}
     * ({@link #sharesNegatives(Stage, LossSpec, int, int, int)}).
     */
    public static final int SHARED_THRESHOLD = 16;

    private final TrainingData data;
    private final int maxLen;
    private final Stage stage;
    private final LossSpec loss;
    private final NegativeSampler sampler;
    private final boolean useEvents;
    private final boolean shareNegatives;
    private final int[][] pools;
    private final float idDropout;

    /** A batcher that draws negatives per position (no sharing). */
    public Batcher(
            TrainingData data, int maxLen, Stage stage, LossSpec loss, NegativeSampler sampler, boolean useEvents) {
        this(data, maxLen, stage, loss, sampler, useEvents, false);
    }

    /**
     * @param shareNegatives pre-training ranking losses only (ignored for full softmax and for
     *                       fine-tuning): draw K negatives per sequence row and share them by the row's positions
     */
    public Batcher(
            TrainingData data,
            int maxLen,
            Stage stage,
            LossSpec loss,
            NegativeSampler sampler,
            boolean useEvents,
            boolean shareNegatives) {
        if (!loss.supports(stage)) {
            throw new IllegalArgumentException("loss " + loss.name() + " does not support " + stage);
        }
        if (loss instanceof LossSpec.Mse && data.ratings() == null) {
            throw new IllegalArgumentException(
                    "the mse loss needs explicit ratings in the training data; this data set has none");
        }
        if (useEvents && data.events() == null) {
            throw new IllegalArgumentException("the model has event types but the training data has none");
        }
        this.data = data;
        this.maxLen = maxLen;
        this.stage = stage;
        this.loss = loss;
        this.sampler = sampler;
        this.useEvents = useEvents;
        this.shareNegatives = shareNegatives && stage == Stage.PRETRAIN && !(loss instanceof LossSpec.SoftmaxCe);
        this.pools = null;
        this.idDropout = 0f;
    }

    private Batcher(Batcher b, int[][] pools, float idDropout) {
        this.data = b.data;
        this.maxLen = b.maxLen;
        this.stage = b.stage;
        this.loss = b.loss;
        this.sampler = b.sampler;
        this.useEvents = b.useEvents;
        this.shareNegatives = b.shareNegatives;
        this.pools = pools;
        this.idDropout = idDropout;
    }

    /**
     * A fine-tuning batcher that trains on hard negatives ({@link HardNegatives#mine}): for a user
     * with a non-empty pool the cut is the last training position (the history is the sequence
     * without its last item, the positive that item) and the K negatives are drawn uniformly, with
     * replacement, from the user's pool; a user without a pool (null or empty) keeps the random cut
     * and the sampler's negatives.
     *
     * @param pools per user (indexed like the training sequences) item ids, none of them in that
     *              user's training sequence
     */
    public Batcher withPools(int[][] pools) {
        if (stage != Stage.FINETUNE) {
            throw new IllegalArgumentException(
                    "hard-negative pools are for fine-tuning; this batcher builds " + stage + " batches");
        }
        if (pools == null || pools.length != data.users()) {
            throw new IllegalArgumentException("expected one hard-negative pool per user (" + data.users() + "), found "
                    + (pools == null ? "null" : pools.length));
        }
        for (int u = 0; u < pools.length; u++) {
            if (pools[u] == null) {
                continue;
            }
            for (int item : pools[u]) {
                if (item < 1 || item > data.numItems()) {
                    throw new IllegalArgumentException("hard-negative pool of user " + u + " holds item " + item
                            + ", outside [1, " + data.numItems() + "]");
                }
            }
        }
        return new Batcher(this, pools, idDropout);
    }

    /**
     * A pre-training batcher whose batches leave out the id rows of a random part of the catalogue
     * (item-id dropout, docs/MODEL.md): each item independently with probability {@code rate}, drawn
     * per batch from the batch's stream after its negatives, so {@code rate} 0 changes no draw.
     */
    public Batcher withIdDropout(float rate) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("idDropout must be in [0, 1), found " + rate);
        }
        if (rate > 0f && stage != Stage.PRETRAIN) {
            throw new IllegalArgumentException(
                    "item-id dropout is a pre-training option; this batcher builds " + stage + " batches");
        }
        return new Batcher(this, pools, rate);
    }

    /** Whether fine-tuning batches draw their negatives from per-user pools ({@link #withPools}). */
    public boolean usesPools() {
        return pools != null;
    }

    /**
     * Per-position negatives are kept while the gathered candidate vectors of a batch,
     * {@code batchSize × maxLen × (1 + K) × d} floats, stay within this budget (128 MiB): they give
     * every position its own negatives, which learns faster per step (on the synthetic quickstart data
     * 15 per-position negatives reached NDCG@10 0.37 where 32 shared ones reached 0.24 in the same
     * epochs). Above it the gather would dominate the step and negatives are shared.
     */
    public static final long PER_POSITION_BUDGET = 1L << 25;

    /**
     * The rule the {@link Trainer} applies: share when {@link #sharesNegatives(Stage, LossSpec)} allows
     * it and per-position negatives would exceed {@link #PER_POSITION_BUDGET}.
     */
    public static boolean sharesNegatives(Stage stage, LossSpec loss, int batchSize, int maxLen, int dim) {
        return sharesNegatives(stage, loss)
                && (long) batchSize * maxLen * (1L + loss.negatives()) * dim > PER_POSITION_BUDGET;
    }

    /** Whether sharing is possible at all: pre-training ranking losses with K &gt;= {@value #SHARED_THRESHOLD}. */
    public static boolean sharesNegatives(Stage stage, LossSpec loss) {
        return stage == Stage.PRETRAIN
                && !(loss instanceof LossSpec.SoftmaxCe)
                && loss.supports(Stage.PRETRAIN)
                && loss.negatives() >= SHARED_THRESHOLD;
    }

    /** Whether this batcher's pre-training batches carry shared negatives. */
    public boolean sharesNegatives() {
        return shareNegatives;
    }

    /** Whether a user has enough items to give a training example (at least 2). */
    public boolean usable(int user) {
        return data.sequences()[user].length >= 2;
    }

    public TrainBatch build(int[] users, SplittableRandom r) {
        return stage == Stage.PRETRAIN ? nextItem(users, r) : candidates(users, r);
    }

    /** Distinct training batch lengths, at most: a batch is padded to the next multiple of maxLen / LENGTH_BUCKETS. */
    public static final int LENGTH_BUCKETS = 8;

    /**
     * A batch's length rounded up to a multiple of {@code ceil(maxLen / LENGTH_BUCKETS)} (at most
     * maxLen): backends that build a graph per batch shape (DL4J) then see at most
     * {@value #LENGTH_BUCKETS} lengths even when batches group similar lengths; extra left padding
     * changes no score, and a backend that drops the columns padded in every row (DJL) computes none of it.
     */
    static int bucketLength(int len, int maxLen) {
        int step = (maxLen + LENGTH_BUCKETS - 1) / LENGTH_BUCKETS;
        return Math.min(maxLen, (len + step - 1) / step * step);
    }

    private TrainBatch nextItem(int[] users, SplittableRandom r) {
        TrainBatch.NextItem n = nextItemWithoutIdDropout(users, r);
        if (idDropout == 0f) {
            return n;
        }
        boolean[] dropped = new boolean[data.numItems() + 1];
        for (int i = 1; i < dropped.length; i++) {
            dropped[i] = r.nextDouble() < idDropout;
        }
        return new TrainBatch.NextItem(n.input(), n.targets(), n.negatives(), dropped);
    }

    private TrainBatch.NextItem nextItemWithoutIdDropout(int[] users, SplittableRandom r) {
        int b = users.length;
        int[][] seqs = rows(data.sequences(), users);
        int[] ends = new int[b];
        for (int row = 0; row < b; row++) {
            ends[row] = seqs[row].length - 1;
        }
        int len = bucketLength(SeqBatch.windowLength(ends, maxLen), maxLen);
        SeqBatch input = SeqBatch.leftPadded(seqs, useEvents ? rows(data.events(), users) : null, ends, len);
        int[] targets = SeqBatch.leftPad(seqs, ends, len, 1);
        int k = loss.negatives();
        if (loss instanceof LossSpec.SoftmaxCe) {
            return new TrainBatch.NextItem(input, targets, new Negatives.None());
        }
        boolean logQ = loss instanceof LossSpec.SampledSoftmax ss && ss.logQ();
        if (shareNegatives) {
            // K negatives per sequence row, shared by that row's positions (not by the whole batch: with
            // Adam, negatives shared by all B*L positions make each item's gradient rare and huge)
            int[] shared = new int[b * k];
            float[] sharedLogQ = logQ ? new float[b * k] : null;
            if (unseen()) {
                boolean[] mark = new boolean[data.numItems() + 1];
                int[] pool = new int[data.numItems()];
                for (int row = 0; row < b; row++) {
                    drawUnseen(users[row], mark, pool, shared, row * k, k, r);
                }
            } else {
                for (int j = 0; j < b * k; j++) {
                    shared[j] = sampler.sampleAny(r);
                }
            }
            if (sharedLogQ != null) {
                for (int j = 0; j < b * k; j++) {
                    sharedLogQ[j] = sampler.logQ(shared[j]);
                }
            }
            float[] targetLogQ = null;
            if (logQ) {
                targetLogQ = new float[targets.length];
                for (int p = 0; p < targets.length; p++) {
                    targetLogQ[p] = targets[p] == 0 ? 0f : sampler.logQ(targets[p]);
                }
            }
            return new TrainBatch.NextItem(
                    input, targets, new Negatives.SharedByRow(shared, k, targetLogQ, sharedLogQ));
        }
        int c = 1 + k;
        int[] cand = new int[targets.length * c];
        float[] lq = logQ ? new float[cand.length] : null;
        boolean[] mark = unseen() ? new boolean[data.numItems() + 1] : null;
        int[] pool = unseen() ? new int[data.numItems()] : null;
        int unseenCount = 0;
        for (int p = 0; p < targets.length; p++) {
            if (mark != null && p % len == 0) {
                unseenCount = unseenItems(users[p / len], mark, pool);
            }
            int t = targets[p];
            if (t == 0) {
                continue;
            }
            int base = p * c;
            cand[base] = t;
            for (int j = 1; j < c; j++) {
                cand[base + j] = unseenCount > 0 ? pool[r.nextInt(unseenCount)] : sampler.sample(r, t);
            }
            if (lq != null) {
                for (int j = 0; j < c; j++) {
                    lq[base + j] = sampler.logQ(cand[base + j]);
                }
            }
        }
        return new TrainBatch.NextItem(input, targets, new Negatives.PerPosition(cand, c, lq));
    }

    private boolean hasPool(int user) {
        return pools != null && pools[user] != null && pools[user].length > 0;
    }

    private TrainBatch candidates(int[] users, SplittableRandom r) {
        int b = users.length;
        int[] cut = new int[b];
        for (int row = 0; row < b; row++) {
            int n = data.sequences()[users[row]].length;
            cut[row] = hasPool(users[row]) ? n - 1 : 1 + r.nextInt(n - 1);
        }
        SeqBatch input = SeqBatch.leftPadded(
                rows(data.sequences(), users),
                useEvents ? rows(data.events(), users) : null,
                cut,
                SeqBatch.windowLength(cut, maxLen));
        boolean mse = loss instanceof LossSpec.Mse;
        int c = mse ? 1 : 1 + loss.negatives();
        int[] cand = new int[b * c];
        float[] labels = (mse || loss instanceof LossSpec.Bce) ? new float[b * c] : null;
        boolean[] mark = unseen() ? new boolean[data.numItems() + 1] : null;
        int[] unseenPool = unseen() ? new int[data.numItems()] : null;
        for (int row = 0; row < b; row++) {
            int[] s = data.sequences()[users[row]];
            int t = cut[row];
            int pos = s[t];
            cand[row * c] = pos;
            int[] pool = hasPool(users[row]) ? pools[users[row]] : null;
            int unseenCount = pool == null && mark != null ? unseenItems(users[row], mark, unseenPool) : 0;
            for (int j = 1; j < c; j++) {
                cand[row * c + j] = pool != null
                        ? pool[r.nextInt(pool.length)]
                        : unseenCount > 0 ? unseenPool[r.nextInt(unseenCount)] : sampler.sample(r, pos);
            }
            if (labels != null) {
                labels[row * c] = mse ? data.ratings()[users[row]][t] : 1f;
            }
        }
        return new TrainBatch.Candidates(input, cand, c, labels);
    }

    /** The rows of the given users. */
    private static int[][] rows(int[][] all, int[] users) {
        int[][] out = new int[users.length][];
        for (int i = 0; i < users.length; i++) {
            out[i] = all[users[i]];
        }
        return out;
    }

    private boolean unseen() {
        return sampler.sampling() == Sampling.UNSEEN;
    }

    /**
     * Writes the items 1..N that are not in the user's training sequence (nor held out), in id order, to the
     * front of {@code pool} and returns how many there are. {@code mark} (length N+1) is all false
     * on entry and on return.
     */
    private int unseenItems(int user, boolean[] mark, int[] pool) {
        int[] s = data.sequences()[user];
        for (int item : s) {
            mark[item] = true;
        }
        int m = 0;
        for (int item = 1; item <= data.numItems(); item++) {
            if (!mark[item] && !data.isHeldOut(item)) {
                pool[m++] = item;
            }
        }
        for (int item : s) {
            mark[item] = false;
        }
        return m;
    }

    /**
     * K negatives for one row into {@code out[from..from+k)}: distinct items the user has not
     * interacted with (a partial Fisher-Yates shuffle of them); when there are fewer than K, all of
     * them and then uniform repeats; a user who has seen every item gets the sampler's draws.
     */
    private void drawUnseen(int user, boolean[] mark, int[] pool, int[] out, int from, int k, SplittableRandom r) {
        int m = unseenItems(user, mark, pool);
        for (int j = 0; j < k; j++) {
            int item;
            if (m == 0) {
                item = sampler.sampleAny(r);
            } else if (j < m) {
                int swap = j + r.nextInt(m - j);
                item = pool[swap];
                pool[swap] = pool[j];
                pool[j] = item;
            } else {
                item = pool[r.nextInt(m)];
            }
            out[from + j] = item;
        }
    }
}
