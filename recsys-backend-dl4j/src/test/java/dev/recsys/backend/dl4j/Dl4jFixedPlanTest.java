package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.BackendOptions;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scoring graphs run as a {@link FixedPlan} from their second call on: on new histories of the
 * same shape, new candidates and new weights, stage 1, the user vectors and stage 2 still equal
 * the reference model within 1e-4, for a content model (2 heads, PRE, MEAN pooling, events) and
 * an ids-only one (1 head, POST, MAX pooling), and plans are in use.
 */
class Dl4jFixedPlanTest {
    private static final int N = 30;
    private static final int B = 2;
    private static final int L = 6;
    private static final int C = 5;

    static Stream<Arguments> configs() {
        ModelConfig.Builder base = ModelConfig.builder()
                .numItems(N)
                .dim(8)
                .ffnDim(16)
                .maxLen(L)
                .dropout(0.1f)
                .layerNormEps(1e-6f);
        return Stream.of(
                Arguments.of(
                        "content, 2 heads, PRE, MEAN",
                        base.heads(2)
                                .layers(2)
                                .content(12, 3, 1)
                                .eventTypes(2)
                                .norm(Norm.PRE)
                                .positional(Positional.LEARNED)
                                .pooling(Pooling.MEAN)
                                .itemIds(true)
                                .scaleEmbeddings(true)
                                .build()),
                Arguments.of(
                        "ids, 1 head, POST, MAX",
                        base.heads(1)
                                .layers(1)
                                .content(0, 0, 0)
                                .eventTypes(0)
                                .norm(Norm.POST)
                                .positional(Positional.SINUSOIDAL)
                                .pooling(Pooling.MAX)
                                .itemIds(true)
                                .scaleEmbeddings(false)
                                .build()),
                Arguments.of(
                        "content, 1 head, SASREC, MEAN",
                        base.heads(1)
                                .layers(2)
                                .content(12, 3, 1)
                                .eventTypes(0)
                                .norm(Norm.SASREC)
                                .positional(Positional.LEARNED)
                                .pooling(Pooling.MEAN)
                                .itemIds(true)
                                .scaleEmbeddings(true)
                                .build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void plansGiveTheReferenceScoresOnNewInputsAndNewWeights(String name, ModelConfig cfg) {
        SplittableRandom r = new SplittableRandom(11);
        ItemContent content = cfg.hasContent() ? TestInputs.content(cfg, N, r, false) : null;
        Weights w = Initializer.init(cfg, 5);
        try (Dl4jBackend backend = (Dl4jBackend) new Dl4jBackendProvider().create(BackendOptions.defaults());
                Dl4jModel m = (Dl4jModel) backend.create(cfg, content, w, 1)) {
            for (int round = 0; round < 4; round++) {
                if (round == 2) { // new weights: the plans read the parameter arrays the graph refreshes in place
                    w = Initializer.init(cfg, 6);
                    m.setWeights(w);
                }
                ReferenceModel ref = new ReferenceModel(cfg, content, w);
                SeqBatch batch = TestInputs.batch(cfg, B, L, N, r);
                int[] cand = new int[B * C];
                for (int i = 0; i < cand.length; i++) {
                    cand[i] = 1 + r.nextInt(N);
                }
                assertClose(name + " round " + round + " scoreAll", m.scoreAll(batch), ref.scoreAll(batch));
                assertClose(
                        name + " round " + round + " stage 2 after stage 1",
                        m.scoreCandidates(batch, cand, C),
                        ref.scoreCandidates(batch, cand, C));
                assertClose(name + " round " + round + " userVectors", m.userVectors(batch), ref.userVectors(batch));
            }
            assertThat(m.fixedPlans())
                    .as("scoring graphs running as fixed plans")
                    .isGreaterThanOrEqualTo(2);
        }
    }

    /**
     * Training steps run as a plan from the second step of a shape on: the eval-mode loss and
     * every gradient equal the first (SameDiff) step's, the loss follows new weights as the
     * reference model's does, and steps with dropout draw fresh masks.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void trainingStepsAsPlansKeepTheLossAndGradients(String name, ModelConfig cfg) {
        SplittableRandom r = new SplittableRandom(12);
        ItemContent content = cfg.hasContent() ? TestInputs.content(cfg, N, r, true) : null;
        SeqBatch batch = TestInputs.batch(cfg, B, L, N, r);
        int[] cand = new int[B * C];
        for (int i = 0; i < cand.length; i++) {
            cand[i] = 1 + r.nextInt(N);
        }
        dev.recsys.api.data.TrainBatch step = new dev.recsys.api.data.TrainBatch.Candidates(batch, cand, C, null);
        dev.recsys.api.loss.LossSpec loss = new dev.recsys.api.loss.LossSpec.Bpr(C - 1);
        SeqBatch batch2 = TestInputs.batch(cfg, B, L, N, r);
        int[] cand2 = new int[B * C];
        for (int i = 0; i < cand2.length; i++) {
            cand2[i] = 1 + r.nextInt(N);
        }
        plannedStepsKeepTheLossAndGradients(
                name, cfg, content, loss, step, new dev.recsys.api.data.TrainBatch.Candidates(batch2, cand2, C, null));
    }

    /**
     * Steps of one shape: from the second on (a plan) the first (SameDiff) step's eval-mode loss and
     * gradients; on step2 a fresh model's SameDiff step's; fresh dropout masks per step; the
     * reference model's loss after new weights.
     */
    private static void plannedStepsKeepTheLossAndGradients(
            String name,
            ModelConfig cfg,
            ItemContent content,
            dev.recsys.api.loss.LossSpec loss,
            dev.recsys.api.data.TrainBatch step,
            dev.recsys.api.data.TrainBatch step2) {
        Weights w = Initializer.init(cfg, 5);
        try (Dl4jBackend backend = (Dl4jBackend) new Dl4jBackendProvider().create(BackendOptions.defaults());
                Dl4jModel m = (Dl4jModel) backend.create(cfg, content, w, 1)) {
            dev.recsys.api.spi.StepResult first =
                    m.lossAndGradients(step, loss, false); // SameDiff, then the plan is built
            for (int i = 0; i < 2; i++) {
                dev.recsys.api.spi.StepResult again = m.lossAndGradients(step, loss, false);
                assertThat(again.loss())
                        .as("%s: eval-mode loss, planned step %d", name, i)
                        .isEqualTo(first.loss());
                for (String p : first.gradients().names()) {
                    assertClose(
                            name + " gradient of " + p,
                            again.gradients().data(p),
                            toDoubles(first.gradients().data(p)));
                }
            }
            assertThat(m.fixedPlans()).as("the training step runs as a plan").isGreaterThanOrEqualTo(1);
            // another batch of the same shape: the planned step against a fresh model's first (SameDiff) step
            dev.recsys.api.spi.StepResult planned = m.lossAndGradients(step2, loss, false);
            try (Dl4jModel fresh = (Dl4jModel) backend.create(cfg, content, w, 1)) {
                dev.recsys.api.spi.StepResult sameDiff = fresh.lossAndGradients(step2, loss, false);
                assertThat((double) planned.loss())
                        .as("%s: loss of a new batch", name)
                        .isCloseTo(sameDiff.loss(), org.assertj.core.data.Offset.offset(1e-5));
                for (String p : sameDiff.gradients().names()) {
                    assertClose(
                            name + " new batch, gradient of " + p,
                            planned.gradients().data(p),
                            toDoubles(sameDiff.gradients().data(p)));
                }
            }
            float a = m.lossAndGradients(step, loss, true).loss();
            float b = m.lossAndGradients(step, loss, true).loss();
            assertThat(a)
                    .as("dropout masks are drawn afresh for each planned step")
                    .isNotEqualTo(b);
            Weights w2 = Initializer.init(cfg, 8);
            m.setWeights(w2);
            assertThat((double) m.lossAndGradients(step, loss, false).loss())
                    .as("the loss of new weights")
                    .isCloseTo(
                            new ReferenceModel(cfg, content, w2).loss(step, loss),
                            org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    /**
     * A sampled-softmax step with negatives shared by row ({@link RowSoftmax} outside the graph)
     * runs as a plan split where the loss's gradient enters, with SameDiff's loss and gradients
     * ({@link #plannedStepsKeepTheLossAndGradients}).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void rowSoftmaxStepsRunAsSplitPlans(String name, ModelConfig cfg) {
        SplittableRandom r = new SplittableRandom(14);
        ItemContent content = cfg.hasContent() ? TestInputs.content(cfg, N, r, true) : null;
        plannedStepsKeepTheLossAndGradients(
                name,
                cfg,
                content,
                new dev.recsys.api.loss.LossSpec.SampledSoftmax(C, false),
                sharedByRow(cfg, r),
                sharedByRow(cfg, r));
    }

    /** A next-item batch: a target after every history item, C negatives per sequence row. */
    private static dev.recsys.api.data.TrainBatch sharedByRow(ModelConfig cfg, SplittableRandom r) {
        SeqBatch batch = TestInputs.batch(cfg, B, L, N, r);
        int[] targets = new int[B * L];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = batch.items()[i] != 0 ? 1 + r.nextInt(N) : 0;
        }
        int[] negatives = new int[B * C];
        for (int i = 0; i < negatives.length; i++) {
            negatives[i] = 1 + r.nextInt(N);
        }
        return new dev.recsys.api.data.TrainBatch.NextItem(
                batch, targets, new dev.recsys.api.data.Negatives.SharedByRow(negatives, C, null, null));
    }

    /**
     * Single histories of every length 1..maxLen are scored in length buckets of a quarter of
     * maxLen (left padding changes no score): each gives the reference model's scores, and the
     * bucketed lengths are the multiples of the quarter.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void historiesOfEveryLengthScoreInBuckets(String name, ModelConfig cfg) {
        SplittableRandom r = new SplittableRandom(13);
        ItemContent content = cfg.hasContent() ? TestInputs.content(cfg, N, r, false) : null;
        Weights w = Initializer.init(cfg, 5);
        ReferenceModel ref = new ReferenceModel(cfg, content, w);
        try (Dl4jBackend backend = (Dl4jBackend) new Dl4jBackendProvider().create(BackendOptions.defaults());
                Dl4jModel m = (Dl4jModel) backend.create(cfg, content, w, 1)) {
            java.util.Set<Integer> lengths = new java.util.TreeSet<>();
            for (int len = 1; len <= L; len++) {
                int[] items = new int[len];
                int[] events = cfg.eventTypes() > 0 ? new int[len] : null;
                for (int j = 0; j < len; j++) {
                    items[j] = 1 + r.nextInt(N);
                    if (events != null) {
                        events[j] = r.nextInt(cfg.eventTypes());
                    }
                }
                SeqBatch one = new SeqBatch(1, len, items, events);
                lengths.add(m.bucketed(one).length());
                int[] cand = {1 + r.nextInt(N), 1 + r.nextInt(N), 1 + r.nextInt(N)};
                assertClose(name + " length " + len + " scoreAll", m.scoreAll(one), ref.scoreAll(one));
                assertClose(
                        name + " length " + len + " stage 2",
                        m.scoreCandidates(one, cand, 3),
                        ref.scoreCandidates(one, cand, 3));
            }
            assertThat(lengths).as("bucketed lengths for maxLen %d", L).containsExactly(2, 4, 6);
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static void assertClose(String what, float[] actual, double[] expected) {
        assertThat(actual).as("%s: length", what).hasSize(expected.length);
        for (int i = 0; i < actual.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= 1e-4 * Math.max(1, Math.abs(expected[i])))) {
                throw new AssertionError(
                        what + ": element " + i + " is " + actual[i] + ", the reference " + expected[i]);
            }
        }
    }
}
