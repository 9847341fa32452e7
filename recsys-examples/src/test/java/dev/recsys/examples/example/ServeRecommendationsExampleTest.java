package dev.recsys.examples.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.io.Provenance;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.serve.RecsysServer;
import dev.recsys.serve.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeRecommendationsExampleTest {
    static final int ITEMS = 30;

    @TempDir
    static Path dir;

    static Path model;

    /** A checkpoint with seeded weights and text item ids "item-1".."item-30". */
    @BeforeAll
    static void writeCheckpoint() throws IOException {
        ModelConfig c = ModelConfig.builder()
                .numItems(ITEMS)
                .dim(16)
                .heads(2)
                .layers(1)
                .ffnDim(16)
                .maxLen(10)
                .build();
        Weights w = Initializer.init(c, 5L);
        List<String> ids = new ArrayList<>();
        ids.add("");
        for (int i = 1; i <= ITEMS; i++) {
            ids.add("item-" + i);
        }
        model = dir.resolve("model");
        Checkpoint.write(
                model,
                new CheckpointData(
                        c,
                        w,
                        null,
                        null,
                        ids,
                        Map.of("rerank", "5"),
                        Provenance.capture(Map.of(), "test", 5L, "djl", "test")));
    }

    @Test
    void theLibraryServerAnswersAsTheRecommenderOverLoopback() throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (Backend b = Backends.create("djl", BackendOptions.defaults())) {
            List<Recommendation> expected;
            try (RecModel m = b.create(
                    Checkpoint.read(model).config(),
                    null,
                    Checkpoint.read(model).weights(),
                    0L)) {
                expected = new Recommender(m, 5).recommend(new int[] {3, 7, 7, 12}, 4);
            }
            URI base;
            try (RecsysServer s = RecsysServer.start(
                    model, b, null, ServerConfig.builder().port(0).build())) {
                base = s.uri();
                assertThat(base.getHost()).isEqualTo("127.0.0.1");
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(base.resolve("/v1/recommend"))
                                .timeout(Duration.ofSeconds(20))
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"history\": [\"item-3\", \"item-7\", \"item-7\", \"item-12\"], \"k\": 4}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode items = new ObjectMapper().readTree(r.body()).get("items");
                assertThat(items.size()).isEqualTo(4);
                for (int i = 0; i < 4; i++) {
                    assertThat(items.get(i).get("item").asText())
                            .isEqualTo("item-" + expected.get(i).item());
                    assertThat(items.get(i).get("score").floatValue())
                            .isEqualTo(expected.get(i).score());
                }
            }
            // closed: nothing listens on the port any more
            URI gone = base.resolve("/health");
            assertThatThrownBy(() -> http.send(
                            HttpRequest.newBuilder(gone)
                                    .timeout(Duration.ofSeconds(20))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
    }
}
