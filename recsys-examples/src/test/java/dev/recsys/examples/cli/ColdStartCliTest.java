package dev.recsys.examples.cli;

import static dev.recsys.examples.cli.CliTest.DATA;
import static dev.recsys.examples.cli.CliTest.TINY;
import static dev.recsys.examples.cli.CliTest.concat;
import static dev.recsys.examples.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.examples.cli.CliTest.Run;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cold-start items protocol on the command line (issue 15): groups, baselines, refusals. */
class ColdStartCliTest {
    @TempDir
    static Path dir;

    private static JsonNode evaluate(String name, String... args) throws IOException {
        Path json = dir.resolve(name + ".json");
        Run r = run(concat(concat(new String[] {"evaluate", "--data", DATA}, args), "--json", json.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("warm (").contains("cold (").contains("all (");
        return new ObjectMapper().readTree(json.toFile());
    }

    /** A tiny content model trained under 20 % cold items (seed 42) into {@code model}. */
    private static Run trainColdModel(Path model) {
        Run train = run(concat(
                new String[] {
                    "train", "--data", DATA, "--out", model.toString(), "--backend", "djl", "--cold-items", "0.2"
                },
                TINY));
        assertThat(train.code()).as(train.err()).isZero();
        return train;
    }

    @Test
    void resultsReportWarmColdAndAllUsersWithTheColdList() throws IOException {
        JsonNode pop = evaluate("pop", "--baseline", "mostpop", "--cold-items", "0.2");
        assertThat(pop.path("coldItems").path("count").asInt()).isEqualTo(12); // 20 % of 60 items
        assertThat(pop.path("coldItems").path("rule").asText()).isEqualTo("random:0.2");
        int warm = pop.path("groups").path("warm").path("usersEvaluated").asInt();
        int cold = pop.path("groups").path("cold").path("usersEvaluated").asInt();
        assertThat(cold).isPositive();
        assertThat(warm + cold).isEqualTo(pop.path("usersEvaluated").asInt());
        // cold items have no training interaction: most-popular ranks them below every seen item (ties pessimistic)
        assertThat(pop.path("groups")
                        .path("cold")
                        .path("metrics")
                        .path("ndcg@10")
                        .asDouble())
                .isZero();
        assertThat(pop.path("groups").path("cold").path("perUser").path("users").size())
                .isEqualTo(cold);

        JsonNode knn = evaluate("knn", "--baseline", "contentknn", "--cold-items", "0.2");
        assertThat(knn.path("coldItems")).isEqualTo(pop.path("coldItems"));
        assertThat(knn.path("groups")
                        .path("cold")
                        .path("metrics")
                        .path("ndcg@10")
                        .asDouble())
                .isPositive();

        Run cmp = run(
                "evaluate",
                "--compare",
                dir.resolve("knn.json").toString(),
                dir.resolve("pop.json").toString(),
                "--group",
                "cold");
        assertThat(cmp.code()).as(cmp.err()).isZero();
        assertThat(cmp.out()).contains("p=").contains("n=" + cold);
    }

    @Test
    void anotherColdListIsNotComparedAndAModelNeedsItsOwnList() throws IOException {
        evaluate("s1", "--baseline", "mostpop", "--cold-items", "0.2", "--seed", "1");
        evaluate("s2", "--baseline", "mostpop", "--cold-items", "0.2", "--seed", "2");
        Run cmp = run(
                "evaluate",
                "--compare",
                dir.resolve("s1.json").toString(),
                dir.resolve("s2.json").toString());
        assertThat(cmp.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(cmp.err())
                .contains("different cold items")
                .contains("random:0.2 seed 1")
                .contains("random:0.2 seed 2");

        Path model = dir.resolve("cold-model");
        Run train = trainColdModel(model);
        assertThat(train.out()).contains("cold items: 12 of 60").contains("users with a cold target");
        Run without = run("evaluate", "--data", DATA, "--model", model.toString(), "--backend", "djl");
        assertThat(without.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(without.err()).contains("was trained with cold items random:0.2 seed 42");
        Run with =
                run("evaluate", "--data", DATA, "--model", model.toString(), "--backend", "djl", "--cold-items", "0.2");
        assertThat(with.code()).as(with.err()).isZero();

        Run bad = run("evaluate", "--data", DATA, "--baseline", "mostpop", "--cold-items", "1.5");
        assertThat(bad.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(bad.err()).contains("--cold-items 1.5").contains("(0, 1)");
    }

    @Test
    void aNewItemBoostRaisesColdItemsAboveTheTrainedOnes() throws IOException {
        Path model = dir.resolve("boost-model");
        trainColdModel(model);
        String[] m = {"--model", model.toString(), "--backend", "djl", "--cold-items", "0.2"};
        JsonNode plain = evaluate("boost0", m);
        JsonNode big = evaluate("boost-big", concat(m, "--new-item-boost", "1000"));
        assertThat(big.path("model").asText()).contains("new-item boost 1000");
        // 12 cold items, never in a history, all above every trained item: a warm target is never in the top 10,
        // a cold one always in the top 12
        assertThat(big.at("/groups/warm/metrics/recall@10").asDouble()).isZero();
        assertThat(big.at("/groups/cold/metrics/recall@20").asDouble()).isEqualTo(1.0);
        assertThat(plain.at("/groups/cold/metrics/recall@20").asDouble()).isLessThan(1.0);
        assertThat(plain.at("/groups/warm/metrics/recall@10").asDouble()).isPositive();

        Run baseline = run("evaluate", "--data", DATA, "--baseline", "mostpop", "--new-item-boost", "1");
        assertThat(baseline.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(baseline.err()).contains("--new-item-boost applies to --model only");
        Run nan = run(concat(new String[] {"evaluate", "--data", DATA}, concat(m, "--new-item-boost", "NaN")));
        assertThat(nan.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(nan.err()).contains("new-item boost must be a finite number");
    }
}
