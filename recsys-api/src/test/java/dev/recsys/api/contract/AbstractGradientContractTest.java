package dev.recsys.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradients of {@code lossAndGradients(batch, loss, training=false)} against central finite
 * differences of the backend's own eval-mode loss, perturbing single weights through
 * {@code setWeights}. In every parameter tensor a sample of entries is checked: the entry of
 * largest gradient and random ones, in embedding tables only rows the batch actually uses.
 * An entry whose gradient disagrees is re-checked with half the step: it passes if it agrees
 * with that finer central difference; else, if the two central
 * differences disagree with each other, or the forward and backward one-sided differences over
 * half a step do (a kink right at the weight), the loss has a kink (ReLU, max pooling) and the
 * entry is skipped; at most a tenth may be. Gradients that must be exactly zero are
 * checked too: the stage-2 parameters in pre-training, the padding item's and padding token's
 * embedding rows always. Pre-training is checked on per-position candidates and on negatives
 * shared by the batch and by row (with collisions: a shared negative equal to a position's target).
 */
public abstract class AbstractGradientContractTest extends BackendContractSupport {

    /** Finite-difference step in weight units (float32: not too small). */
    protected double step() {
        return 1e-2;
    }

    /** Absolute part of the gradient tolerance. */
    protected double absoluteTolerance() {
        return 1e-3;
    }

    /** Relative part of the gradient tolerance. */
    protected double relativeTolerance() {
        return 5e-2;
    }

    /** Entries checked per parameter tensor (the largest gradient plus random ones). */
    protected int samplesPerTensor() {
        return 3;
    }

    /** The batch a gradient case trains on. */
    enum BatchKind {
        PRETRAIN,
        PRETRAIN_SHARED,
        PRETRAIN_SHARED_BY_ROW,
        PRETRAIN_SHARED_BY_ROW_UNSEEN,
        /** Shared by row, unseen, with item-id dropout ({@link ContractFixtures#withDroppedIds}). */
        PRETRAIN_ID_DROPOUT,
        FINETUNE
    }

    /**
     * Two pre-training losses (sampled softmax over per-position candidates, full softmax over the
     * catalogue) and one fine-tuning loss (together they reach every parameter), and three on shared
     * negatives (the binary and the softmax form, shared by the batch and by row).
     */
    Stream<Arguments> casesAndLosses() {
        List<Arguments> out = new ArrayList<>();
        int k = ContractFixtures.sharedNegatives().length;
        for (ContractFixtures.Case c : cases()) {
            out.add(Arguments.of(c, new LossSpec.SampledSoftmax(2, true), BatchKind.PRETRAIN));
            out.add(Arguments.of(c, new LossSpec.SoftmaxCe(), BatchKind.PRETRAIN));
            out.add(Arguments.of(c, new LossSpec.Bpr(2), BatchKind.FINETUNE));
            out.add(Arguments.of(c, new LossSpec.SampledSoftmax(k, true), BatchKind.PRETRAIN_SHARED));
            out.add(Arguments.of(c, new LossSpec.Gbce(k, 0.75f), BatchKind.PRETRAIN_SHARED));
            out.add(Arguments.of(c, new LossSpec.SampledSoftmax(k, true), BatchKind.PRETRAIN_SHARED_BY_ROW));
            out.add(Arguments.of(c, new LossSpec.SampledSoftmax(k, false), BatchKind.PRETRAIN_SHARED_BY_ROW_UNSEEN));
            if (c.config().hasContent() && c.config().itemIds()) {
                out.add(Arguments.of(c, new LossSpec.SampledSoftmax(k, false), BatchKind.PRETRAIN_ID_DROPOUT));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("casesAndLosses")
    void gradientsMatchFiniteDifferencesOfTheLoss(ContractFixtures.Case c, LossSpec loss, BatchKind kind) {
        ModelConfig cfg = c.config();
        boolean pretraining = kind != BatchKind.FINETUNE;
        TrainBatch batch = kind == BatchKind.PRETRAIN_SHARED
                ? ContractFixtures.nextItemShared(cfg, loss)
                : kind == BatchKind.PRETRAIN_SHARED_BY_ROW
                        ? ContractFixtures.nextItemSharedByRow(cfg, loss)
                        : kind == BatchKind.PRETRAIN_SHARED_BY_ROW_UNSEEN
                                ? ContractFixtures.nextItemSharedByRowUnseen(cfg, loss)
                                : kind == BatchKind.PRETRAIN_ID_DROPOUT
                                        ? ContractFixtures.withDroppedIds(
                                                cfg, ContractFixtures.nextItemSharedByRowUnseen(cfg, loss))
                                        : ContractFixtures.batchFor(cfg, loss, pretraining);
        Weights w = ContractFixtures.weights(cfg);
        try (RecModel m = create(c, w, 1)) {
            Weights grad = m.lossAndGradients(batch, loss, false).gradients().copy();
            checkExactZeros(cfg, grad, pretraining);
            if (kind == BatchKind.PRETRAIN_ID_DROPOUT) {
                int d = cfg.dim();
                float[] ids = grad.data(ParamLayout.ITEM_EMBEDDING);
                for (int id : ContractFixtures.DROPPED_IDS) {
                    assertThat(maxAbs(java.util.Arrays.copyOfRange(ids, id * d, (id + 1) * d)))
                            .as("gradient of dropped item %d's id row", id)
                            .isZero();
                }
                assertThat(maxAbs(java.util.Arrays.copyOfRange(ids, 4 * d, 5 * d)))
                        .as("gradient of item 4's id row (kept, a target)")
                        .isPositive();
            }
            SplittableRandom random = new SplittableRandom(11);
            int checked = 0;
            int skipped = 0;
            List<String> failures = new ArrayList<>();
            for (ParamLayout.Param p : ParamLayout.of(cfg)) {
                if (pretraining && isStage2(p.name())) {
                    continue; // not reached by pre-training (see stage2ParametersGetNoGradientInPretraining)
                }
                float[] g = grad.data(p.name());
                for (int index : sample(cfg, p, g, batch, random)) {
                    double fd = centralDifference(m, w, p.name(), index, step(), batch, loss);
                    double analytic = g[index];
                    if (!agrees(analytic, fd)) {
                        // either a wrong gradient or a kink (ReLU, max pooling) inside the step: at a kink the
                        // central difference changes with the step, on a smooth loss it does not
                        double half = centralDifference(m, w, p.name(), index, step() / 2, batch, loss);
                        if (agrees(analytic, half)) {
                            checked++; // the finer difference agrees: a kink or strong curvature within the larger step
                            continue;
                        }
                        if (!agrees(half, fd) || kinkAtThePoint(m, w, p.name(), index, batch, loss)) {
                            skipped++;
                            continue;
                        }
                        failures.add(p.name() + "[" + index + "]: gradient " + analytic + ", finite difference " + fd);
                    }
                    checked++;
                }
            }
            m.setWeights(w);
            assertThat(failures)
                    .as(
                            "%s %s: gradients that disagree with finite differences of the loss (%d checked)",
                            c, loss.name(), checked)
                    .isEmpty();
            assertThat(skipped)
                    .as("entries skipped at kinks (of %d)", checked + skipped)
                    .isLessThanOrEqualTo((checked + skipped) / 10);
            assertThat(checked).as("entries checked").isGreaterThan(20);
        }
    }

    /** Pre-training never reaches the cross-attention or the scorer; no loss reaches the padding item's or token's embedding. */
    private static void checkExactZeros(ModelConfig cfg, Weights g, boolean pretraining) {
        if (pretraining) {
            for (String name : g.names()) {
                if (isStage2(name)) {
                    assertThat(maxAbs(g.data(name)))
                            .as("gradient of %s in pre-training", name)
                            .isZero();
                }
            }
        }
        int d = cfg.dim();
        if (cfg.itemIds()) {
            float[] row0 = java.util.Arrays.copyOfRange(g.data(ParamLayout.ITEM_EMBEDDING), 0, d);
            assertThat(maxAbs(row0))
                    .as("gradient of the padding item's embedding")
                    .isZero();
        }
        if (cfg.hasContent()) {
            float[] row0 = java.util.Arrays.copyOfRange(g.data(ParamLayout.TOKEN_EMBEDDING), 0, d);
            assertThat(maxAbs(row0))
                    .as("gradient of the padding token's embedding")
                    .isZero();
        }
    }

    private boolean agrees(double a, double b) {
        return Math.abs(a - b) <= absoluteTolerance() + relativeTolerance() * Math.max(Math.abs(a), Math.abs(b));
    }

    /**
     * Whether the loss has a kink right at the weight (a ReLU input or a max-pooled pair within
     * float noise of a tie): the one-sided slopes over half a step differ. The central differences
     * with two steps cannot see such a kink (both average the two slopes alike). Leaves the model
     * at w - h/2.
     */
    private boolean kinkAtThePoint(RecModel m, Weights w, String name, int index, TrainBatch batch, LossSpec loss) {
        double h = step() / 2;
        Weights plus = w.copy();
        Weights minus = w.copy();
        float v = w.data(name)[index];
        plus.data(name)[index] = (float) (v + h);
        minus.data(name)[index] = (float) (v - h);
        double up = (double) plus.data(name)[index] - v;
        double down = (double) v - minus.data(name)[index];
        m.setWeights(w);
        double f0 = evalLoss(m, batch, loss);
        m.setWeights(plus);
        double forward = (evalLoss(m, batch, loss) - f0) / up;
        m.setWeights(minus);
        double backward = (f0 - evalLoss(m, batch, loss)) / down;
        return !agrees(forward, backward);
    }

    /** {@code (L(w + h) - L(w - h)) / (actual step)} with one weight moved in float32; leaves the model at w + -h. */
    private double centralDifference(
            RecModel m, Weights w, String name, int index, double h, TrainBatch batch, LossSpec loss) {
        Weights plus = w.copy();
        Weights minus = w.copy();
        float v = w.data(name)[index];
        plus.data(name)[index] = (float) (v + h);
        minus.data(name)[index] = (float) (v - h);
        double actual = (double) plus.data(name)[index] - minus.data(name)[index];
        m.setWeights(plus);
        double fPlus = evalLoss(m, batch, loss);
        m.setWeights(minus);
        double fMinus = evalLoss(m, batch, loss);
        return (fPlus - fMinus) / actual;
    }

    private static boolean isStage2(String name) {
        return name.startsWith(ParamLayout.CROSS + ".")
                || name.equals(ParamLayout.SCORER_WEIGHT)
                || name.equals(ParamLayout.SCORER_BIAS);
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /** Indices to check: the largest |gradient| among the allowed entries, then random allowed ones. */
    private List<Integer> sample(
            ModelConfig cfg, ParamLayout.Param p, float[] g, TrainBatch batch, SplittableRandom random) {
        List<Integer> allowed = new ArrayList<>();
        Set<Integer> rows = usedRows(cfg, p.name(), batch);
        int width = p.shape().length == 2 ? p.shape()[1] : 1;
        for (int i = 0; i < g.length; i++) {
            if (rows == null || rows.contains(i / width)) {
                allowed.add(i);
            }
        }
        Set<Integer> chosen = new LinkedHashSet<>();
        int best = allowed.get(0);
        for (int i : allowed) {
            if (Math.abs(g[i]) > Math.abs(g[best])) {
                best = i;
            }
        }
        chosen.add(best);
        int tries = 0;
        while (chosen.size() < Math.min(samplesPerTensor(), allowed.size()) && tries++ < 100) {
            chosen.add(allowed.get(random.nextInt(allowed.size())));
        }
        return new ArrayList<>(chosen);
    }

    /** Rows of an embedding table that the batch uses; null for tensors that are not tables. */
    private static Set<Integer> usedRows(ModelConfig cfg, String name, TrainBatch batch) {
        Set<Integer> rows = new LinkedHashSet<>();
        int[] items = batch.input().items();
        switch (name) {
            case ParamLayout.ITEM_EMBEDDING, ParamLayout.TOKEN_EMBEDDING -> {
                Set<Integer> used = new LinkedHashSet<>();
                for (int v : items) {
                    used.add(v);
                }
                if (batch instanceof TrainBatch.Candidates cb) {
                    for (int v : cb.candidates()) {
                        used.add(v);
                    }
                } else if (batch instanceof TrainBatch.NextItem nb
                        && nb.negatives() instanceof Negatives.PerPosition pp) {
                    for (int v : pp.candidates()) {
                        used.add(v);
                    }
                } else if (batch instanceof TrainBatch.NextItem nb && nb.negatives() instanceof Negatives.Shared sh) {
                    for (int v : nb.targets()) {
                        used.add(v);
                    }
                    for (int v : sh.ids()) {
                        used.add(v);
                    }
                }
                used.remove(0);
                if (name.equals(ParamLayout.ITEM_EMBEDDING)) {
                    return used;
                }
                ItemContent content = ContractFixtures.content(cfg);
                for (int item : used) {
                    for (int t = 0; t < cfg.contentLen(); t++) {
                        rows.add(content.tokens()[item * cfg.contentLen() + t]);
                    }
                }
                rows.remove(0);
                return rows;
            }
            case ParamLayout.EVENT_EMBEDDING -> {
                for (int i = 0; i < items.length; i++) {
                    if (items[i] != 0) {
                        rows.add(batch.input().events()[i]);
                    }
                }
                return rows;
            }
            case ParamLayout.POSITION_EMBEDDING -> {
                for (int j = 0; j < batch.input().length(); j++) {
                    rows.add(cfg.maxLen() - batch.input().length() + j);
                }
                return cfg.positional() == Positional.LEARNED ? rows : null;
            }
            default -> {
                return null;
            }
        }
    }
}
