package dev.recsys.api.contract;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.StepResult;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The tiny models and batches every contract test uses: five configurations that together cover
 * PRE, POST and SASREC layouts, learned and sinusoidal positions, mean and max pooling, content with 0, 1
 * encoder layers and none, item ids on and off, event types on and off, embedding scaling on and
 * off; N = 7 items, d = 8, 2 heads, maxLen 5, content vocabulary 12 with 4 tokens per item.
 */
public final class ContractFixtures {
    /** Catalogue size of every case. */
    public static final int NUM_ITEMS = 7;
    /** Rows of the standard batch. */
    public static final int ROWS = 3;
    /** Positions of the standard batch (= maxLen). */
    public static final int LENGTH = 5;
    /** Candidates per row / per position of the standard batches. */
    public static final int PER_ROW = 3;
    /** Seed of the standard weights. */
    public static final long WEIGHT_SEED = 42;

    private ContractFixtures() {}

    /**
     * One named model configuration.
     *
     * @param name   what it covers, shown in test names
     * @param config the model
     */
    public record Case(String name, ModelConfig config) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The five configurations. */
    public static List<Case> cases() {
        return List.of(
                new Case(
                        "pre-learned-mean-content1-ids-events",
                        base().layers(2)
                                .content(12, 4, 1)
                                .eventTypes(2)
                                .positional(Positional.LEARNED)
                                .norm(Norm.PRE)
                                .pooling(Pooling.MEAN)
                                .scaleEmbeddings(true)
                                .itemIds(true)
                                .build()),
                new Case(
                        "post-sinusoidal-max-content1-no-ids",
                        base().layers(1)
                                .content(12, 4, 1)
                                .eventTypes(0)
                                .positional(Positional.SINUSOIDAL)
                                .norm(Norm.POST)
                                .pooling(Pooling.MAX)
                                .scaleEmbeddings(false)
                                .itemIds(false)
                                .build()),
                new Case(
                        "pre-sinusoidal-max-ids-events",
                        base().layers(1)
                                .eventTypes(2)
                                .positional(Positional.SINUSOIDAL)
                                .norm(Norm.PRE)
                                .pooling(Pooling.MAX)
                                .scaleEmbeddings(true)
                                .itemIds(true)
                                .build()),
                new Case(
                        "post-learned-mean-content0-ids",
                        base().layers(2)
                                .content(12, 4, 0)
                                .eventTypes(0)
                                .positional(Positional.LEARNED)
                                .norm(Norm.POST)
                                .pooling(Pooling.MEAN)
                                .scaleEmbeddings(false)
                                .itemIds(true)
                                .build()),
                new Case(
                        "sasrec-learned-mean-content1-ids",
                        base().layers(2)
                                .content(12, 4, 1)
                                .eventTypes(0)
                                .positional(Positional.LEARNED)
                                .norm(Norm.SASREC)
                                .pooling(Pooling.MEAN)
                                .scaleEmbeddings(true)
                                .itemIds(true)
                                .build()));
    }

    /** The kit's small model (d 8, 2 heads, FFN 16, dropout 0.1), a starting point for a backend's own tests. */
    public static ModelConfig.Builder base() {
        return ModelConfig.builder()
                .numItems(NUM_ITEMS)
                .dim(8)
                .heads(2)
                .ffnDim(16)
                .maxLen(LENGTH)
                .dropout(0.1f)
                .layerNormEps(1e-5f);
    }

    /** Item content (content models) or null: varied lengths, item 0 and item 4 are the marker alone. */
    public static ItemContent content(ModelConfig c) {
        if (!c.hasContent()) {
            return null;
        }
        int[][] perItem = {{}, {2, 3}, {4}, {5, 6, 7}, {}, {8, 9, 10}, {11, 2}, {3}};
        return ItemContent.of(c.numItems(), c.contentLen(), perItem);
    }

    /**
     * {@link Initializer#init} then every value moved by a uniform amount in [-0.1, 0.1] (padding
     * rows, biases and layer-norm gains included), so that no parameter is trivially 0 or 1.
     */
    public static Weights weights(ModelConfig c, long seed) {
        Weights w = Initializer.init(c, seed);
        int k = 0;
        for (ParamLayout.Param p : ParamLayout.of(c)) {
            SplittableRandom r = new SplittableRandom(seed * 1_000_003L + k++);
            float[] data = w.data(p.name());
            for (int i = 0; i < data.length; i++) {
                data[i] += (float) (r.nextDouble() * 0.2 - 0.1);
            }
        }
        return w;
    }

    /** The standard weights of a case. */
    public static Weights weights(ModelConfig c) {
        return weights(c, WEIGHT_SEED);
    }

    /**
     * The standard user batch {@code [3, 5]}: a left-padded row, a full row, a row with a single
     * item; events (when the model has them) are 0 at padding.
     */
    public static SeqBatch batch(ModelConfig c) {
        int[] items = {0, 0, 3, 5, 2, 1, 4, 7, 6, 3, 0, 0, 0, 0, 5};
        int[] events = {0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1};
        return new SeqBatch(ROWS, LENGTH, items, c.eventTypes() > 0 ? events : null);
    }

    /** Stage-2 candidates {@code [3 * 3]}, positive first. */
    public static int[] candidates() {
        return new int[] {4, 2, 7, 2, 5, 1, 6, 3, 5};
    }

    /** Next-item targets of {@link #batch} (0 at padding). */
    public static int[] targets() {
        return new int[] {0, 0, 5, 2, 6, 4, 7, 6, 3, 1, 0, 0, 0, 0, 4};
    }

    /**
     * A pre-training batch for the loss: without candidates for full softmax, else the target then
     * two negatives per position (0 where there is no target), with log Q values when the loss
     * asks for the correction.
     */
    public static TrainBatch.NextItem nextItem(ModelConfig c, LossSpec loss) {
        SeqBatch in = batch(c);
        int[] targets = targets();
        if (loss instanceof LossSpec.SoftmaxCe) {
            return new TrainBatch.NextItem(in, targets, new Negatives.None());
        }
        int per = 1 + loss.negatives();
        int[] cand = new int[targets.length * per];
        float[] logQ = new float[cand.length];
        for (int p = 0; p < targets.length; p++) {
            int t = targets[p];
            for (int k = 0; k < per; k++) {
                int id = t == 0 ? 0 : k == 0 ? t : ((t + 2 * (k - 1)) % c.numItems()) + 1;
                cand[p * per + k] = id;
                logQ[p * per + k] = -1f - 0.3f * id;
            }
        }
        boolean withLogQ = loss instanceof LossSpec.SampledSoftmax s && s.logQ();
        return new TrainBatch.NextItem(in, targets, new Negatives.PerPosition(cand, per, withLogQ ? logQ : null));
    }

    /**
     * Negatives shared by every position of {@link #nextItemShared}, with collisions the loss must
     * drop: item 6 is the target of two positions, 2 and 1 of one each, and 3 (the target of one
     * position) appears twice, so both copies are dropped there.
     */
    public static int[] sharedNegatives() {
        return new int[] {6, 2, 3, 1, 3};
    }

    /**
     * A pre-training batch whose K = {@link #sharedNegatives()}{@code .length} negatives are shared by
     * all positions, with log Q values ({@code -1 - 0.3 id}: of each position's target and of each
     * negative) when the loss asks for the correction.
     */
    public static TrainBatch.NextItem nextItemShared(ModelConfig c, LossSpec loss) {
        return sharedBatch(c, loss, sharedNegatives(), false);
    }

    /**
     * K = {@link #sharedNegatives()}{@code .length} negatives per sequence row, shared by that row's
     * positions ({@link Negatives.SharedByRow}), with collisions the loss must drop in every row: row 0 holds
     * 6 and 2 (its targets), row 1 holds 7 twice and 1 (its targets), row 2 holds 4 (its only target).
     * Log Q values as in {@link #nextItemShared} when the loss asks for the correction.
     */
    public static TrainBatch.NextItem nextItemSharedByRow(ModelConfig c, LossSpec loss) {
        return sharedBatch(c, loss, new int[] {6, 2, 3, 1, 3, 7, 2, 7, 5, 1, 4, 5, 2, 6, 3}, true);
    }

    /**
     * K = 5 negatives per row that are none of the row's items (as {@code sampling: unseen} draws
     * them: no collision to drop, repeats where a row leaves fewer than K): row 0 (items 3, 5, 2 and
     * targets 5, 2, 6) gets 1, 4, 7, 1, 4; row 1 (all but 2 and 5) gets 2, 5, 2, 5, 2; row 2 (item 5,
     * target 4) gets 1, 2, 3, 6, 7.
     */
    public static TrainBatch.NextItem nextItemSharedByRowUnseen(ModelConfig c, LossSpec loss) {
        return sharedBatch(c, loss, new int[] {1, 4, 7, 1, 4, 2, 5, 2, 5, 2, 1, 2, 3, 6, 7}, true);
    }

    /** The items {@link #withDroppedIds} leaves out: history items, targets and negatives. */
    public static final int[] DROPPED_IDS = {2, 5, 7};

    /**
     * The batch with item-id dropout (MODEL.md "Item-id dropout"): the id rows of
     * {@link #DROPPED_IDS} left out (items 2 and 5 are in the histories and targets, 7 is a negative).
     */
    public static TrainBatch.NextItem withDroppedIds(ModelConfig c, TrainBatch.NextItem b) {
        boolean[] dropped = new boolean[c.numItems() + 1];
        for (int id : DROPPED_IDS) {
            dropped[id] = true;
        }
        return new TrainBatch.NextItem(b.input(), b.targets(), b.negatives(), dropped);
    }

    private static TrainBatch.NextItem sharedBatch(ModelConfig c, LossSpec loss, int[] shared, boolean byRow) {
        int k = byRow ? shared.length / ROWS : shared.length;
        if (loss.negatives() != k) {
            throw new IllegalArgumentException("the shared batch carries " + k + " negatives"
                    + (byRow ? " per row" : "") + ", the loss expects " + loss.negatives());
        }
        int[] targets = targets();
        boolean withLogQ = loss instanceof LossSpec.SampledSoftmax s && s.logQ();
        float[] targetLogQ = new float[targets.length];
        for (int p = 0; p < targets.length; p++) {
            targetLogQ[p] = targets[p] == 0 ? 0f : -1f - 0.3f * targets[p];
        }
        float[] sharedLogQ = new float[shared.length];
        for (int i = 0; i < shared.length; i++) {
            sharedLogQ[i] = -1f - 0.3f * shared[i];
        }
        float[] tq = withLogQ ? targetLogQ : null;
        float[] nq = withLogQ ? sharedLogQ : null;
        return new TrainBatch.NextItem(
                batch(c),
                targets,
                byRow ? new Negatives.SharedByRow(shared, k, tq, nq) : new Negatives.SharedByBatch(shared, tq, nq));
    }

    /** The pre-training ranking losses with {@link #sharedNegatives()}{@code .length} negatives: bce, gbce, sampled softmax without and with log Q. */
    public static List<LossSpec> sharedPretrainLosses() {
        int k = sharedNegatives().length;
        return List.of(
                new LossSpec.Bce(k),
                new LossSpec.Gbce(k, 0.75f),
                new LossSpec.SampledSoftmax(k, false),
                new LossSpec.SampledSoftmax(k, true));
    }

    /** A fine-tuning batch: {@link #candidates()}, with 0/1 labels for bce, ratings for mse, none for bpr and hinge. */
    public static TrainBatch.Candidates finetune(ModelConfig c, LossSpec loss) {
        float[] labels = null;
        if (loss instanceof LossSpec.Bce) {
            labels = new float[] {1, 0, 0, 1, 0, 1, 0, 0, 1};
        } else if (loss instanceof LossSpec.Mse) {
            labels = new float[] {5, 2, 3.5f, 4, 1, 2, 3, 3, 1};
        }
        return new TrainBatch.Candidates(batch(c), candidates(), PER_ROW, labels);
    }

    /** Every pre-training loss: bce, gbce, sampled softmax without and with log Q, full softmax. */
    public static List<LossSpec> pretrainLosses() {
        return List.of(
                new LossSpec.Bce(2),
                new LossSpec.Gbce(2, 0.75f),
                new LossSpec.SampledSoftmax(2, false),
                new LossSpec.SampledSoftmax(2, true),
                new LossSpec.SoftmaxCe());
    }

    /** Every fine-tuning loss: bce, mse, bpr, hinge. */
    public static List<LossSpec> finetuneLosses() {
        return List.of(new LossSpec.Bce(2), new LossSpec.Mse(), new LossSpec.Bpr(2), new LossSpec.Hinge(2, 1f));
    }

    /** The batch a loss trains on in its stage: {@link #nextItem} for pre-training losses, else {@link #finetune}. */
    public static TrainBatch batchFor(ModelConfig c, LossSpec loss, boolean pretraining) {
        return pretraining ? nextItem(c, loss) : finetune(c, loss);
    }

    /** A row-major copy with {@code extra} padding positions added on the left of every row. */
    public static SeqBatch padLeft(SeqBatch b, int extra) {
        int l = b.length() + extra;
        int[] items = new int[b.size() * l];
        int[] events = b.events() == null ? null : new int[items.length];
        for (int r = 0; r < b.size(); r++) {
            System.arraycopy(b.items(), r * b.length(), items, r * l + extra, b.length());
            if (events != null) {
                System.arraycopy(b.events(), r * b.length(), events, r * l + extra, b.length());
            }
        }
        return new SeqBatch(b.size(), l, items, events);
    }

    /** The last {@code keep} positions of every row. */
    public static SeqBatch keepLast(SeqBatch b, int keep) {
        int drop = b.length() - keep;
        int[] items = new int[b.size() * keep];
        int[] events = b.events() == null ? null : new int[items.length];
        for (int r = 0; r < b.size(); r++) {
            System.arraycopy(b.items(), r * b.length() + drop, items, r * keep, keep);
            if (events != null) {
                System.arraycopy(b.events(), r * b.length() + drop, events, r * keep, keep);
            }
        }
        return new SeqBatch(b.size(), keep, items, events);
    }

    /** {@code n} values from a normal distribution with standard deviation {@code scale} (Box-Muller), drawn from r. */
    public static float[] normal(SplittableRandom r, int n, double scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double u1 = 1 - r.nextDouble();
            out[i] = (float) (scale * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        return out;
    }

    /**
     * Every element of {@code got} within {@code relTol} times the largest {@code |expected|}, which must
     * be above 1e-3 (an all-zero expectation would let any result pass).
     */
    public static void assertCloseRelative(float[] got, double[] expected, double relTol) {
        org.assertj.core.api.Assertions.assertThat(got).hasSameSizeAs(expected);
        double norm = 0;
        for (double e : expected) {
            norm = Math.max(norm, Math.abs(e));
        }
        org.assertj.core.api.Assertions.assertThat(norm).isGreaterThan(1e-3);
        for (int i = 0; i < got.length; i++) {
            org.assertj.core.api.Assertions.assertThat((double) got[i])
                    .as("element %d", i)
                    .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(relTol * norm));
        }
    }

    /** {@link #assertCloseRelative(float[], double[], double)} against a float expectation. */
    public static void assertCloseRelative(float[] got, float[] expected, double relTol) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        assertCloseRelative(got, e, relTol);
    }

    /**
     * The same step computed two ways: the loss of {@code got} within 1e-4 + 1e-5 relative of the
     * reference loss, the two losses within 1e-5, every gradient of {@code w}'s tensors within
     * 1e-6 + 1e-5 relative.
     */
    public static void assertSameStep(StepResult got, StepResult expected, Weights w, double reference) {
        org.assertj.core.api.Assertions.assertThat((double) got.loss())
                .isCloseTo(reference, org.assertj.core.api.Assertions.within(1e-4 + 1e-5 * Math.abs(reference)));
        org.assertj.core.api.Assertions.assertThat(got.loss())
                .isCloseTo(expected.loss(), org.assertj.core.api.Assertions.within(1e-5f));
        for (String n : w.names()) {
            float[] a = got.gradients().data(n);
            float[] b = expected.gradients().data(n);
            for (int i = 0; i < a.length; i++) {
                org.assertj.core.api.Assertions.assertThat(a[i])
                        .as("d loss / d %s[%d]", n, i)
                        .isCloseTo(b[i], org.assertj.core.api.Assertions.within(1e-6f + 1e-5f * Math.abs(b[i])));
            }
        }
    }
}
