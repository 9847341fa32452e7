package dev.recsys.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.model.Initializer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code recsys serve} and {@code recsys bench serve} on a model of initial weights, on loopback. */
@Timeout(180)
class ServeCommandTest {
    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        ModelConfig c = ModelConfig.builder()
                .numItems(40)
                .dim(16)
                .heads(2)
                .layers(1)
                .ffnDim(16)
                .maxLen(10)
                .build();
        model = dir.resolve("model");
        Checkpoint.write(model, CheckpointData.of(c, Initializer.init(c, 3), null));
    }

    @Test
    void serveAnswersOnLoopbackUntilStopped() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(Main.run(
                new String[] {"serve", "--model", model.toString(), "--port", "0", "--backend", "djl"},
                new PrintWriter(out, true),
                new PrintWriter(err, true))));
        t.start();
        Pattern p = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+/)");
        Matcher m = p.matcher("");
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!m.reset(out.toString()).find() && t.isAlive() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(m.find(0)).as("out: %s, err: %s", out, err).isTrue();
        URI base = URI.create(m.group(1));
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("v1/recommend"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"history\": [\"3\", \"4\"], \"k\": 4}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode n = new ObjectMapper().readTree(r.body());
        assertThat(n.path("items").size()).isEqualTo(4);
        t.interrupt();
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(code.get()).as(err.toString()).isZero();
    }

    @Test
    void benchServeRefusesMoreRoundsThanSecondsBeforeStarting() {
        CliTest.Run r = CliTest.run(
                "bench", "serve", "--model", model.toString(), "--backend", "djl", "--seconds", "2", "--rounds", "3");
        assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(r.err()).contains("--rounds (3) must be <= --seconds (2)");
        assertThat(r.out()).doesNotContain("in-process recommend");
    }

    @Test
    void benchServeReportsThroughputLatencyAndNoErrors() {
        CliTest.Run r = CliTest.run(
                "bench", "serve",
                "--model", model.toString(),
                "--backend", "djl",
                "--connections", "2",
                "--seconds", "6",
                "--warmup-seconds", "1",
                "--requests", "150",
                "--calls", "20",
                "--in-process-seconds", "1",
                "--history", "8");
        assertThat(r.code()).as(r.err()).isZero();
        String o = r.out();
        assertThat(o).containsPattern("JIT: compiler idle after \\d+\\.\\d s");
        assertThat(o)
                .containsPattern(
                        "in-process recommend: p50 \\d+\\.\\d\\d ms, p99 \\d+\\.\\d\\d ms \\(1 thread\\); \\d+/s with 2 threads");
        // 150 requests in up to 3 rounds of 50 (each round's count share), each followed by an in-process run
        assertThat(o)
                .containsPattern(
                        "HTTP, 2 connections: 150 requests in \\d+\\.\\d s = \\d+/s over 3 rounds \\(\\d+, \\d+, \\d+/s\\)");
        assertThat(o)
                .containsPattern(
                        "in-process with 2 threads before, between and after the rounds: \\d+, \\d+, \\d+, \\d+/s;"
                                + " each round's share of the runs around it: \\d+%, \\d+%, \\d+% \\(median \\d+%\\)");
        assertThat(o)
                .containsPattern("in-process recommend after the rounds: p50 \\d+\\.\\d\\d ms, p99 \\d+\\.\\d\\d ms");
        assertThat(o).containsPattern("JIT compiler time during the rounds: -?\\d+, -?\\d+, -?\\d+ ms");
        assertThat(o).containsPattern("latency: p50 \\d+\\.\\d\\d ms, p90 \\d+\\.\\d\\d ms, p99 \\d+\\.\\d\\d ms, max");
        assertThat(o).contains("errors: 0 (statuses {200=150}, no answer 0)");
    }
}
