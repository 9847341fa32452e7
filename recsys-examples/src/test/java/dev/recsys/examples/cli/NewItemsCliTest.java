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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recsys recommend --items FILE [--replace]}: new catalogue entries without retraining (issue 15). */
class NewItemsCliTest {
    @TempDir
    static Path dir;

    static Path content;
    static Path idsOnly;

    @BeforeAll
    static void train() {
        content = dir.resolve("content");
        idsOnly = dir.resolve("ids");
        Run a = run(
                concat(new String[] {"train", "--data", DATA, "--out", content.toString(), "--backend", "djl"}, TINY));
        assertThat(a.code()).as(a.err()).isZero();
        Run b = run(concat(
                new String[] {"train", "--data", DATA, "--out", idsOnly.toString(), "--backend", "djl"},
                concat(TINY, "--set", "model.useContent=false")));
        assertThat(b.code()).as(b.err()).isZero();
    }

    private static Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.ISO_8859_1);
    }

    /** {@code recommend} for user 1 of the tiny data with the content model, plus {@code extra}. */
    private static Run recommend(String... extra) {
        return run(concat(
                new String[] {"recommend", "--model", content.toString(), "--data", DATA, "--user", "1"},
                concat(extra, "--backend", "djl")));
    }

    /** Every item ranked for user 1, stage 1 only, as JSON. */
    private static JsonNode recommendAll(String... extra) throws IOException {
        Run r = recommend(concat(new String[] {"-k", "100", "--include-seen", "--rerank", "0", "--json"}, extra));
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void newItemsAreRankedWithTheirTitlesMarkedNewAndExistingItemsKeepTheirScores() throws IOException {
        Path items = file(
                "new.dat",
                "9001::Galaxy Orbit Returns (2003)::Sci-Fi\n9002::Wedding Party Again (2004)::Comedy|Romance\n");
        JsonNode before = recommendAll();
        JsonNode after = recommendAll("--items", items.toString());
        assertThat(before.size()).isEqualTo(60);
        assertThat(after.size()).isEqualTo(62);
        Map<String, Double> old = new HashMap<>();
        before.forEach(n -> old.put(n.get("item").asText(), n.get("score").asDouble()));
        int news = 0;
        for (JsonNode n : after) {
            String id = n.get("item").asText();
            if (n.get("new").asBoolean()) {
                news++;
                assertThat(id).isIn("9001", "9002");
                assertThat(n.get("title").asText())
                        .isEqualTo(id.equals("9001") ? "Galaxy Orbit Returns (2003)" : "Wedding Party Again (2004)");
            } else {
                assertThat(n.get("score").asDouble()).as("score of item %s", id).isEqualTo(old.get(id));
                assertThat(n.get("title").asText()).isNotBlank();
            }
        }
        assertThat(news).isEqualTo(2);

        Run table = recommend("-k", "62", "--items", items.toString());
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out()).containsPattern("9001 +-?\\d+\\.\\d{4} +Galaxy Orbit Returns \\(2003\\)  \\[new\\]");
        assertThat(table.err()).contains("recsys: added 2 new items from " + items + " (catalogue 60 -> 62 items)");
    }

    @Test
    void anIdAlreadyInTheCatalogueNeedsReplaceWhichChangesOnlyThatItem() throws IOException {
        Path again = file("again.dat", "5::Wedding Party Again (2004)::Comedy|Romance\n");
        List<String> before = modelFiles();
        Run refused = run(
                "recommend",
                "--model",
                content.toString(),
                "--history",
                "1,2",
                "--items",
                again.toString(),
                "--backend",
                "djl");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err().strip())
                .isEqualTo("recsys: error: " + again + ":1: item '5': the id is already in the model's catalogue"
                        + " (dense id 5); give a new id, or replace the item's content explicitly (recsys recommend"
                        + " --replace)");
        JsonNode plain = recommendAll();
        JsonNode replaced = recommendAll("--items", again.toString(), "--replace");
        assertThat(replaced.size()).isEqualTo(60);
        for (int i = 0; i < plain.size(); i++) {
            String id = plain.get(i).get("item").asText();
            JsonNode other = find(replaced, id);
            assertThat(other.get("new").asBoolean()).isFalse();
            if (id.equals("5")) {
                assertThat(other.get("title").asText()).isEqualTo("Wedding Party Again (2004)");
            }
        }
        assertThat(modelFiles()).as("nothing written").isEqualTo(before);
    }

    private static JsonNode find(JsonNode rows, String id) {
        for (JsonNode n : rows) {
            if (n.get("item").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("item " + id + " is missing");
    }

    private static List<String> modelFiles() throws IOException {
        try (Stream<Path> s = Files.list(content)) {
            return s.map(p -> {
                        try {
                            return p.getFileName() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .sorted()
                    .toList();
        }
    }

    @Test
    void badItemFilesAndIdsOnlyModelsAreOneLineWithExitCodeTwo() throws IOException {
        Path malformed = file("bad.dat", "9001::Fine (2003)::Drama\n9002 Broken line\n");
        Path empty = Files.writeString(dir.resolve("empty.csv"), "id,title\n9003,!!!\n", StandardCharsets.UTF_8);
        Path good = file("good.dat", "9001::Fine (2003)::Drama\n");
        List<String> before = modelFiles();
        record Case(Path model, Path items, String message) {}
        for (Case c : List.of(
                new Case(content, malformed, malformed + ":2: expected at least 3 fields (MovieID::Title::Genres)"),
                new Case(content, empty, empty + ":2: item '9003': no content tokens"),
                new Case(idsOnly, good, "adding items needs a content model: this model has no item content"))) {
            Run r = run(
                    "recommend",
                    "--model",
                    c.model().toString(),
                    "--history",
                    "1,2",
                    "--items",
                    c.items().toString(),
                    "--backend",
                    "djl");
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err().strip())
                    .startsWith("recsys: error: " + c.message())
                    .doesNotContain("\n");
            assertThat(r.out()).isEmpty();
        }
        Run replaceAlone = run("recommend", "--model", content.toString(), "--history", "1,2", "--replace");
        assertThat(replaceAlone.code()).isEqualTo(2);
        assertThat(replaceAlone.err()).contains("--replace only applies with --items FILE");
        assertThat(modelFiles()).as("nothing written").isEqualTo(before);
    }
}
