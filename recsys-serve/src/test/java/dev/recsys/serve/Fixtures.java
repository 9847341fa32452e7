package dev.recsys.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.IdMap;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetBuilder;
import dev.recsys.eval.data.ItemMeta;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny model written with the api alone (initial weights serve fine), its data set, and an HTTP helper. */
final class Fixtures {
    static final int ITEMS = 30;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Fixtures() {}

    static ModelConfig config() {
        return shape().build();
    }

    private static ModelConfig.Builder shape() {
        return ModelConfig.builder()
                .numItems(ITEMS)
                .dim(16)
                .heads(2)
                .layers(1)
                .ffnDim(16)
                .maxLen(8);
    }

    /** External ids of the catalogue, index = dense id ("" for padding). */
    private static List<String> ids() {
        List<String> ids = new ArrayList<>();
        ids.add("");
        for (int i = 1; i <= ITEMS; i++) {
            ids.add(itemId(i));
        }
        return ids;
    }

    /** External item id of dense id i: 100 + i, so that ids and dense ids differ. */
    static String itemId(int i) {
        return Integer.toString(100 + i);
    }

    /** Writes a checkpoint (item ids "101".."130", re-ranking depth 10) with initial weights of the seed. */
    static Path checkpoint(Path dir, long seed) throws IOException {
        ModelConfig c = config();
        Checkpoint.write(
                dir, new CheckpointData(c, Initializer.init(c, seed), null, null, ids(), Map.of("rerank", "10"), null));
        return dir;
    }

    /**
     * A content model of the same catalogue: item i's content is the marker, "genre:g(i % 3)" and
     * "word:w(i % 5)" (vocabulary: the 3 reserved tokens, 3 genres, 5 words), initial weights of the seed.
     */
    static Path contentCheckpoint(Path dir, long seed) throws IOException {
        List<String> vocabulary = new ArrayList<>(List.of("[PAD]", "[ITEM]", "[UNK]"));
        for (int g = 0; g < 3; g++) {
            vocabulary.add("genre:g" + g);
        }
        for (int w = 0; w < 5; w++) {
            vocabulary.add("word:w" + w);
        }
        int[][] perItem = new int[ITEMS + 1][];
        perItem[0] = new int[0];
        for (int i = 1; i <= ITEMS; i++) {
            perItem[i] = new int[] {3 + i % 3, 6 + i % 5};
        }
        ModelConfig c = shape().content(vocabulary.size(), 4, 1).build();
        dev.recsys.api.data.ItemContent content = dev.recsys.api.data.ItemContent.of(ITEMS, 4, perItem);
        Checkpoint.write(
                dir,
                new CheckpointData(
                        c, Initializer.init(c, seed), content, vocabulary, ids(), Map.of("rerank", "10"), null));
        return dir;
    }

    /**
     * Users "u1".."u6", each with 5 items; the data set numbers its items in another order than the
     * model (it sees item 130 first), so the service must translate by external id. Titles "Title N".
     */
    static Dataset dataset() {
        IdMap items = IdMap.ofLongs();
        for (int i = ITEMS; i >= 1; i--) {
            items.add(Long.parseLong(itemId(i)));
        }
        DatasetBuilder b = new DatasetBuilder(IdMap.ofStrings(), items, false, false, false);
        for (int u = 1; u <= 6; u++) {
            int du = b.userIds().add("u" + u);
            for (int j = 0; j < 5; j++) {
                int model = 1 + (u * 7 + j * 3) % ITEMS;
                b.add(du, items.get(Long.parseLong(itemId(model))), 0f, 0L, 0);
            }
        }
        ItemMeta meta = ItemMeta.empty(ITEMS);
        for (int d = 1; d <= ITEMS; d++) {
            meta.titles()[d] = "Title " + items.external(d);
        }
        return b.build("tiny", meta);
    }

    /** The model dense ids of user u's history in dataset(). */
    static List<String> historyOf(int u) {
        List<String> h = new ArrayList<>();
        for (int j = 0; j < 5; j++) {
            h.add(itemId(1 + (u * 7 + j * 3) % ITEMS));
        }
        return h;
    }

    record Reply(int status, Map<String, List<String>> headers, String text) {
        JsonNode json() throws IOException {
            return JSON.readTree(text);
        }

        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    static Reply send(URI base, String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> res = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, List<String>> h = new java.util.TreeMap<>();
        res.headers().map().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return new Reply(res.statusCode(), h, res.body());
    }

    static Reply post(URI base, String path, String body) throws IOException, InterruptedException {
        return send(base, "POST", path, body);
    }

    static Reply get(URI base, String path) throws IOException, InterruptedException {
        return send(base, "GET", path, null);
    }

    /**
     * A backend whose models wait {@code delayMillis} in every stage-1 scoring call (alone or with
     * stage 2) and count
     * calls in progress, so tests can fill the pool, hold requests in flight and check that no
     * model is closed while it scores.
     */
    static final class SlowBackend implements Backend {
        final Backend inner;
        volatile long delayMillis;
        final AtomicInteger scoring = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger closedWhileScoring = new AtomicInteger();

        SlowBackend(Backend inner, long delayMillis) {
            this.inner = inner;
            this.delayMillis = delayMillis;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public String engineVersion() {
            return inner.engineVersion();
        }

        @Override
        public RecModel create(
                ModelConfig config,
                dev.recsys.api.data.ItemContent content,
                dev.recsys.api.model.Weights weights,
                long seed) {
            RecModel m = inner.create(config, content, weights, seed);
            AtomicInteger mine = new AtomicInteger();
            return (RecModel) Proxy.newProxyInstance(
                    RecModel.class.getClassLoader(), new Class<?>[] {RecModel.class}, (proxy, method, args) -> {
                        String n = method.getName();
                        if (n.equals("close")) {
                            if (mine.get() > 0) {
                                closedWhileScoring.incrementAndGet();
                            }
                            closes.incrementAndGet();
                        }
                        boolean score = n.equals("scoreAll") || n.equals("scoreTwoStage");
                        if (score) {
                            scoring.incrementAndGet();
                            mine.incrementAndGet();
                        }
                        try {
                            if (score && delayMillis > 0) {
                                Thread.sleep(delayMillis);
                            }
                            return method.invoke(m, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        } finally {
                            if (score) {
                                mine.decrementAndGet();
                                scoring.decrementAndGet();
                            }
                        }
                    });
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
