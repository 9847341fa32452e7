package dev.recsys.examples.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.eval.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainOnCsvExampleTest {
    @TempDir
    Path dir;

    @Test
    void trainsOnACsvLogAndSavesAModelThatRecommendsTheSameAfterReloading() throws Exception {
        Path csv = TinyData.csv(dir);
        Path model = dir.resolve("model");
        TrainOnCsvExample.Outcome o =
                TrainOnCsvExample.run(csv, model, new TrainOnCsvExample.Settings("djl", 16, 12, 3, 32, 42L));

        Dataset original = TinyData.synthetic();
        Dataset read = o.data();
        assertThat(read.numUsers()).isEqualTo(original.numUsers());
        assertThat(read.numInteractions()).isEqualTo(original.numInteractions());
        // rows were written newest first: the reader ordered user u1's items by time again
        int[] h = read.history(read.userIds().get("u1"));
        String[] external =
                Arrays.stream(h).mapToObj(i -> read.itemIds().external(i)).toArray(String[]::new);
        assertThat(external)
                .containsExactly(Arrays.stream(original.history(1))
                        .mapToObj(i -> "m" + i)
                        .toArray(String[]::new));

        // leave-one-out: every user with 3+ items has a test item
        long withTest = java.util.stream.IntStream.rangeClosed(1, original.numUsers())
                .filter(u -> original.length(u) >= 3)
                .count();
        assertThat(o.test().usersEvaluated()).isEqualTo((int) withTest);
        assertThat(o.test().metric("ndcg@10")).isBetween(0.0, 1.0);
        assertThat(o.training().epochs()).isEqualTo(3);
        assertThat(o.training().bestEpoch()).isBetween(1, 3);

        // the recommendations are unseen catalogue items, best first
        List<Recommendation> top = o.firstUserTop();
        assertThat(top).hasSize(5);
        assertThat(top)
                .extracting(Recommendation::item)
                .doesNotContainAnyElementsOf(
                        Arrays.stream(read.history(1)).boxed().toList());
        for (int i = 1; i < top.size(); i++) {
            assertThat(top.get(i).score()).isLessThanOrEqualTo(top.get(i - 1).score());
        }

        // the checkpoint holds the selected weights and the external ids: a fresh model gives the same top 5
        CheckpointData cd = Checkpoint.read(model);
        assertThat(cd.itemIds()).hasSize(read.numItems() + 1);
        assertThat(cd.itemIds().get(top.get(0).item()))
                .isEqualTo(read.itemIds().external(top.get(0).item()));
        try (Backend b = Backends.create("djl", BackendOptions.defaults());
                RecModel m = b.create(cd.config(), null, cd.weights(), 0L)) {
            List<Recommendation> again = new Recommender(m, 0).recommend(read.history(1), 5);
            assertThat(again)
                    .extracting(Recommendation::item)
                    .containsExactlyElementsOf(
                            top.stream().map(Recommendation::item).toList());
            for (int i = 0; i < top.size(); i++) {
                assertThat(again.get(i).score()).isCloseTo(top.get(i).score(), within(1e-5f));
            }
        }
    }

    @Test
    void mainPrintsTheTestResultAndTheTopItems() throws Exception {
        Path csv = TinyData.csv(dir);
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            TrainOnCsvExample.main(
                    new String[] {csv.toString(), dir.resolve("m2").toString(), "1"});
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .contains("trained 1 epochs")
                .contains("test: log.csv")
                .contains("ndcg@10=")
                .contains("saved");
        assertThat(out.lines().filter(l -> l.matches("\\s+m\\d+\\s+-?[0-9.E-]+")))
                .hasSize(5);
        assertThat(dir.resolve("m2/model.json")).exists();
    }
}
