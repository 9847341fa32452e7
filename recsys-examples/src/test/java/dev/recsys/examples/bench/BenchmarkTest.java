package dev.recsys.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.examples.cli.Main;
import dev.recsys.examples.compare.Measure;
import dev.recsys.examples.workflow.DataSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkTest {
    static final String DATA = "synthetic:users=80,items=60,length=10,seed=3";

    @TempDir
    Path dir;

    @Test
    void measuresEveryBenchmarkOnTinyData() {
        Benchmark.Options o = new Benchmark.Options(
                DATA,
                List.of("model.maxLen=20", "model.dim=16", "model.ffnDim=16", "eval.rerank=10"),
                "djl",
                1,
                null,
                1,
                3,
                2,
                12,
                2,
                200,
                true);
        StringWriter progress = new StringWriter();
        Benchmark.Result r = Benchmark.run(o, new PrintWriter(progress, true));
        assertThat(r.stepMs()).hasSize(3);
        assertThat(r.medianStepMs()).isEqualTo(Measure.median(r.stepMs()));
        // 80 users with 2+ training items: a batch of 80, not the configured 128
        assertThat(r.batchSize()).isEqualTo(80);
        assertThat(r.sequencesPerSecond()).isCloseTo(80 / (r.medianStepMs() / 1e3), within(1e-6));
        assertThat(r.latencyMs()).hasSize(12);
        assertThat(r.p99Ms()).isGreaterThanOrEqualTo(r.p50Ms()).isPositive();
        assertThat(r.callsPerSecondN()).isPositive();
        assertThat(r.evalUsers()).isEqualTo(80);
        assertThat(r.evalSeconds()).isPositive();
        assertThat(r.numItems()).isEqualTo(60);
        assertThat(r.rerank()).isEqualTo(10);
        assertThat(r.shape())
                .contains("d=16")
                .contains("maxLen=20")
                .contains("heads=1")
                .contains("id-only");
        assertThat(r.markdown())
                .contains("| training throughput |")
                .contains("| recommend p99 |")
                .contains("2 threads");
    }

    @Test
    void latencyUserIsTheLongestHistoryCutToTheLimit() throws IOException {
        Path f = dir.resolve("d.txt");
        // user 2 has the longest sequence (9 items); leave-one-out keeps items 1..8 as its test history
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            sb.append("1 ").append(i).append('\n');
        }
        for (int i = 1; i <= 9; i++) {
            sb.append("2 ").append(10 + i).append('\n');
        }
        sb.append("3 1\n3 2\n3 3\n");
        Files.writeString(f, sb.toString());
        Split s = LeaveOneOut.split(DataSource.load("sasrec:" + f, null, null));
        int[] h = Benchmark.longestHistory(s, 4);
        assertThat(h).hasSize(4);
        int[] full = Benchmark.longestHistory(s, 100);
        assertThat(full).hasSize(8);
        assertThat(h).containsExactly(full[4], full[5], full[6], full[7]);
    }

    @Test
    void benchCommandWritesJsonWithAMetricsObject() throws IOException {
        Path json = dir.resolve("bench.json");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(
                new String[] {
                    "bench",
                    "--data",
                    DATA,
                    "--backend",
                    "djl",
                    "--steps",
                    "2",
                    "--warmup",
                    "0",
                    "--calls",
                    "5",
                    "--calls-warmup",
                    "1",
                    "--no-eval",
                    "--set",
                    "model.maxLen=10",
                    "--set",
                    "model.dim=8",
                    "--set",
                    "model.ffnDim=8",
                    "--json",
                    json.toString()
                },
                new PrintWriter(o, true),
                new PrintWriter(e, true));
        assertThat(code).as(e.toString()).isZero();
        assertThat(o.toString()).contains("| benchmark | value |");
        JsonNode n = new ObjectMapper().readTree(json.toFile());
        assertThat(n.path("metrics").path("train.sequencesPerSecond").asDouble())
                .isPositive();
        assertThat(n.path("metrics").path("recommend.p50Ms").asDouble()).isPositive();
        assertThat(n.path("metrics").has("recommend.callsPerSecond2Threads")).isTrue();
        assertThat(n.path("metrics").path("eval.seconds").isNull()).isTrue();
        assertThat(n.path("backend").asText()).isEqualTo("djl");
        assertThat(n.path("dataFingerprint").asText()).hasSize(64);
        assertThat(n.path("seed").asLong()).isEqualTo(42L);
        assertThat(n.path("recsysVersion").asText()).isNotBlank();
    }

    @Test
    void badInputIsExitCodeTwoWithoutAResultFile() {
        Path json = dir.resolve("never.json");
        StringWriter e = new StringWriter();
        int code = Main.run(
                new String[] {"bench", "--data", DATA, "--backend", "nope", "--json", json.toString()},
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(e, true));
        assertThat(code).isEqualTo(2);
        assertThat(e.toString()).contains("unknown backend 'nope'");
        int code2 = Main.run(
                new String[] {"bench", "--data", DATA, "--steps", "0", "--json", json.toString()},
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(new StringWriter(), true));
        assertThat(code2).isEqualTo(2);
        assertThat(json).doesNotExist();
    }
}
