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
        ModelConfig c = ModelConfig.builder().numItems(ITEMS).dim(16).heads(2).layers(1).ffnDim(16).maxLen(10).build();
        Weights w = Initializer.init(c, 5L);
        List<String> ids = new ArrayList<>();
        ids.add("");
        for (int i = 1; i <= ITEMS; i++) {
            ids.add("item-" + i);
        }
        model = dir.resolve("model");
        Checkpoint.write(model, new CheckpointData(c, w, null, null, ids, Map.of("rerank", "5"),
                Provenance.capture(Map.of(), "test", 5L, "djl", "test")));
    }

    static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheSameTopItemsAsTheLibraryOverLoopback() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Recommendation> expected;
        try (Backend b = Backends.create("djl", BackendOptions.defaults());
             RecModel m = b.create(Checkpoint.read(model).config(), null, Checkpoint.read(model).weights(), 0L)) {
            expected = new Recommender(m, 5).recommend(new int[] {3, 7, 7, 12}, 4);
        }
        URI base;
        try (ServeRecommendationsExample s = ServeRecommendationsExample.start(model, "djl", 0)) {
            base = s.uri();
            assertThat(base.getHost()).isEqualTo("127.0.0.1");
            assertThat(s.port()).isPositive();

            HttpResponse<String> r = get(http, base.resolve("/recommend?history=item-3,item-7,item-7,item-12&k=4"));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            JsonNode items = new ObjectMapper().readTree(r.body()).get("items");
            assertThat(items.size()).isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                assertThat(items.get(i).get("item").asText()).isEqualTo("item-" + expected.get(i).item());
                assertThat(items.get(i).get("score").floatValue()).isEqualTo(expected.get(i).score());
            }
            List<String> got = new ArrayList<>();
            items.forEach(n -> got.add(n.get("item").asText()));
            assertThat(got).doesNotContain("item-3", "item-7", "item-12");

            HttpResponse<String> health = get(http, base.resolve("/health"));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(health.body()).get("items").asInt()).isEqualTo(ITEMS);
        }
        // closed: nothing listens on the port any more
        URI gone = base.resolve("/health");
        assertThatThrownBy(() -> get(http, gone)).isInstanceOf(IOException.class);
    }

    @Test
    void badRequestsGetStatus400WithTheReason() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (ServeRecommendationsExample s = ServeRecommendationsExample.start(model, "djl", 0)) {
            HttpResponse<String> unknown = get(http, s.uri().resolve("/recommend?history=item-3,nope&k=3"));
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(unknown.body()).contains("unknown item 'nope'");
            HttpResponse<String> badK = get(http, s.uri().resolve("/recommend?history=item-3&k=0"));
            assertThat(badK.statusCode()).isEqualTo(400);
            assertThat(badK.body()).contains("k must be in 1..");
            HttpResponse<String> noHistory = get(http, s.uri().resolve("/recommend?k=3"));
            assertThat(noHistory.statusCode()).isEqualTo(400);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(s.uri().resolve("/recommend?history=item-3"))
                    .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void queryStringsAreDecoded() {
        assertThat(ServeRecommendationsExample.query("history=a%2Cb,c&k=3&flag")).containsExactly(
                Map.entry("history", "a,b,c"), Map.entry("k", "3"), Map.entry("flag", ""));
    }
}
