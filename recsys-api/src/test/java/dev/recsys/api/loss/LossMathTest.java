package dev.recsys.api.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class LossMathTest {
    private static final double EPS = 1e-9;

    // Reference numbers used below (worked out by hand, digits from a calculator):
    //   softplus(-2) = log(1 + e^-2) = log(1.135335) = 0.126928011
    //   softplus(-1) = log(1 + e^-1) = log(1.367879) = 0.313261688
    //   softplus(0.5) = log(1 + e^0.5) = log(2.648721) = 0.974076984
    //   softplus(0) = log 2 = 0.693147181
    //   softplus(2) = 2 + softplus(-2) = 2.126928011
    //   σ(-2) = 1 / (1 + e^2) = 0.119202922,  σ(-1) = 0.268941421,  σ(0.5) = 0.622459331,  σ(2) = 0.880797078

    @Test
    void bceIsMinusLogSigmoidOfThePositivePlusSoftplusOfEachNegative() {
        // one group, positive 2, negatives -1 and 0.5:
        // -log σ(2) - log(1-σ(-1)) - log(1-σ(0.5)) = sp(-2) + sp(-1) + sp(0.5)
        //   = 0.126928011 + 0.313261688 + 0.974076984 = 1.414266683
        LossMath.Result r = LossMath.pretrain(new LossSpec.Bce(2), new float[] {2f, -1f, 0.5f}, 1, 3, null, null, 7);
        assertThat(r.value()).isCloseTo(1.414266683, within(1e-8));
        // d/ds+ = -σ(-s+) = -0.119202922; d/ds_k = σ(s_k) = 0.268941421, 0.622459331
        assertThat(r.gradient()).containsExactly(new double[] {-0.119202922, 0.268941421, 0.622459331}, within(1e-8));
    }

    @Test
    void pretrainLossIsTheMeanOverGroups() {
        // group 0 as above (1.414266683); group 1: positive 0, negatives 0 and 0 -> 3 log 2 = 2.079441542
        // mean = (1.414266683 + 2.079441542) / 2 = 1.746854112
        LossMath.Result r =
                LossMath.pretrain(new LossSpec.Bce(2), new float[] {2f, -1f, 0.5f, 0f, 0f, 0f}, 2, 3, null, null, 7);
        assertThat(r.value()).isCloseTo(1.746854112, within(1e-8));
        // every gradient entry is halved: -0.119202922 / 2, and σ(0) / 2 = 0.25 for the second group's negatives
        assertThat(r.gradient()[0]).isCloseTo(-0.059601461, within(1e-8));
        assertThat(r.gradient()[3]).isCloseTo(-0.25, within(1e-12));
        assertThat(r.gradient()[4]).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void aDroppedBceNegativeAddsNothingAndGetsNoGradient() {
        // group [2, -1, 0.5] with the second negative (0.5) dropped: sp(-2) + sp(-1) = 0.126928011 + 0.313261688 =
        // 0.440189699
        LossMath.Result r = LossMath.pretrain(
                new LossSpec.Bce(2), new float[] {2f, -1f, 0.5f}, 1, 3, null, null, 7, new boolean[] {false, false, true
                });
        assertThat(r.value()).isCloseTo(0.440189699, within(1e-8));
        assertThat(r.gradient()).containsExactly(new double[] {-0.119202922, 0.268941421, 0}, within(1e-8));
    }

    @Test
    void aDroppedGbceNegativeKeepsBetaFromAllKNegatives() {
        // K = 3, N = 7, t = 0.5 -> β = 0.75 whatever is dropped; group [2, -1, 0.5, 0] with -1 dropped:
        // 0.75 sp(-2) + sp(0.5) + sp(0) = 0.095196008 + 0.974076984 + 0.693147181 = 1.762420173
        LossMath.Result r = LossMath.pretrain(
                new LossSpec.Gbce(3, 0.5f), new float[] {2f, -1f, 0.5f, 0f}, 1, 4, null, null, 7, new boolean[] {
                    false, true, false, false
                });
        assertThat(r.value()).isCloseTo(1.762420173, within(1e-8));
        assertThat(r.gradient()).containsExactly(new double[] {-0.089402192, 0, 0.622459331, 0.5}, within(1e-8));
    }

    @Test
    void aDroppedSampledSoftmaxCandidateLeavesTheSoftmax() {
        // [1, 0, -1] with the 0 dropped: softmax over [1, -1]: -1 + log(e + e^-1) = -1 + log(3.086161270) = 0.126928011
        // (= softplus(-2)); p = [σ(2), σ(-2)] = [0.880797078, 0.119202922]
        LossMath.Result r = LossMath.pretrain(
                new LossSpec.SampledSoftmax(2, false), new float[] {1f, 0f, -1f}, 1, 3, null, null, 7, new boolean[] {
                    false, true, false
                });
        assertThat(r.value()).isCloseTo(0.126928011, within(1e-8));
        assertThat(r.gradient()).containsExactly(new double[] {0.880797078 - 1, 0, 0.119202922}, within(1e-8));
        // with log Q [0, 7, 1]: z = [1, (dropped), -2]: -1 + log(e + e^-2) = softplus(-3) = 0.048587352
        LossMath.Result q = LossMath.pretrain(
                new LossSpec.SampledSoftmax(2, true),
                new float[] {1f, 0f, -1f},
                1,
                3,
                null,
                new float[] {0f, 7f, 1f},
                7,
                new boolean[] {false, true, false});
        assertThat(q.value()).isCloseTo(0.048587352, within(1e-8));
        // p = [σ(3), σ(-3)] = [0.952574127, 0.047425873]
        assertThat(q.gradient()).containsExactly(new double[] {0.952574127 - 1, 0, 0.047425873}, within(1e-8));
    }

    @Test
    void dropMasksAreValidated() {
        assertThatThrownBy(() -> LossMath.pretrain(
                        new LossSpec.Bce(2), new float[] {2f, -1f, 0.5f}, 1, 3, null, null, 7, new boolean[] {
                            true, false, false
                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> LossMath.pretrain(
                        new LossSpec.Bce(2), new float[] {2f, -1f, 0.5f}, 1, 3, null, null, 7, new boolean[] {
                            false, false
                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 3, found 2");
        assertThatThrownBy(() -> LossMath.pretrain(
                        new LossSpec.SoftmaxCe(), new float[] {2f, -1f}, 1, 2, new int[] {0}, null, 2, new boolean[] {
                            false, false
                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dropped = null");
    }

    @Test
    void gbceBetaFollowsTheGsasrecFormula() {
        // K = 3, N = 7: α = 3 / 6 = 0.5
        assertThat(LossMath.gbceBeta(3, 7, 0)).isCloseTo(1.0, within(EPS)); // t = 0 -> plain BCE
        assertThat(LossMath.gbceBeta(3, 7, 1)).isCloseTo(0.5, within(EPS)); // t = 1 -> α
        // t = 0.5: 0.5 * (0.5 * (1 - 2) + 2) = 0.5 * 1.5 = 0.75
        assertThat(LossMath.gbceBeta(3, 7, 0.5)).isCloseTo(0.75, within(EPS));
        // K = 1, N = 3417 (ML-1M 3416 items + 1): α = 1/3416; t = 0.75: β = α(0.75(1 - 3416) + 3416) = 0.25 + 0.75α
        assertThat(LossMath.gbceBeta(1, 3417, 0.75)).isCloseTo(0.25 + 0.75 / 3416, within(1e-12));
    }

    @Test
    void gbceWeightsOnlyThePositiveTermByBeta() {
        // K = 3, N = 7, t = 0.5 -> β = 0.75; group [2, -1, 0.5, 0]:
        // 0.75 sp(-2) + sp(-1) + sp(0.5) + sp(0) = 0.095196008 + 0.313261688 + 0.974076984 + 0.693147181 = 2.075681861
        LossMath.Result r =
                LossMath.pretrain(new LossSpec.Gbce(3, 0.5f), new float[] {2f, -1f, 0.5f, 0f}, 1, 4, null, null, 7);
        assertThat(r.value()).isCloseTo(2.075681861, within(1e-8));
        // d/ds+ = -β σ(-2) = -0.75 * 0.119202922 = -0.089402192; negatives unchanged: σ(0) = 0.5
        assertThat(r.gradient()[0]).isCloseTo(-0.089402192, within(1e-8));
        assertThat(r.gradient()[3]).isCloseTo(0.5, within(EPS));
    }

    @Test
    void sampledSoftmaxIsCrossEntropyWithThePositiveFirst() {
        // [1, 0, -1]: -1 + log(e + 1 + e^-1) = -1 + log(4.086161270) = -1 + 1.407605964 = 0.407605964
        LossMath.Result r = LossMath.pretrain(
                new LossSpec.SampledSoftmax(2, false),
                new float[] {1f, 0f, -1f},
                1,
                3,
                null,
                new float[] {5f, 5f, 5f} /* ignored when logQ is off */,
                7);
        assertThat(r.value()).isCloseTo(0.407605964, within(1e-8));
        // softmax = [e, 1, e^-1] / 4.086161 = [0.665240956, 0.244728471, 0.090030573]; minus one-hot on 0
        assertThat(r.gradient())
                .containsExactly(new double[] {0.665240956 - 1, 0.244728471, 0.090030573}, within(1e-8));
    }

    @Test
    void logQCorrectionSubtractsLogQFromEveryLogit() {
        // logits [1, 0, -1], logQ [0, -1, 0] -> z = [1, 1, -1]: -1 + log(2e + e^-1) = -1 + log(5.804481) = 0.758623676
        LossMath.Result r = LossMath.pretrain(
                new LossSpec.SampledSoftmax(2, true),
                new float[] {1f, 0f, -1f},
                1,
                3,
                null,
                new float[] {0f, -1f, 0f},
                7);
        assertThat(r.value()).isCloseTo(0.758623676, within(1e-8));
        // softmax(z) = [e, e, e^-1] / 5.804481 = [0.468310531, 0.468310531, 0.063378938]
        assertThat(r.gradient())
                .containsExactly(new double[] {0.468310531 - 1, 0.468310531, 0.063378938}, within(1e-8));
    }

    @Test
    void fullSoftmaxUsesTheTargetIndexOverTheCatalogue() {
        // N = 3, logits [0, ln 2, ln 3] -> softmax [1/6, 2/6, 3/6]; target item 2 (index 1): -log(1/3) = ln 3 =
        // 1.098612289
        float[] logits = {0f, (float) Math.log(2), (float) Math.log(3)};
        LossMath.Result r = LossMath.pretrain(new LossSpec.SoftmaxCe(), logits, 1, 3, new int[] {1}, null, 3);
        assertThat(r.value()).isCloseTo(1.098612289, within(1e-7));
        assertThat(r.gradient()).containsExactly(new double[] {1.0 / 6, 2.0 / 6 - 1, 3.0 / 6}, within(1e-7));
    }

    @Test
    void finetuneBceAveragesOverEveryCandidate() {
        // scores [0, 2], labels [1, 0]: (-log σ(0) - log(1 - σ(2))) / 2 = (ln 2 + sp(2)) / 2
        //   = (0.693147181 + 2.126928011) / 2 = 1.410037596
        LossMath.Result r = LossMath.finetune(new LossSpec.Bce(1), new float[] {0f, 2f}, 1, 2, new float[] {1f, 0f});
        assertThat(r.value()).isCloseTo(1.410037596, within(1e-8));
        // (σ(s) - y) / 2: (0.5 - 1) / 2 = -0.25, 0.880797078 / 2 = 0.440398539
        assertThat(r.gradient()).containsExactly(new double[] {-0.25, 0.440398539}, within(1e-8));
    }

    @Test
    void mseIsTheMeanSquaredError() {
        // scores [1, 2.5] labels [3, 2]: ((-2)^2 + 0.5^2) / 2 = 4.25 / 2 = 2.125; gradient 2 (s - y) / 2 = [-2, 0.5]
        LossMath.Result r = LossMath.finetune(new LossSpec.Mse(), new float[] {1f, 2.5f}, 2, 1, new float[] {3f, 2f});
        assertThat(r.value()).isCloseTo(2.125, within(EPS));
        assertThat(r.gradient()).containsExactly(new double[] {-2, 0.5}, within(EPS));
    }

    @Test
    void bprIsTheMeanOverNegativesOfMinusLogSigmoidOfTheDifference() {
        // [3, 1, 3]: differences 2 and 0 -> (sp(-2) + sp(0)) / 2 = (0.126928011 + 0.693147181) / 2 = 0.410037596
        LossMath.Result r = LossMath.finetune(new LossSpec.Bpr(2), new float[] {3f, 1f, 3f}, 1, 3, null);
        assertThat(r.value()).isCloseTo(0.410037596, within(1e-8));
        // d/dŝ_k = σ(-(s0 - sk)) / 2: σ(-2)/2 = 0.059601461, σ(0)/2 = 0.25; d/ds0 = -(sum of those)
        assertThat(r.gradient()).containsExactly(new double[] {-0.309601461, 0.059601461, 0.25}, within(1e-8));
    }

    @Test
    void hingeCountsOnlyViolatedMargins() {
        // margin 1, [2, 0.5, 1.5, 3]: max(0, 1-2+0.5) = 0, max(0, 1-2+1.5) = 0.5, max(0, 1-2+3) = 2 -> 2.5 / 3
        LossMath.Result r = LossMath.finetune(new LossSpec.Hinge(3, 1f), new float[] {2f, 0.5f, 1.5f, 3f}, 1, 4, null);
        assertThat(r.value()).isCloseTo(2.5 / 3, within(EPS));
        // two active terms: d/ds0 = -2/3; the inactive negative gets 0, the active ones +1/3
        assertThat(r.gradient()).containsExactly(new double[] {-2.0 / 3, 0, 1.0 / 3, 1.0 / 3}, within(EPS));
    }

    @Test
    void finetuneLossIsTheMeanOverRows() {
        // row 0 as in the BPR test (0.410037596); row 1 [0, 0, 0]: sp(0) = 0.693147181 -> mean 0.551592388
        LossMath.Result r = LossMath.finetune(new LossSpec.Bpr(2), new float[] {3f, 1f, 3f, 0f, 0f, 0f}, 2, 3, null);
        assertThat(r.value()).isCloseTo(0.551592388, within(1e-8));
        assertThat(r.gradient()[4]).isCloseTo(0.125, within(EPS)); // σ(0) / (2 rows * 2 negatives)
    }

    @Test
    void extremeLogitsStayFinite() {
        LossMath.Result bce = LossMath.pretrain(new LossSpec.Bce(1), new float[] {-1000f, 1000f}, 1, 2, null, null, 7);
        assertThat(bce.value()).isCloseTo(2000.0, within(1e-9)); // sp(1000) + sp(1000)
        assertThat(bce.gradient()).containsExactly(new double[] {-1, 1}, within(EPS));
        LossMath.Result ce =
                LossMath.pretrain(new LossSpec.SoftmaxCe(), new float[] {1000f, 1001f}, 1, 2, new int[] {0}, null, 2);
        assertThat(ce.value()).isCloseTo(1 + Math.log1p(Math.exp(-1)), within(1e-9)); // -1000 + 1001 + log(1 + e^-1)
        LossMath.Result ft = LossMath.finetune(new LossSpec.Bce(1), new float[] {500f}, 1, 1, new float[] {0f});
        assertThat(ft.value()).isCloseTo(500.0, within(1e-9));
        assertThat(LossMath.sigmoid(-800)).isGreaterThanOrEqualTo(0).isLessThan(1e-300);
        assertThat(LossMath.logSigmoid(-800)).isCloseTo(-800, within(EPS));
    }

    @Test
    void everyGradientMatchesCentralFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(7);
        int groups = 3;
        float[] logQ = randomArray(r, groups * 4);
        checkGradient(l -> LossMath.pretrain(new LossSpec.Bce(3), l, groups, 4, null, null, 9), randomArray(r, 12));
        checkGradient(
                l -> LossMath.pretrain(new LossSpec.Gbce(3, 0.6f), l, groups, 4, null, null, 9), randomArray(r, 12));
        checkGradient(
                l -> LossMath.pretrain(new LossSpec.SampledSoftmax(3, false), l, groups, 4, null, null, 9),
                randomArray(r, 12));
        checkGradient(
                l -> LossMath.pretrain(new LossSpec.SampledSoftmax(3, true), l, groups, 4, null, logQ, 9),
                randomArray(r, 12));
        checkGradient(
                l -> LossMath.pretrain(new LossSpec.SoftmaxCe(), l, groups, 5, new int[] {0, 4, 2}, null, 5),
                randomArray(r, 15));
        float[] labels = {1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1};
        checkGradient(l -> LossMath.finetune(new LossSpec.Bce(3), l, groups, 4, labels), randomArray(r, 12));
        checkGradient(l -> LossMath.finetune(new LossSpec.Mse(), l, groups, 4, labels), randomArray(r, 12));
        checkGradient(l -> LossMath.finetune(new LossSpec.Bpr(3), l, groups, 4, null), randomArray(r, 12));
        // margin 5 with logits in [-2, 2]: every hinge term is active, so the loss is differentiable everywhere here
        checkGradient(l -> LossMath.finetune(new LossSpec.Hinge(3, 5f), l, groups, 4, null), randomArray(r, 12));
    }

    @Test
    void wrongStageOrShapeIsRejectedWithExpectedAndFound() {
        assertThatThrownBy(() -> LossMath.pretrain(new LossSpec.Bpr(1), new float[2], 1, 2, null, null, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bpr cannot be used for pre-training");
        assertThatThrownBy(() -> LossMath.finetune(new LossSpec.SoftmaxCe(), new float[2], 1, 2, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("softmax cannot be used for fine-tuning");
        assertThatThrownBy(() -> LossMath.pretrain(new LossSpec.Bce(2), new float[4], 2, 2, null, null, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expects groups of 1 + 2 = 3")
                .hasMessageContaining("found 2");
        assertThatThrownBy(() -> LossMath.pretrain(new LossSpec.Bce(2), new float[5], 2, 3, null, null, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("= 6 values, found 5");
        assertThatThrownBy(() ->
                        LossMath.pretrain(new LossSpec.SampledSoftmax(1, true), new float[2], 1, 2, null, null, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("log Q");
        assertThatThrownBy(
                        () -> LossMath.pretrain(new LossSpec.SoftmaxCe(), new float[2], 1, 2, new int[] {2}, null, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found 2");
        assertThatThrownBy(
                        () -> LossMath.pretrain(new LossSpec.SoftmaxCe(), new float[2], 1, 2, new int[] {0}, null, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numItems = 3, found 2");
        assertThatThrownBy(() -> LossMath.finetune(new LossSpec.Mse(), new float[2], 1, 2, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label");
        assertThatThrownBy(() -> LossMath.pretrain(new LossSpec.Bce(1), new float[0], 0, 2, null, null, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no loss");
        assertThatThrownBy(() -> LossMath.gbceBeta(1, 1, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numItems >= 2");
    }

    private static float[] randomArray(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return a;
    }

    /** Central differences in double; logits that are exact float values keep the perturbation exact enough. */
    private static void checkGradient(Function<float[], LossMath.Result> f, float[] logits) {
        LossMath.Result at = f.apply(logits);
        float h = 1e-3f;
        for (int i = 0; i < logits.length; i++) {
            float[] plus = logits.clone();
            float[] minus = logits.clone();
            plus[i] += h;
            minus[i] -= h;
            double step = (double) plus[i] - minus[i];
            double fd = (f.apply(plus).value() - f.apply(minus).value()) / step;
            assertThat(at.gradient()[i]).as("gradient entry %d", i).isCloseTo(fd, within(1e-6));
        }
    }
}
