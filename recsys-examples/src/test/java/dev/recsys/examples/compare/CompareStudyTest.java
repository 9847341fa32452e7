package dev.recsys.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.examples.TinyRun;
import dev.recsys.examples.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recsys compare} end to end on tiny synthetic data: a child JVM per backend. The backends
 * are djl, dl4j (when on the test class path) and djl again: the second djl run, in another JVM,
 * must agree exactly with the first, and dl4j must pass the parity check.
 */
class CompareStudyTest {
    static final String DATA = TinyRun.DATA;
    static final String[] TINY = TinyRun.SETTINGS;
    // both stages run, so the exact cross-JVM check below also covers fine-tuning (it caught DJL's
    // garbage-collected scalar constants, see recsys-backend-djl/README.md)

    @TempDir
    static Path dir;

    static Path out;
    static List<String> labels;
    static Run run;
    static JsonNode json;

    record Run(int code, String out, String err) {}

    static Run cli(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Run(code, o.toString(), e.toString());
    }

    static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    @BeforeAll
    static void compareOnce() throws IOException {
        boolean dl4j = CompareStudy.availableBackends().contains("dl4j");
        labels = dl4j ? List.of("djl", "dl4j", "djl#2") : List.of("djl", "djl#2");
        out = dir.resolve("report");
        run = cli(concat(
                new String[] {
                    "compare",
                    "--data",
                    DATA,
                    "--backends",
                    dl4j ? "djl,dl4j,djl" : "djl,djl",
                    "--out",
                    out.toString(),
                    "--latency-calls",
                    "40",
                    "--latency-warmup",
                    "5",
                    "--parity-users",
                    "8",
                    "--json",
                    dir.resolve("copy.json").toString()
                },
                TINY));
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    }

    @Test
    void writesTheThreeReportFilesAndTheJsonCopy() throws IOException {
        assertThat(out.resolve("report.md")).isNotEmptyFile();
        assertThat(out.resolve("report.json")).isNotEmptyFile();
        assertThat(out.resolve("report.html")).isNotEmptyFile();
        assertThat(Files.readString(dir.resolve("copy.json"))).isEqualTo(Files.readString(out.resolve("report.json")));
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("report.md", "report.json", "report.html");
        }
    }

    @Test
    void jsonHasMetricsPerBackendWithProtocolFingerprintSeedAndVersions() {
        assertThat(json.path("metrics").size()).isEqualTo(labels.size());
        for (String label : labels) {
            JsonNode m = json.path("metrics").path(label);
            assertThat(m.path("ndcg@10").asDouble(-1)).as(label).isBetween(0.0, 1.0);
            assertThat(m.path("recall@10").asDouble(-1)).as(label).isBetween(0.0, 1.0);
            assertThat(m.has("mrr")).as(label).isTrue();
        }
        assertThat(json.path("format").asText()).isEqualTo("recsys-compare");
        assertThat(json.path("protocol").asText()).isEqualTo("full");
        assertThat(json.path("seed").asLong()).isEqualTo(42L);
        assertThat(json.path("dataFingerprint").asText()).hasSize(64);
        assertThat(json.path("recsysVersion").asText()).isNotBlank();
        assertThat(json.path("java").asText()).isNotBlank();
        assertThat(json.path("isolation").asText()).isEqualTo("process");
        assertThat(json.path("config").path("model").path("dim").asInt()).isEqualTo(16);
    }

    @Test
    void eachBackendHasCurvesIntervalsLatencyAndMemory() {
        for (JsonNode b : json.path("backends")) {
            String label = b.path("label").asText();
            JsonNode t = b.path("training");
            assertThat(t.path("pretrainLosses").size()).as(label).isEqualTo(2);
            assertThat(t.path("pretrainValidation").size()).as(label).isEqualTo(2);
            assertThat(t.path("finetuneLosses").size()).as(label).isEqualTo(1);
            assertThat(t.path("sequencesPerSecond").asDouble()).as(label).isPositive();
            double ndcg = b.path("metrics").path("ndcg@10").asDouble();
            JsonNode ci = b.path("confidenceIntervals").path("ndcg@10");
            assertThat(ci.path("low").asDouble()).as(label).isLessThanOrEqualTo(ndcg);
            assertThat(ci.path("high").asDouble()).as(label).isGreaterThanOrEqualTo(ndcg);
            JsonNode lat = b.path("recommendLatency");
            assertThat(lat.path("calls").asInt()).isEqualTo(40);
            assertThat(lat.path("samplesMs").size()).isEqualTo(40);
            assertThat(lat.path("p99Ms").asDouble())
                    .isGreaterThanOrEqualTo(lat.path("p50Ms").asDouble())
                    .isPositive();
            if (Files.isReadable(Path.of("/proc/self/status"))) {
                // a JVM with an engine loaded holds well over 32 MiB
                assertThat(b.path("memory").path("peakRssBytes").asLong())
                        .as(label)
                        .isGreaterThan(32L << 20);
            }
        }
    }

    @Test
    void parityPassesForTheSameWeightsInEveryBackend() {
        JsonNode p = json.path("parity");
        assertThat(p.path("pass").asBoolean()).isTrue();
        assertThat(p.path("reference").asText()).isEqualTo("djl");
        assertThat(p.path("results").size()).isEqualTo(labels.size());
        for (JsonNode r : p.path("results")) {
            assertThat(r.path("stage1MaxAbsDiff").asDouble()).as(r.toString()).isLessThan(1e-4);
            assertThat(r.path("stage2MaxAbsDiff").asDouble()).as(r.toString()).isLessThan(1e-4);
        }
        // the reference against itself, and the save/load round trip, are exact
        assertThat(p.path("results").get(0).path("stage1MaxAbsDiff").asDouble()).isZero();
        assertThat(p.path("roundTripMaxAbsDiff").asDouble()).isZero();
    }

    @Test
    void theSameBackendTwiceGivesIdenticalResultsInSeparateJvms() {
        // same config, seed and data: the same initial weights and the same training in another JVM
        assertThat(json.path("metrics").path("djl#2"))
                .isEqualTo(json.path("metrics").path("djl"));
        int last = labels.size() - 1;
        assertThat(json.path("backends").get(last).path("training").path("pretrainLosses"))
                .isEqualTo(json.path("backends").get(0).path("training").path("pretrainLosses"));
        // paired tests: ndcg and recall of every other backend against the first
        assertThat(json.path("differences").size()).isEqualTo(2 * last);
        JsonNode diff = json.path("differences").get(2 * last - 2);
        assertThat(diff.path("a").asText()).isEqualTo("djl#2");
        assertThat(diff.path("meanDiff").asDouble()).isZero();
        assertThat(diff.path("pValue").asDouble()).isEqualTo(1.0);
    }

    @Test
    void markdownAndHtmlCarryTheTablesAndTheCharts() throws IOException {
        String md = Files.readString(out.resolve("report.md"));
        assertThat(md)
                .contains("| backend | engine | ndcg@10 (95% CI)")
                .contains("| djl | DJL")
                .contains("Parity: **PASS**");
        assertThat(run.out()).contains("| djl | DJL").contains("wrote ");
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("Chart.js v" + HtmlReport.chartJsVersion());
        for (String id : List.of("loss", "val", "metrics", "latency", "speed", "memory")) {
            assertThat(html).contains("<canvas id=\"" + id + "\"></canvas>");
        }
        // self-contained: no script or stylesheet is fetched from anywhere
        assertThat(html).doesNotContain("<script src").doesNotContain("<link ");
        int a = html.indexOf("<script type=\"application/json\" id=\"report-data\">");
        int b = html.indexOf("</script>", a);
        JsonNode data = new ObjectMapper()
                .readTree(html.substring(a + "<script type=\"application/json\" id=\"report-data\">".length(), b));
        assertThat(data.path("backends").size()).isEqualTo(labels.size());
        int counted = 0;
        for (JsonNode c : data.path("latency").path("counts").get(0)) {
            counted += c.asInt();
        }
        assertThat(counted).isEqualTo(40);
    }

    /** One DJL run in this JVM on the tiny config; {@code cold} is the --cold-items value or null. */
    private static CompareReport inProcess(Path o, String cold) throws IOException {
        List<String> sets = new ArrayList<>();
        for (int i = 1; i < TINY.length; i += 2) {
            sets.add(TINY[i]);
        }
        return CompareStudy.run(
                new CompareStudy.Options(
                        DATA,
                        null,
                        null,
                        null,
                        sets,
                        List.of("djl"),
                        1,
                        null,
                        CompareStudy.Isolation.NONE,
                        10,
                        2,
                        4,
                        1e-4,
                        o,
                        cold),
                new PrintWriter(new StringWriter()));
    }

    @Test
    void inProcessIsolationReportsOneBackend() throws IOException {
        Path o = dir.resolve("inproc");
        CompareReport r = inProcess(o, null);
        assertThat(r.backends()).hasSize(1);
        assertThat(r.differences()).isEmpty();
        assertThat(r.parity().results().get(0).stage1MaxAbsDiff()).isZero();
        assertThat(r.isolation()).isEqualTo("none");
        assertThat(r.markdown()).contains("All backends ran in this JVM");
        // same seed, same data, same backend: the in-process run matches the child JVM's
        assertThat(r.backends().get(0).metrics().get("ndcg@10"))
                .isCloseTo(json.path("metrics").path("djl").path("ndcg@10").asDouble(), within(1e-12));
        assertThat(o.resolve("report.html")).isNotEmptyFile();
    }

    @Test
    void underTheColdStartProtocolEachBackendsResultKeepsItsGroups() throws IOException {
        Path o = dir.resolve("cold");
        CompareReport r = inProcess(o, "0.2");
        assertThat(r.backends()).hasSize(1);
        JsonNode e = new ObjectMapper().readTree(o.resolve("eval-djl.json").toFile());
        assertThat(e.path("coldItems").path("count").asInt()).isEqualTo(12);
        int warm = e.path("groups").path("warm").path("usersEvaluated").asInt();
        int cold = e.path("groups").path("cold").path("usersEvaluated").asInt();
        assertThat(cold).isPositive();
        assertThat(warm + cold).isEqualTo(e.path("usersEvaluated").asInt());
    }

    @Test
    void unknownBackendFailsInOneLineBeforeWritingAnything() {
        Path o = dir.resolve("never1");
        Run r = cli("compare", "--data", DATA, "--backends", "djl,tensorflow", "--out", o.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("unknown backend 'tensorflow'");
        assertThat(o).doesNotExist();
    }

    @Test
    void missingDataFileFailsBeforeWritingAnything() {
        Path o = dir.resolve("never2");
        Run r = cli(
                "compare", "--data", "sasrec:" + dir.resolve("nope.txt"), "--backends", "djl", "--out", o.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not found").contains("nope.txt");
        assertThat(o).doesNotExist();
    }

    @Test
    void malformedLineNamesTheFileAndLine() throws IOException {
        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "1 1\n1 2\n1 x\n");
        Path o = dir.resolve("never3");
        Run r = cli("compare", "--data", "sasrec:" + bad, "--backends", "djl", "--out", o.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad.txt:3");
        assertThat(o).doesNotExist();
    }

    @Test
    void aBackendFailingInItsChildJvmLeavesNoReport() {
        Path o = dir.resolve("never5");
        Run r = cli(concat(
                new String[] {"compare", "--data", DATA, "--backends", "djl", "--out", o.toString()},
                concat(TINY, "--set", "pretrain.learningRate=1e30", "--set", "pretrain.clipNorm=0")));
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("backend djl failed in its child JVM").contains("NaN");
        assertThat(o).doesNotExist();
    }

    @Test
    void unknownConfigKeyAndBadIsolationAreRejected() {
        Path o = dir.resolve("never4");
        Run key = cli("compare", "--data", DATA, "--backends", "djl", "--set", "model.dimm=3", "--out", o.toString());
        assertThat(key.code()).isEqualTo(2);
        assertThat(key.err()).contains("model.dimm");
        Run iso = cli("compare", "--data", DATA, "--isolation", "thread", "--out", o.toString());
        assertThat(iso.code()).isEqualTo(2);
        assertThat(iso.err()).contains("--isolation must be process or none");
        assertThat(o).doesNotExist();
    }
}
