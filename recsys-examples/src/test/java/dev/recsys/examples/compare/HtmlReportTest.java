package dev.recsys.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
    static RunInfo run(String name, double[] latency, double p99) {
        return new RunInfo(
                name,
                "engine <1>",
                "fp",
                List.of(0.9, 0.5),
                List.of(new double[] {1, 0.1}, new double[] {2, 0.2}),
                List.of(),
                List.of(),
                1.0,
                100,
                0.5,
                200,
                10,
                0.2,
                latency,
                Measure.median(latency),
                p99,
                0,
                100L << 20,
                50L << 20,
                90L << 20,
                1L << 20,
                4,
                16,
                0.0);
    }

    static CompareReport report(String label, double[] latency, double p99) {
        CompareReport.Entry e = new CompareReport.Entry(
                label,
                run("djl", latency, p99),
                Map.of("ndcg@10", 0.25, "recall@10", 0.5, "mrr", 0.2),
                Map.of("ndcg@10", new double[] {0.2, 0.3}),
                10);
        CompareReport.Parity parity = new CompareReport.Parity(
                label, 1e-4, 4, 16, List.of(new CompareReport.ParityRow(label, 0, 0, true)), 0.0);
        return new CompareReport(
                "data<x>",
                "10 users",
                "0123456789abcdef",
                42L,
                "leave-one-out",
                "TEST",
                "full",
                10,
                Map.of("pretrain", Map.of("loss", "bce")),
                "process",
                Map.of("recsysVersion", "1", "java", "17", "os", "linux"),
                "2025-01-01T00:00Z",
                List.of(e),
                List.of(),
                parity);
    }

    @Test
    void latencyBinsAreSharedAndCountEveryCall() {
        // lo = 1, hi = min(1.5 * p99, max) = min(15, 10) = 10: 30 bins of 0.3 ms
        CompareReport r = report("a", new double[] {1, 1.1, 2, 10}, 10);
        Map<String, Object> h = HtmlReport.histogram(r.backends());
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) h.get("labels");
        @SuppressWarnings("unchecked")
        List<int[]> counts = (List<int[]>) h.get("counts");
        assertThat(labels).hasSize(30);
        assertThat(labels.get(0)).isEqualTo("1.00");
        assertThat(labels.get(29)).isEqualTo("≥9.70");
        int[] c = counts.get(0);
        assertThat(c[0]).isEqualTo(2); // 1 and 1.1
        assertThat(c[3]).isEqualTo(1); // 2: (2 - 1) / 0.3 = 3.33
        assertThat(c[29]).isEqualTo(1); // 10, the slowest, in the last bin
    }

    @Test
    void wideLatencyRangesGetLogSpacedBins() {
        // lo = 1, hi = min(1.5 * 100, 100) = 100: ratio 100 > 20, edges 1 * 100^(b/30)
        CompareReport r = report("a", new double[] {1, 1.1, 11, 100}, 100);
        Map<String, Object> h = HtmlReport.histogram(r.backends());
        assertThat(h.get("logBins")).isEqualTo(true);
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) h.get("labels");
        assertThat(labels.get(15)).isEqualTo("10.00"); // 100^(15/30) = 10
        @SuppressWarnings("unchecked")
        int[] c = ((List<int[]>) h.get("counts")).get(0);
        assertThat(c[0]).isEqualTo(2); // 1 and 1.1 < 100^(1/30) = 1.166
        assertThat(c[15]).isEqualTo(1); // 10 <= 11 < 100^(16/30) = 11.66
        assertThat(c[29]).isEqualTo(1); // 100, the slowest, in the last bin
        assertThat(java.util.Arrays.stream(c).sum()).isEqualTo(4);
    }

    @Test
    void textIsEscapedAndEmbeddedDataCannotCloseItsScript() {
        CompareReport r = report("x</script><b>", new double[] {1, 2}, 2);
        String html = HtmlReport.render(r);
        assertThat(html).contains("Backend comparison: data&lt;x&gt;").contains("engine &lt;1&gt;");
        String data = HtmlReport.dataJson(r);
        assertThat(data).doesNotContain("</script>").contains("x<\\/script><b>");
        assertThat(HtmlReport.esc("a&\"'")).isEqualTo("a&amp;&quot;&#39;");
    }

    @Test
    void parityFailsWhenAnyRowOrTheRoundTripReachesTheTolerance() {
        var ok = new CompareReport.ParityRow("a", 0, 0, true);
        var bad = new CompareReport.ParityRow("b", 2e-4, 0, false);
        assertThat(new CompareReport.Parity("a", 1e-4, 4, 16, List.of(ok), 0.0).pass())
                .isTrue();
        assertThat(new CompareReport.Parity("a", 1e-4, 4, 16, List.of(ok, bad), 0.0).pass())
                .isFalse();
        assertThat(new CompareReport.Parity("a", 1e-4, 4, 16, List.of(ok), 1e-4).pass())
                .isFalse();
        CompareReport r = report("a", new double[] {1, 2}, 2);
        CompareReport failed = new CompareReport(
                r.dataset(),
                r.dataSummary(),
                r.dataFingerprint(),
                r.seed(),
                r.split(),
                r.target(),
                r.protocol(),
                r.k(),
                r.config(),
                r.isolation(),
                r.versions(),
                r.createdAt(),
                r.backends(),
                r.differences(),
                new CompareReport.Parity("a", 1e-4, 4, 16, List.of(ok, bad), 0.0));
        assertThat(failed.markdown())
                .contains("| b | 2.000e-04 | 0.000e+00 | **no** |")
                .contains("Parity: **FAIL**");
        assertThat(HtmlReport.render(failed)).contains("<span class=\"fail\">FAIL</span>");
    }

    @Test
    void chartJsComesFromTheWebJar() {
        assertThat(HtmlReport.chartJsVersion()).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(HtmlReport.chartJs())
                .contains("Chart.js v" + HtmlReport.chartJsVersion())
                .hasSizeGreaterThan(100_000);
    }
}
