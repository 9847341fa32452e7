package dev.recsys.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PairedTestTest {

    @Test
    void studentTMatchesClosedFormsForOneAndTwoDegreesOfFreedom() {
        for (double t : new double[] {0.1, 0.5, 1, 2, 3.7, 12}) {
            // df = 1 (Cauchy): P(|T| >= t) = 1 - 2/pi atan(t)
            assertThat(StudentT.twoSidedP(t, 1)).isCloseTo(1 - 2 / Math.PI * Math.atan(t), within(1e-10));
            // df = 2: P(|T| >= t) = 1 - t / sqrt(2 + t^2)
            assertThat(StudentT.twoSidedP(t, 2)).isCloseTo(1 - t / Math.sqrt(2 + t * t), within(1e-10));
            assertThat(StudentT.cdf(t, 2) + StudentT.cdf(-t, 2)).isCloseTo(1.0, within(1e-12));
        }
        assertThat(StudentT.twoSidedP(0, 7)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void studentTMatchesTabulatedCriticalValues() {
        // two-sided 5% critical values: t(10) = 2.228139, t(30) = 2.042272
        assertThat(StudentT.twoSidedP(2.228139, 10)).isCloseTo(0.05, within(1e-6));
        assertThat(StudentT.twoSidedP(2.042272, 30)).isCloseTo(0.05, within(1e-6));
        // large df tends to the normal: P(|Z| >= 1.959964) = 0.05
        assertThat(StudentT.twoSidedP(1.959964, 1e7)).isCloseTo(0.05, within(1e-5));
        assertThat(Math.exp(StudentT.logGamma(5))).isCloseTo(24, within(1e-9));
        assertThat(Math.exp(StudentT.logGamma(0.5))).isCloseTo(Math.sqrt(Math.PI), within(1e-12));
    }

    @Test
    void pairedTStatisticIsComputedFromTheDifferences() {
        double[] a = {0.9, 0.8, 0.7, 0.6, 0.5};
        double[] b = {0.8, 0.8, 0.5, 0.6, 0.2};
        // d = 0.1, 0, 0.2, 0, 0.3 -> mean 0.12, sd = sqrt(0.068/4) = 0.130384, t = 0.12 / (0.130384 / sqrt 5) = 2.05798
        PairedTest.Comparison c = PairedTest.compare("ndcg@10", a, b, 0.95, 2000, 7);
        assertThat(c.meanDiff()).isCloseTo(0.12, within(1e-12));
        assertThat(c.t()).isCloseTo(0.12 / (Math.sqrt(0.068 / 4) / Math.sqrt(5)), within(1e-9));
        assertThat(c.df()).isEqualTo(4);
        assertThat(c.pValue()).isCloseTo(StudentT.twoSidedP(c.t(), 4), within(1e-15));
        assertThat(c.pValue()).isBetween(0.10, 0.11);
        assertThat(c.ciLow()).isLessThanOrEqualTo(0.12).isGreaterThanOrEqualTo(0.0);
        assertThat(c.ciHigh()).isGreaterThanOrEqualTo(0.12).isLessThanOrEqualTo(0.3);
        assertThat(PairedTest.compare("ndcg@10", a, b, 0.95, 2000, 7)).isEqualTo(c);
    }

    @Test
    void identicalRunsHaveNoDifferenceAndPOne() {
        double[] a = {0.1, 0.4, 0.3};
        PairedTest.Comparison c = PairedTest.compare("mrr", a, a, 0.95, 100, 1);
        assertThat(c.meanDiff()).isZero();
        assertThat(c.t()).isZero();
        assertThat(c.pValue()).isEqualTo(1.0);
        assertThat(c.ciLow()).isZero();
        assertThat(c.ciHigh()).isZero();
    }

    @Test
    void resultsArePairedByUserAndMustShareTheProtocol() {
        EvalResult a = result("full", new int[] {1, 2, 3, 5}, new double[] {1, 0, 1, 1});
        EvalResult b = result("full", new int[] {2, 3, 4, 5}, new double[] {0, 0, 1, 0});
        PairedTest.Comparison c = PairedTest.compare(a, b, "hr@10");
        assertThat(c.users()).isEqualTo(3); // users 2, 3, 5
        assertThat(c.meanA()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(c.meanB()).isZero();
        EvalResult s = result("sampled(n=100,uniform,seed=42)", new int[] {1, 2}, new double[] {1, 1});
        assertThatThrownBy(() -> PairedTest.compare(a, s, "hr@10")).hasMessageContaining("different protocol");
    }

    private static EvalResult result(String protocol, int[] users, double[] hr) {
        Map<String, double[]> per = new LinkedHashMap<>();
        per.put("hr@10", hr);
        double mean = java.util.Arrays.stream(hr).average().orElse(0);
        return new EvalResult(
                "d", "leave-one-out", "TEST", protocol, new int[] {10}, Map.of("hr@10", mean), users, per, 0, 0);
    }
}
