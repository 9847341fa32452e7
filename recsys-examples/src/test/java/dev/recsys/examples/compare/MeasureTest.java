package dev.recsys.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeasureTest {
    @Test
    void percentilesInterpolateBetweenClosestRanks() {
        double[] v = {4, 1, 3, 2};
        assertThat(Measure.percentile(v, 0)).isEqualTo(1);
        assertThat(Measure.percentile(v, 1)).isEqualTo(4);
        assertThat(Measure.median(v)).isEqualTo(2.5);
        // pos = 0.99 * 3 = 2.97: 3 + 0.97 * (4 - 3)
        assertThat(Measure.percentile(v, 0.99)).isCloseTo(3.97, within(1e-12));
        assertThat(Measure.percentile(new double[] {7}, 0.99)).isEqualTo(7);
        assertThat(v).containsExactly(4, 1, 3, 2); // the input is not sorted in place
        assertThatThrownBy(() -> Measure.percentile(new double[0], 0.5)).hasMessageContaining("no values");
        assertThatThrownBy(() -> Measure.percentile(v, 1.5)).hasMessageContaining("[0, 1]");
    }

    @Test
    void procStatusValuesAreKilobytes() {
        assertThat(Measure.parseKb("   123456 kB")).isEqualTo(123456L);
        if (Files.isReadable(Path.of("/proc/self/status"))) {
            long now = Measure.rssBytes().orElseThrow(); // read first: the peak read later is at least this
            long peak = Measure.peakRssBytes().orElseThrow();
            assertThat(peak).isGreaterThanOrEqualTo(now).isGreaterThan(1L << 20);
        }
    }

    @Test
    void headlineCutOffIsTenOrTheLargestBelowIt() {
        assertThat(CompareStudy.headlineK(new int[] {20, 5, 10})).isEqualTo(10);
        assertThat(CompareStudy.headlineK(new int[] {1, 5})).isEqualTo(5);
        assertThat(CompareStudy.headlineK(new int[] {50, 20})).isEqualTo(20);
    }

    @Test
    void repeatedBackendsGetNumberedLabels() {
        assertThat(CompareStudy.labels(List.of("djl", "DJL", "dl4j", "djl")))
                .containsExactly("djl", "djl#2", "dl4j", "djl#3");
    }

    @Test
    void intervalOfAConstantMetricIsThatConstant() {
        var r = new dev.recsys.eval.metrics.EvalResult(
                "d",
                "s",
                "TEST",
                "full",
                new int[] {10},
                Map.of("ndcg@10", 0.5),
                new int[] {1, 2, 3},
                Map.of("ndcg@10", new double[] {0.5, 0.5, 0.5}),
                0,
                0.1);
        double[] ci = CompareStudy.intervals(r, 10, 1L).get("ndcg@10");
        assertThat(ci).containsExactly(0.5, 0.5);
    }
}
