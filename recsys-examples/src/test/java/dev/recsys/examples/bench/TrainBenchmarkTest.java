package dev.recsys.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.api.config.Batching;
import dev.recsys.eval.data.Dataset;
import dev.recsys.examples.TinyRun;
import dev.recsys.examples.cli.Main;
import dev.recsys.examples.workflow.DataSource;
import dev.recsys.examples.workflow.ExperimentConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void benchTrainTimesTheTrainersStepsAndCountsEverySequence() throws IOException {
        Path json = dir.resolve("train.json");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(
                new String[] {
                    "bench",
                    "train",
                    "--recipe",
                    "sasrec+",
                    "--data",
                    TinyRun.DATA,
                    "--backend",
                    "djl",
                    "--warmup",
                    "2",
                    "--steps",
                    "4",
                    "--batching",
                    "length",
                    "--set",
                    "model.dim=8",
                    "--set",
                    "model.ffnDim=8",
                    "--set",
                    "pretrain.batchSize=16",
                    "--json",
                    json.toString()
                },
                new PrintWriter(o, true),
                new PrintWriter(e, true));
        assertThat(code).as(e.toString()).isZero();
        assertThat(o.toString()).contains("bench train: sasrec+ djl 1t length |");
        JsonNode n = new ObjectMapper().readTree(json.toFile());
        JsonNode m = n.path("metrics");
        // 80 users with 2+ training items, batches of 16: every timed step is a full batch
        assertThat(m.path("train.sequences").asLong()).isEqualTo(4 * 16);
        assertThat(n.path("batchSizes")).hasSize(4).allMatch(b -> b.asInt() == 16);
        double[] steps = new double[4];
        for (int i = 0; i < 4; i++) {
            steps[i] = n.path("stepMs").get(i).asDouble();
            assertThat(steps[i]).isPositive();
            assertThat(n.path("threadCpuMs").get(i).asDouble()).isPositive();
        }
        assertThat(m.path("train.medianStepMs").asDouble())
                .isEqualTo(dev.recsys.examples.compare.Measure.median(steps));
        assertThat(m.path("train.meanSequencesPerSecond").asDouble())
                .isCloseTo(64 / (Arrays.stream(steps).sum() / 1e3), org.assertj.core.api.Assertions.within(1e-6));
        // the wall window holds the four steps (and the batches waited for between them)
        double wallSeconds = 64 / m.path("train.wallSequencesPerSecond").asDouble();
        assertThat(wallSeconds * 1e3)
                .isGreaterThanOrEqualTo(Arrays.stream(steps).sum() * 0.999);
        assertThat(m.path("train.processCpuSeconds").asDouble()).isPositive();
        assertThat(m.path("memory.peakRssMiB").asDouble()).isGreaterThan(0);
        // the recipe on top of recsys train's defaults: 3,000 unseen negatives, or every other item of 60
        assertThat(n.path("loss").asText()).isEqualTo("sampled-softmax");
        assertThat(n.path("negatives").asInt()).isEqualTo(59);
        assertThat(n.path("batching").asText()).isEqualTo("length");
        assertThat(n.path("config").asText())
                .contains("\"sampling\":\"unseen\"")
                .contains("\"dim\":8");
        assertThat(n.path("dataFingerprint").asText()).hasSize(64);
    }

    @Test
    void recipesPutTheirLossOnTopOfTheDefaultsOfRecsysTrain() {
        Dataset d = DataSource.load(TinyRun.DATA, null, null);
        ExperimentConfig bce = config(d, TrainBenchmark.Recipe.BCE);
        assertThat(bce.pretrain().loss()).isEqualTo("bce");
        assertThat(bce.pretrain().negatives()).isEqualTo(1);
        ExperimentConfig s256 = config(d, TrainBenchmark.Recipe.SAMPLED256);
        assertThat(s256.pretrain().loss()).isEqualTo("sampled-softmax");
        assertThat(s256.pretrain().negatives()).isEqualTo(256);
        assertThat(s256.pretrain().sampling()).isEqualTo(dev.recsys.api.config.Sampling.UNIFORM);
        assertThat(s256.pretrain().logQ()).isFalse();
        assertThat(config(d, TrainBenchmark.Recipe.SOFTMAX).pretrain().loss()).isEqualTo("softmax");
        ExperimentConfig plus = config(d, TrainBenchmark.Recipe.SASREC_PLUS);
        assertThat(plus.pretrain().sampling()).isEqualTo(dev.recsys.api.config.Sampling.UNSEEN);
        // validation off, enough epochs for the steps, the rest as recsys train without --config
        assertThat(plus.pretrain().evalEvery()).isZero();
        assertThat(plus.pretrain().epochs()).isEqualTo(3 + 5 + 1);
        assertThat(plus.model().dropout()).isEqualTo(0.1f);
        assertThat(TrainBenchmark.Recipe.of("SASRec+")).isEqualTo(TrainBenchmark.Recipe.SASREC_PLUS);
        assertThatThrownBy(() -> TrainBenchmark.Recipe.of("bpr"))
                .hasMessage("unknown recipe 'bpr'; known: [bce, sampled256, sasrec+, softmax]");
    }

    @Test
    void badRecipeOrBatchingIsExitCodeTwoWithoutAResultFile() {
        Path json = dir.resolve("never.json");
        for (String[] bad :
                List.of(new String[] {"--recipe", "nope"}, new String[] {"--recipe", "bce", "--batching", "sorted"})) {
            StringWriter e = new StringWriter();
            String[] args = new String[bad.length + 6];
            args[0] = "bench";
            args[1] = "train";
            System.arraycopy(bad, 0, args, 2, bad.length);
            System.arraycopy(
                    new String[] {"--data", TinyRun.DATA, "--json", json.toString()}, 0, args, 2 + bad.length, 4);
            int code = Main.run(args, new PrintWriter(new StringWriter(), true), new PrintWriter(e, true));
            assertThat(code).isEqualTo(2);
            assertThat(e.toString()).containsAnyOf("unknown recipe 'nope'", "--batching must be random or length");
        }
        assertThat(json).doesNotExist();
    }

    private static ExperimentConfig config(Dataset d, TrainBenchmark.Recipe r) {
        return TrainBenchmark.config(
                d, new TrainBenchmark.Options(TinyRun.DATA, r, "djl", 1, null, 3, 5, Batching.RANDOM, List.of()));
    }
}
