package dev.recsys.serve;

import static dev.recsys.serve.Fixtures.get;
import static dev.recsys.serve.Fixtures.itemId;
import static dev.recsys.serve.Fixtures.post;
import static dev.recsys.serve.Fixtures.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON API end to end on loopback, on a tiny model with the DJL backend. */
@Timeout(120)
class ServerApiTest {
    @TempDir
    static Path dir;

    static Backend backend;
    static RecsysServer server;
    static URI base;
    static RecModel direct;

    @BeforeAll
    static void start() throws IOException {
        Path model = Fixtures.checkpoint(dir.resolve("model"), 1);
        backend = Backends.create("djl", BackendOptions.defaults());
        server = RecsysServer.start(
                model,
                backend,
                Fixtures.dataset(),
                ServerConfig.builder()
                        .port(0)
                        .maxBodyBytes(4096)
                        .maxK(20)
                        .apiKey("s3cret")
                        .build());
        base = server.uri();
        var cd = Checkpoint.read(model);
        direct = backend.create(cd.config(), cd.content(), cd.weights(), 0);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (direct != null) {
            direct.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    static List<String> items(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.path("items").forEach(x -> out.add(x.path("item").asText()));
        return out;
    }

    @Test
    void recommendForAHistoryMatchesTheLibraryWithTitlesAndNoSeenItems() throws Exception {
        Fixtures.Reply r = post(base, "/v1/recommend", "{\"history\": [\"101\", \"105\", 107], \"k\": 5}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("application/json");
        JsonNode n = r.json();
        assertThat(n.path("model").asText()).isEqualTo(server.modelVersion()).startsWith("model@");
        List<String> got = items(n);
        assertThat(got).hasSize(5).doesNotContain("101", "105", "107");
        List<Recommendation> want = new Recommender(direct, 10).recommend(new int[] {1, 5, 7}, 5);
        assertThat(got)
                .containsExactlyElementsOf(
                        want.stream().map(x -> itemId(x.item())).toList());
        for (int i = 0; i < 5; i++) {
            JsonNode row = n.path("items").get(i);
            assertThat(row.path("score").floatValue())
                    .isCloseTo(want.get(i).score(), org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(row.path("title").asText())
                    .isEqualTo("Title " + row.path("item").asText());
        }
    }

    @Test
    void explainGivesTheAttentionOfTheReferenceForwardPassOverTheHistory() throws Exception {
        JsonNode n = post(
                        base,
                        "/v1/recommend",
                        "{\"history\": [\"101\", \"105\", \"107\", \"105\"], \"k\": 3, " + "\"explain\": true}")
                .json();
        var cd = Checkpoint.read(dir.resolve("model"));
        var ref = new dev.recsys.api.reference.ReferenceModel(cd.config(), cd.content(), cd.weights());
        int[] recommended = new int[3];
        for (int i = 0; i < 3; i++) {
            recommended[i] =
                    Integer.parseInt(n.path("items").get(i).path("item").asText()) - 100;
        }
        double[] w = ref.explain(new dev.recsys.api.data.SeqBatch(1, 4, new int[] {1, 5, 7, 5}, null), recommended)
                .history();
        // item 105 appears twice: its weight is the sum of both positions; the list is by weight
        java.util.Map<String, Double> want = java.util.Map.of("101", w[0], "105", w[1] + w[3], "107", w[2]);
        for (JsonNode row : n.path("items")) {
            JsonNode why = row.path("why");
            assertThat(why.has("tokens")).as("an id-only model has no tokens").isFalse();
            List<String> order = new ArrayList<>();
            double last = Double.MAX_VALUE;
            for (JsonNode h : why.path("history")) {
                String id = h.path("item").asText();
                order.add(id);
                assertThat(h.path("weight").asDouble())
                        .isCloseTo(want.get(id), within(1e-4))
                        .isLessThanOrEqualTo(last);
                assertThat(h.path("title").asText()).isEqualTo("Title " + id);
                last = h.path("weight").asDouble();
            }
            assertThat(order).containsExactlyInAnyOrder("101", "105", "107");
        }
        assertThat(post(base, "/v1/recommend", "{\"history\": [\"101\"]}")
                        .json()
                        .path("items")
                        .get(0)
                        .has("why"))
                .as("no why unless asked")
                .isFalse();
    }

    @Test
    void explainOnAContentModelNamesTheItemsTokens(@TempDir Path tmp) throws Exception {
        Path model = Fixtures.contentCheckpoint(tmp.resolve("content"), 3);
        try (RecsysServer s = RecsysServer.start(
                model,
                backend,
                Fixtures.dataset(),
                ServerConfig.builder().port(0).build())) {
            JsonNode n = post(
                            s.uri(), "/v1/recommend", "{\"history\": [\"101\", \"102\"], \"k\": 4, \"explain\": true}")
                    .json();
            var cd = Checkpoint.read(model);
            var ref = new dev.recsys.api.reference.ReferenceModel(cd.config(), cd.content(), cd.weights());
            for (JsonNode row : n.path("items")) {
                int item = Integer.parseInt(row.path("item").asText()) - 100;
                double[] t = ref.explain(
                                new dev.recsys.api.data.SeqBatch(1, 2, new int[] {1, 2}, null), new int[] {item})
                        .tokens()[0];
                JsonNode tokens = row.path("why").path("tokens");
                assertThat(tokens).as(row.toString()).hasSize(2);
                java.util.Map<String, Double> want =
                        java.util.Map.of("genre:g" + item % 3, t[1], "word:w" + item % 5, t[2]);
                for (JsonNode tok : tokens) {
                    assertThat(tok.path("weight").asDouble())
                            .as(tok.toString())
                            .isCloseTo(want.get(tok.path("token").asText()), within(1e-4));
                }
                assertThat(tokens.get(0).path("weight").asDouble())
                        .isGreaterThanOrEqualTo(tokens.get(1).path("weight").asDouble());
            }
        }
    }

    @Test
    void aUserOfTheDataSetGetsTheRecommendationsOfTheirHistory() throws Exception {
        JsonNode byUser =
                post(base, "/v1/recommend", "{\"user\": \"u3\", \"k\": 7}").json();
        JsonNode byHistory = post(
                        base,
                        "/v1/recommend",
                        "{\"history\": " + Fixtures.JSON.writeValueAsString(Fixtures.historyOf(3)) + ", \"k\": 7}")
                .json();
        assertThat(items(byUser))
                .hasSize(7)
                .containsExactlyElementsOf(items(byHistory))
                .doesNotContainAnyElementsOf(Fixtures.historyOf(3));
    }

    @Test
    void excludeRerankAndIncludeSeenChangeTheAnswer() throws Exception {
        List<String> all = items(post(base, "/v1/recommend", "{\"history\": [\"101\"], \"k\": 6}")
                .json());
        List<String> without = items(
                post(base, "/v1/recommend", "{\"history\": [\"101\"], \"k\": 5, \"exclude\": [\"" + all.get(0) + "\"]}")
                        .json());
        assertThat(without).containsExactlyElementsOf(all.subList(1, 6));
        List<String> stage1 = items(post(base, "/v1/recommend", "{\"history\": [\"101\"], \"k\": 5, \"rerank\": 0}")
                .json());
        List<Recommendation> want = new Recommender(direct, 0).recommend(new int[] {1}, 5);
        assertThat(stage1)
                .containsExactlyElementsOf(
                        want.stream().map(x -> itemId(x.item())).toList());
        List<String> seen = items(post(
                        base,
                        "/v1/recommend",
                        "{\"history\": [\"101\"], \"k\": 20, \"includeSeen\": true, " + "\"rerank\": 0}")
                .json());
        List<Recommendation> withSeen = new Recommender(direct, 0).recommend(new int[] {1}, null, 20, false);
        assertThat(seen)
                .hasSize(20)
                .containsExactlyElementsOf(
                        withSeen.stream().map(x -> itemId(x.item())).toList());
    }

    @Test
    void aBatchAnswersEachRequestAsItsSingleRequestWould() throws Exception {
        String[] reqs = {
            "{\"history\": [\"101\", \"102\"], \"k\": 3}",
            "{\"user\": \"u1\", \"k\": 4}",
            "{\"history\": [\"130\"], \"k\": 3, \"rerank\": 0}",
            "{\"history\": [\"111\", \"112\", \"113\"], \"k\": 3}"
        };
        JsonNode batch = post(base, "/v1/recommend/batch", "{\"requests\": [" + String.join(",", reqs) + "]}")
                .json();
        assertThat(batch.path("results").size()).isEqualTo(4);
        for (int i = 0; i < reqs.length; i++) {
            assertThat(items(batch.path("results").get(i)))
                    .as("request %d", i)
                    .containsExactlyElementsOf(
                            items(post(base, "/v1/recommend", reqs[i]).json()));
        }
    }

    @Test
    void similarItemsAreTheNearestByCosineOfTheItemVectors() throws Exception {
        Fixtures.Reply r = get(base, "/v1/items/105/similar?k=4");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode n = r.json();
        assertThat(n.path("title").asText()).isEqualTo("Title 105");
        float[] v = direct.itemVectors();
        int d = Fixtures.config().dim();
        double[] cos = new double[Fixtures.ITEMS + 1];
        for (int j = 1; j <= Fixtures.ITEMS; j++) {
            double dot = 0;
            double a = 0;
            double b = 0;
            for (int t = 0; t < d; t++) {
                dot += v[5 * d + t] * v[j * d + t];
                a += v[5 * d + t] * v[5 * d + t];
                b += v[j * d + t] * v[j * d + t];
            }
            cos[j] = dot / Math.sqrt(a * b);
        }
        List<Integer> order = new ArrayList<>();
        for (int j = 1; j <= Fixtures.ITEMS; j++) {
            if (j != 5) {
                order.add(j);
            }
        }
        order.sort((x, y) -> Double.compare(cos[y], cos[x]));
        assertThat(items(n))
                .containsExactly(
                        itemId(order.get(0)), itemId(order.get(1)), itemId(order.get(2)), itemId(order.get(3)));
        assertThat(n.path("items").get(0).path("score").doubleValue())
                .isCloseTo(cos[order.get(0)], org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void healthReadyAndOpenApiAnswer() throws Exception {
        assertThat(get(base, "/health").json().path("status").asText()).isEqualTo("ok");
        JsonNode ready = get(base, "/ready").json();
        assertThat(ready.path("status").asText()).isEqualTo("ready");
        assertThat(ready.path("items").asInt()).isEqualTo(Fixtures.ITEMS);
        assertThat(ready.path("backend").asText()).isEqualTo("djl");
        assertThat(get(base, "/openapi.json").json().path("openapi").asText()).startsWith("3.");
    }

    @Test
    void everyRouteOfTheServerIsInTheOpenApiFileAndNoOther() throws Exception {
        JsonNode paths;
        try (InputStream in = RecsysServer.class.getResourceAsStream("openapi.json")) {
            paths = Fixtures.JSON.readTree(in).path("paths");
        }
        Set<String> documented = new HashSet<>();
        for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
            String p = it.next();
            paths.path(p)
                    .fieldNames()
                    .forEachRemaining(m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p));
        }
        List<String> routes =
                server.routes().stream().filter(r -> !r.startsWith("BEFORE")).toList();
        assertThat(routes).hasSize(11);
        assertThat(new HashSet<>(routes)).isEqualTo(documented);
    }

    @Test
    void metricsCountRequestsPerEndpointWithLatencyHistogramsAndTheModelVersion() throws Exception {
        post(base, "/v1/recommend", "{\"history\": [\"101\"]}");
        post(base, "/v1/recommend", "{\"history\": []}");
        Fixtures.Reply r = get(base, "/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("text/plain");
        String m = r.text();
        assertThat(m)
                .containsPattern(
                        "recsys_http_requests_seconds_count\\{endpoint=\"/v1/recommend\",method=\"POST\",status=\"200\"} [1-9]");
        assertThat(m)
                .containsPattern(
                        "recsys_http_requests_seconds_count\\{endpoint=\"/v1/recommend\",method=\"POST\",status=\"400\"} [1-9]");
        assertThat(m).contains("recsys_http_requests_seconds_bucket{endpoint=\"/v1/recommend\"");
        assertThat(m).contains("recsys_model_info{backend=\"djl\",version=\"" + server.modelVersion() + "\"} 1");
        assertThat(m).contains("recsys_pool_queued");
    }

    @Test
    void theCatalogueIsSearchedByTitleOrListedById() throws Exception {
        JsonNode byTitle = get(base, "/v1/items?q=tItLe%2012").json();
        assertThat(items(byTitle))
                .containsExactly("120", "121", "122", "123", "124", "125", "126", "127", "128", "129");
        assertThat(byTitle.path("items").get(0).path("title").asText()).isEqualTo("Title 120");
        assertThat(items(get(base, "/v1/items?q=tItLe%2012&limit=3").json())).containsExactly("120", "121", "122");
        assertThat(items(get(base, "/v1/items?ids=105,101").json())).containsExactly("105", "101");
        assertThat(items(get(base, "/v1/items").json())).hasSize(20).startsWith("101", "102");
        assertThat(get(base, "/v1/items?ids=105,nope").status()).isEqualTo(404);
        assertThat(get(base, "/v1/items?limit=0").json().path("error").asText())
                .isEqualTo("limit must be a whole number in 1..20, found '0'");
    }

    @Test
    void thePageIsServedAtTheRoot() throws Exception {
        Fixtures.Reply r = get(base, "/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("text/html");
        assertThat(r.text())
                .contains("<title>recsys</title>")
                .contains("/v1/recommend")
                .doesNotContain("http://", "https://");
    }

    @Test
    void addingItemsNeedsTheKeyAndAContentModel() throws Exception {
        String body = "{\"items\": [{\"id\": \"900\", \"title\": \"New (2001)\"}]}";
        assertThat(post(base, "/v1/items", body).status()).isEqualTo(401);
        Fixtures.Reply r = send(base, "POST", "/v1/items", body, "X-API-Key", "s3cret");
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).contains("adding items needs a content model");
        assertThat(get(base, "/ready").json().path("items").asInt()).isEqualTo(Fixtures.ITEMS);
    }

    @Test
    void addedItemsAreRecommendedWithTheirTitlesAndExistingScoresDoNotMove(@TempDir Path tmp) throws Exception {
        Path model = Fixtures.contentCheckpoint(tmp.resolve("content"), 5);
        try (RecsysServer s = RecsysServer.start(
                model,
                backend,
                Fixtures.dataset(),
                ServerConfig.builder().port(0).build())) {
            String req = "{\"history\": [\"101\", \"104\", \"107\"], \"k\": 30, \"rerank\": 0}";
            JsonNode before = post(s.uri(), "/v1/recommend", req).json();
            Fixtures.Reply r = post(
                    s.uri(),
                    "/v1/items",
                    "{\"items\": [{\"id\": \"131\", \"title\": \"Fresh (2001)\", \"genres\": [\"g1\"]},"
                            + " {\"id\": \"132\", \"title\": \"w2 unheard\", \"genres\": [\"g2\"], \"year\": 1999}]}");
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            JsonNode a = r.json();
            assertThat(a.path("items").asInt()).isEqualTo(Fixtures.ITEMS + 2);
            assertThat(a.path("previous").asText())
                    .isEqualTo(before.path("model").asText());
            assertThat(a.path("model").asText()).startsWith(before.path("model").asText() + "+");
            assertThat(a.path("added").get(0).path("title").asText()).isEqualTo("Fresh (2001)");
            assertThat(a.path("added").get(1).path("unknownWords").toString())
                    .contains("unheard")
                    .contains("year:1999");
            JsonNode after = post(s.uri(), "/v1/recommend", req).json();
            java.util.Map<String, Double> old = new java.util.HashMap<>();
            before.path("items")
                    .forEach(x ->
                            old.put(x.path("item").asText(), x.path("score").asDouble()));
            int shared = 0;
            for (JsonNode x : after.path("items")) {
                String id = x.path("item").asText();
                if (old.containsKey(id)) {
                    assertThat(x.path("score").asDouble()).as(id).isCloseTo(old.get(id), within(1e-5));
                    shared++;
                } else {
                    assertThat(id).isIn("131", "132");
                    assertThat(x.path("title").asText()).isIn("Fresh (2001)", "w2 unheard (1999)");
                }
            }
            assertThat(shared).isEqualTo(Fixtures.ITEMS - 3);
            assertThat(after.path("items")).hasSize(Fixtures.ITEMS - 1);
            // a large new-item boost puts the two added items first, in both stages; 0 changes nothing
            JsonNode boosted = post(s.uri(), "/v1/recommend", req.replace("}", ", \"newItemBoost\": 100}"))
                    .json();
            assertThat(items(boosted)).as(boosted.toString()).hasSizeGreaterThan(2);
            assertThat(items(boosted).subList(0, 2)).containsExactlyInAnyOrder("131", "132");
            JsonNode reranked = post(
                            s.uri(),
                            "/v1/recommend",
                            "{\"history\": [\"101\", \"104\", \"107\"], \"k\": 2, \"rerank\": 10,"
                                    + " \"newItemBoost\": 100}")
                    .json();
            assertThat(items(reranked)).containsExactlyInAnyOrder("131", "132");
            assertThat(post(s.uri(), "/v1/recommend", req.replace("}", ", \"newItemBoost\": 0}"))
                            .json()
                            .path("items"))
                    .isEqualTo(after.path("items"));
            assertThat(items(get(s.uri(), "/v1/items?ids=131").json())).containsExactly("131");
            // the same id again: refused unless replace, and the served model does not change
            Fixtures.Reply again = post(s.uri(), "/v1/items", "{\"items\": [{\"id\": \"131\", \"title\": \"x\"}]}");
            assertThat(again.status()).isEqualTo(400);
            assertThat(again.json().path("error").asText())
                    .contains("items[0]: item '131'")
                    .contains("already in");
            assertThat(get(s.uri(), "/ready").json().path("model").asText())
                    .isEqualTo(a.path("model").asText());
            Fixtures.Reply replaced = post(
                    s.uri(),
                    "/v1/items",
                    "{\"items\": [{\"id\": \"131\", \"title\": \"w3\", \"genres\": [\"g0\"]}], \"replace\": true}");
            assertThat(replaced.status()).as(replaced.text()).isEqualTo(200);
            assertThat(replaced.json().path("added").get(0).path("replaced").asBoolean())
                    .isTrue();
            assertThat(replaced.json().path("items").asInt()).isEqualTo(Fixtures.ITEMS + 2);
        }
    }

    static Stream<Arguments> badRequests() {
        String big = "{\"history\": [" + "\"101\",".repeat(1000) + "\"101\"]}";
        return Stream.of(
                Arguments.of(
                        "POST",
                        "/v1/recommend",
                        "{\"history\": [\"101\"",
                        400,
                        "malformed JSON at line 1, column 19: Unexpected end-of-input: expected close marker for Array"),
                Arguments.of("POST", "/v1/recommend", "", 400, "the request body is empty"),
                Arguments.of(
                        "POST",
                        "/v1/recommend",
                        "{\"history\": [\"101\"], \"newItemBoost\": \"a lot\"}",
                        400,
                        "newItemBoost must be a number of standard deviations in -100..100, found \"a lot\""),
                Arguments.of(
                        "POST",
                        "/v1/recommend",
                        "{\"history\": [\"101\"], \"newItemBoost\": 1}",
                        400,
                        "newItemBoost: the new-item boost needs a model with item content and item ids"),
                Arguments.of(
                        "POST",
                        "/v1/items",
                        "{\"items\": [{\"id\": \"9\", \"title\": \"t\", \"year\": \"x\"}]}",
                        401,
                        "the admin endpoints need the server's API key"),
                Arguments.of(
                        "POST",
                        "/v1/recommend",
                        "{\"history\": [\"101\"], \"explain\": 1}",
                        400,
                        "explain must be true or false, found 1"),
                Arguments.of("POST", "/v1/recommend", "[1, 2]", 400, "the request body must be a JSON object"),
                Arguments.of(
                        "POST",
                        "/v1/recommend",
                        "{\"user\": \"nobody\"}",
                        404,
                        "unknown user 'nobody': not in data set tiny"),
                Arguments.of(
                        "POST",
                        "/v1/recommend",
                        "{\"history\": [\"101\", \"999\"]}",
                        400,
                        "history[1]: unknown item '999': not in the model's catalogue of 30 items"),
                Arguments.of(
                        "POST",
                        "/v1/recommend",
                        "{\"history\": [\"101\"], \"k\": 0}",
                        400,
                        "k must be a whole number in 1..20, found 0"),
                Arguments.of(
                        "POST",
                        "/v1/recommend",
                        "{\"history\": [\"101\"], \"k\": 21}",
                        400,
                        "k must be a whole number in 1..20, found 21"),
                Arguments.of(
                        "POST",
                        "/v1/recommend",
                        "{\"history\": [\"101\"], \"k\": \"ten\"}",
                        400,
                        "k must be a whole number"),
                Arguments.of("POST", "/v1/recommend", "{\"history\": []}", 400, "history is empty"),
                Arguments.of("POST", "/v1/recommend", "{\"k\": 3}", 400, "give exactly one of 'user'"),
                Arguments.of("POST", "/v1/recommend", "{\"history\": [\"101\"], \"kk\": 3}", 400, "unknown field 'kk'"),
                Arguments.of(
                        "POST",
                        "/v1/recommend",
                        "{\"history\": [\"101\"], \"rerank\": -1}",
                        400,
                        "rerank must be a whole number in 0..30"),
                Arguments.of("POST", "/v1/recommend", big, 413, "request body too large: at most 4096 bytes"),
                Arguments.of(
                        "POST",
                        "/v1/recommend/batch",
                        "{\"requests\": [{\"history\": [\"101\"]}, {\"history\": [\"x\"]}]}",
                        400,
                        "requests[1].history[0]: unknown item 'x'"),
                Arguments.of(
                        "POST",
                        "/v1/recommend/batch",
                        "{\"history\": [\"101\"]}",
                        400,
                        "the batch body must be {\"requests\""),
                Arguments.of("GET", "/v1/items/999/similar", null, 404, "unknown item '999'"),
                Arguments.of(
                        "GET", "/v1/items/101/similar?k=0", null, 400, "k must be a whole number in 1..20, found '0'"),
                Arguments.of("GET", "/v1/recommend", null, 405, "method GET is not allowed on /v1/recommend; use POST"),
                Arguments.of("DELETE", "/health", null, 405, "method DELETE is not allowed on /health; use GET"),
                Arguments.of(
                        "GET",
                        "/v2/nothing",
                        null,
                        404,
                        "no route GET /v2/nothing; the API is described at /openapi.json"),
                Arguments.of("POST", "/admin/reload", "", 401, "the admin endpoints need the server's API key"));
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @MethodSource("badRequests")
    void everyBadRequestGetsJsonWithItsStatusAndAClearMessage(
            String method, String path, String body, int status, String message) throws Exception {
        Fixtures.Reply r = send(base, method, path, body);
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/json");
        JsonNode n = r.json();
        assertThat(n.path("error").asText())
                .contains(message)
                .doesNotContain("\n")
                .doesNotContain("Exception")
                .doesNotContain("[Source");
        assertThat(n.path("status").asInt()).isEqualTo(status);
    }

    @Test
    void aRequestLineJettyCannotParseGetsJsonNotHtml() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            OutputStream out = s.getOutputStream();
            out.write("GET /v1/items/%zz/similar HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply)
                    .startsWith("HTTP/1.1 400")
                    .containsIgnoringCase("content-type: application/json")
                    .contains("\"error\":")
                    .doesNotContainIgnoringCase("<html");
        }
    }

    @Test
    void theScoringPathAnswersRequestsOnAKeptAliveConnectionAsTheJavalinRouteDoes() throws Exception {
        String req = "{\"history\": [\"101\", \"102\"], \"k\": 4}";
        byte[] body = req.getBytes(StandardCharsets.UTF_8);
        List<String> answers = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write(("POST /v1/recommend HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                + "Content-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                String head = head(in);
                assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: application/json");
                int len = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
                answers.add(new String(in.readNBytes(len), StandardCharsets.UTF_8));
            }
        }
        assertThat(answers).containsOnly(answers.get(0));
        // a trailing slash is not the scoring path's exact path: Javalin's route answers it, the same way
        Fixtures.Reply viaJavalin = post(base, "/v1/recommend/", req);
        assertThat(viaJavalin.status()).as(viaJavalin.text()).isEqualTo(200);
        assertThat(Fixtures.JSON.readTree(answers.get(0))).isEqualTo(viaJavalin.json());
    }

    @Test
    void aChunkedBodyOverTheLimitGets413AsJson() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/recommend HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                            + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("{\"history\": [" + "\"101\", ".repeat(700) + "\"101\"]}").getBytes(StandardCharsets.UTF_8);
            assertThat(chunk.length).isGreaterThan(4096);
            out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(chunk);
            out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply)
                    .startsWith("HTTP/1.1 413")
                    .containsIgnoringCase("content-type: application/json")
                    .contains("request body too large: at most 4096 bytes");
        }
    }

    /** The status line and headers of one answer, up to the empty line. */
    private static String head(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (b.length() < 4 || !b.substring(b.length() - 4).equals("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after: " + b);
            }
            b.append((char) c);
        }
        return b.toString();
    }

    @Test
    void theAdminKeyIsCheckedAndAFolderThatDoesNotLoadIsRefused() throws Exception {
        String before = server.modelVersion();
        Fixtures.Reply wrong = send(base, "POST", "/admin/reload", "{}", "Authorization", "Bearer nope");
        assertThat(wrong.status()).isEqualTo(401);
        Fixtures.Reply bad = send(
                base, "POST", "/admin/reload", "{\"model\": \"" + dir.resolve("absent") + "\"}", "X-API-Key", "s3cret");
        assertThat(bad.status()).as(bad.text()).isEqualTo(422);
        assertThat(bad.json().path("error").asText()).contains("could not load").contains("still serving " + before);
        assertThat(server.modelVersion()).isEqualTo(before);
        assertThat(post(base, "/v1/recommend", "{\"history\": [\"101\"]}").status())
                .isEqualTo(200);
    }
}
