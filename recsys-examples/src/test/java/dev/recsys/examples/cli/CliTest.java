package dev.recsys.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.examples.TinyRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on tiny synthetic data with the DJL backend. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliTest {
    static final String DATA = TinyRun.DATA;
    static final String[] TINY = TinyRun.SETTINGS;

    @TempDir
    static Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Run(code, o.toString(), e.toString());
    }

    static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    @BeforeAll
    static void trainOnce() {
        Run r = run(concat(
                new String[] {
                    "train", "--data", DATA, "--out", dir.resolve("model").toString(), "--backend", "djl"
                },
                TINY));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("test:").contains("saved");
        // no --config: the recipe chosen from the data, printed on one line, the --set values on top
        assertThat(r.out())
                .contains("config: no --config, so the recipe chosen from the data")
                .containsPattern(
                        "effective config: \\{\"model\":\\{\"dim\":16,.*\"maxLen\":12,.*\"loss\":\"sampled-softmax\""
                                + ",\"negatives\":59,.*\"sampling\":\"unseen\"");
    }

    @Test
    @Order(1)
    void trainWritesACheckpointFolder() {
        assertThat(dir.resolve("model/model.json")).exists();
        assertThat(dir.resolve("model/weights.safetensors")).exists();
    }

    @Test
    @Order(2)
    void evaluateWritesJsonWithMetricsProtocolAndPerUserValues() throws IOException {
        Path json = dir.resolve("eval.json");
        Run r = run(
                "evaluate",
                "--data",
                DATA,
                "--model",
                dir.resolve("model").toString(),
                "--json",
                json.toString(),
                "--backend",
                "djl");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(json.toFile());
        assertThat(n.path("protocol").asText()).isEqualTo("full");
        assertThat(n.path("metrics").path("ndcg@10").asDouble()).isBetween(0.0, 1.0);
        assertThat(n.path("metrics").has("recall@10")).isTrue();
        assertThat(n.path("metrics").has("mrr")).isTrue();
        assertThat(n.path("backend").asText()).isEqualTo("djl");
        assertThat(n.path("perUser").path("users").size())
                .isEqualTo(n.path("usersEvaluated").asInt())
                .isPositive();
    }

    @Test
    @Order(3)
    void baselinesAndThePairedComparisonWork() throws IOException {
        Path pop = dir.resolve("pop.json");
        Path markov = dir.resolve("markov.json");
        assertThat(run("evaluate", "--data", DATA, "--baseline", "popular", "--json", pop.toString())
                        .code())
                .isZero();
        assertThat(run("evaluate", "--data", DATA, "--baseline", "markov", "--json", markov.toString())
                        .code())
                .isZero();
        Run cmp = run("evaluate", "--compare", pop.toString(), markov.toString());
        assertThat(cmp.code()).as(cmp.err()).isZero();
        assertThat(cmp.out()).contains("ndcg@10");
    }

    @Test
    @Order(4)
    void recommendPrintsJsonWithItemsScoresAndTitles() throws IOException {
        Run r = run(
                "recommend",
                "--model",
                dir.resolve("model").toString(),
                "--data",
                DATA,
                "--user",
                "1",
                "-k",
                "3",
                "--json",
                "--backend",
                "djl");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.size()).isEqualTo(3);
        assertThat(n.get(0).has("item")).isTrue();
        assertThat(n.get(0).get("score").isNumber()).isTrue();
        assertThat(n.get(0).get("title").asText()).isNotBlank();
        assertThat(n.get(0).get("score").asDouble())
                .isGreaterThanOrEqualTo(n.get(1).get("score").asDouble());
    }

    @Test
    void unknownBackendIsOneLineAndExitCodeTwo() {
        Run r = run("evaluate", "--data", DATA, "--model", dir.resolve("model").toString(), "--backend", "tensorflow");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("unknown backend 'tensorflow'").contains("djl");
    }

    @Test
    void missingDataFileIsExitCodeTwo() {
        Path out = dir.resolve("never");
        Run r = run("train", "--data", "sasrec:" + dir.resolve("nope.txt"), "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not found").contains("nope.txt");
        assertThat(out).doesNotExist();
    }

    @Test
    void malformedLineNamesFileAndLine() throws IOException {
        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "1 1\n1 2\n1 x\n");
        Run r = run("data", "stats", "--data", "sasrec:" + bad);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad.txt:3");
    }

    @Test
    void unknownConfigKeyIsRejectedWithItsName() throws IOException {
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "model:\n  dim: 16\n  dimm: 3\n");
        Path out = dir.resolve("never2");
        Run r = run("train", "--data", DATA, "--config", cfg.toString(), "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown config key 'model.dimm'").contains("c.yaml");
        assertThat(out).doesNotExist();
    }

    @Test
    void corruptModelFolderIsExitCodeTwo() throws IOException {
        Path m = dir.resolve("corrupt");
        Files.createDirectories(m);
        Files.copy(dir.resolve("model/model.json"), m.resolve("model.json"));
        byte[] w = Files.readAllBytes(dir.resolve("model/weights.safetensors"));
        Files.write(m.resolve("weights.safetensors"), java.util.Arrays.copyOf(w, w.length - 1));
        Run r = run("recommend", "--model", m.toString(), "--history", "1,2", "--backend", "djl");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("truncated");
    }

    @Test
    void modelFromANewerVersionIsRefused() throws IOException {
        Path m = dir.resolve("newer");
        Files.createDirectories(m);
        Files.writeString(
                m.resolve("model.json"),
                Files.readString(dir.resolve("model/model.json"))
                        .replace("\"formatVersion\": 1", "\"formatVersion\": 99"));
        Files.copy(dir.resolve("model/weights.safetensors"), m.resolve("weights.safetensors"));
        Run r = run("recommend", "--model", m.toString(), "--history", "1,2", "--backend", "djl");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("newer");
    }

    @Test
    void fineTuningOnHardNegativesTrainsAndIsRefusedInPretraining() {
        Path out = dir.resolve("hard");
        Run r = run(concat(
                new String[] {"train", "--data", DATA, "--out", out.toString(), "--backend", "djl"},
                concat(TINY, "--set", "finetune.hardNegatives=20", "--set", "finetune.negatives=4")));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("test:").contains("saved");
        assertThat(out.resolve("weights.safetensors")).exists();
        Path never = dir.resolve("never-hard");
        Run bad = run(concat(
                new String[] {"train", "--data", DATA, "--out", never.toString(), "--backend", "djl"},
                concat(TINY, "--set", "pretrain.hardNegatives=20")));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("pretrain.hardNegatives").contains("fine-tuning only");
        assertThat(never).doesNotExist();
    }

    @Test
    void itemIdDropoutTrainsAContentModelAndIsRefusedWithoutContent() {
        Path out = dir.resolve("id-dropout");
        Run r = run(concat(
                new String[] {"train", "--data", DATA, "--out", out.toString(), "--backend", "djl"},
                concat(TINY, "--set", "pretrain.idDropout=0.5", "--set", "finetune.epochs=0")));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"idDropout\":0.5").contains("test:").contains("saved");
        Path never = dir.resolve("never-id-dropout");
        Run bad = run(concat(
                new String[] {"train", "--data", DATA, "--out", never.toString(), "--backend", "djl"},
                concat(TINY, "--set", "model.useContent=false", "--set", "pretrain.idDropout=0.5")));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("pretrain.idDropout").contains("needs a content model with item ids");
        assertThat(never).doesNotExist();
    }

    @Test
    void initFromStartsAContentModelFromAnIdsOnlyOne() {
        Path ids = dir.resolve("ids-only");
        Run r = run(concat(
                new String[] {"train", "--data", DATA, "--out", ids.toString(), "--backend", "djl"},
                concat(TINY, "--set", "model.useContent=false", "--set", "finetune.epochs=0")));
        assertThat(r.code()).as(r.err()).isZero();
        Path warm = dir.resolve("warm");
        Run w = run(concat(
                new String[] {
                    "train", "--data", DATA, "--out", warm.toString(), "--backend", "djl", "--init-from", ids.toString()
                },
                TINY));
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(w.out())
                .contains("started from")
                .contains("content output at zero (content_encoder.final_norm.weight")
                .contains("test:");
        Path never = dir.resolve("never-warm");
        Run bad = run(concat(
                new String[] {
                    "train",
                    "--data",
                    DATA,
                    "--out",
                    never.toString(),
                    "--backend",
                    "djl",
                    "--init-from",
                    ids.toString()
                },
                concat(TINY, "--set", "model.dim=8", "--set", "model.ffnDim=8")));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("cannot start from").contains("dim 16, the target 8");
        assertThat(never).doesNotExist();
    }

    @Test
    void configPrintsTheMergedConfig() {
        Run r = run("config", "--set", "pretrain.epochs=7");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("\"epochs\" : 7");
    }

    @Test
    void helpWorksOnEveryCommand() {
        for (String c :
                new String[] {"quickstart", "train", "evaluate", "recommend", "data", "config", "compare", "bench"}) {
            java.io.ByteArrayOutputStream picocliWarnings = new java.io.ByteArrayOutputStream();
            java.io.PrintStream saved = System.err;
            System.setErr(new java.io.PrintStream(picocliWarnings, true));
            Run r;
            try {
                r = run(c, "--help");
            } finally {
                System.setErr(saved);
            }
            assertThat(r.code()).as(c).isZero();
            assertThat(r.out()).as(c).contains("Usage:");
            assertThat(picocliWarnings.toString())
                    .as(c + " help must format cleanly")
                    .doesNotContain("WARN");
        }
    }
}
