package dev.recsys.examples.example;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.recsys.api.RecsysException;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a checkpoint folder and serves {@code recommend} from a web handler (the JDK's
 * {@link HttpServer}, no framework), bound to the loopback address.
 *
 * <pre>
 * GET /recommend?history=ITEM,ITEM,...&amp;k=10   -&gt; {"items": [{"item": "...", "score": 1.23}, ...]}
 * GET /health                                  -&gt; {"status": "ok", "items": N}
 * </pre>
 * Item ids are the external ids saved in the checkpoint (oldest first in {@code history}); items
 * of the history are not recommended again. Bad requests get status 400 with
 * {@code {"error": "..."}}. Scoring is thread-safe, so the server uses a small thread pool.
 * Run: {@code java -cp recsys-examples/target/recsys.jar dev.recsys.examples.example.ServeRecommendationsExample model/ [port]}.
 */
public final class ServeRecommendationsExample implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServeRecommendationsExample.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest k a request may ask for. */
    public static final int MAX_K = 1000;

    private final Backend backend;
    private final RecModel model;
    private final Recommender recommender;
    private final List<String> itemIds;
    private final Map<String, Integer> dense = new HashMap<>();
    private final HttpServer server;
    private final ExecutorService pool;

    private ServeRecommendationsExample(Backend backend, RecModel model, CheckpointData cd, int rerank, int port) throws IOException {
        this.backend = backend;
        this.model = model;
        this.recommender = new Recommender(model, rerank);
        List<String> ids = cd.itemIds();
        if (ids == null) {
            ids = new ArrayList<>();
            for (int i = 0; i <= cd.config().numItems(); i++) {
                ids.add(Integer.toString(i));
            }
        }
        this.itemIds = ids;
        for (int i = 1; i < ids.size(); i++) {
            dense.put(ids.get(i), i);
        }
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        this.pool = Executors.newFixedThreadPool(2);
        server.setExecutor(pool);
        server.createContext("/recommend", this::recommend);
        server.createContext("/health", this::health);
        server.start();
        LOG.info("serving {} items on {}", model.config().numItems(), uri());
    }

    /**
     * Loads the model and starts serving.
     *
     * @param backendName backend, or null for the default selection
     * @param port        TCP port on 127.0.0.1, 0 for any free port
     */
    public static ServeRecommendationsExample start(Path modelDir, String backendName, int port) throws IOException {
        CheckpointData cd = Checkpoint.read(modelDir);
        int rerank = Integer.parseInt(cd.metadata().getOrDefault("rerank", "0"));
        Backend backend = Backends.create(backendName, BackendOptions.defaults());
        RecModel model = null;
        try {
            model = backend.create(cd.config(), cd.content(), cd.weights(), 0L);
            return new ServeRecommendationsExample(backend, model, cd, rerank, port);
        } catch (IOException | RuntimeException e) {
            if (model != null) {
                model.close();
            }
            backend.close();
            throw e;
        }
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The base address, e.g. {@code http://127.0.0.1:43117/}. */
    public URI uri() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + port() + "/");
    }

    private void recommend(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                reply(ex, 405, Map.of("error", "use GET"));
                return;
            }
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            String history = q.get("history");
            if (history == null || history.isBlank()) {
                reply(ex, 400, Map.of("error", "history is required: /recommend?history=ITEM,ITEM,...&k=10"));
                return;
            }
            int k;
            try {
                k = Integer.parseInt(q.getOrDefault("k", "10"));
            } catch (NumberFormatException e) {
                reply(ex, 400, Map.of("error", "k must be a whole number, found " + q.get("k")));
                return;
            }
            if (k < 1 || k > MAX_K) {
                reply(ex, 400, Map.of("error", "k must be in 1.." + MAX_K + ", found " + k));
                return;
            }
            String[] parts = history.split(",");
            int[] hist = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                Integer it = dense.get(parts[i].trim());
                if (it == null) {
                    reply(ex, 400, Map.of("error", "unknown item '" + parts[i].trim() + "': not in the model's catalogue"));
                    return;
                }
                hist[i] = it;
            }
            List<Map<String, Object>> items = new ArrayList<>();
            for (Recommendation r : recommender.recommend(hist, k)) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("item", itemIds.get(r.item()));
                row.put("score", r.score());
                items.add(row);
            }
            reply(ex, 200, Map.of("items", items));
        } catch (RecsysException | IllegalArgumentException e) {
            reply(ex, 400, Map.of("error", String.valueOf(e.getMessage())));
        } catch (RuntimeException e) {
            LOG.error("recommend failed", e);
            reply(ex, 500, Map.of("error", "internal error"));
        }
    }

    private void health(HttpExchange ex) throws IOException {
        try (ex) {
            reply(ex, 200, Map.of("status", "ok", "items", model.config().numItems()));
        }
    }

    private static void reply(HttpExchange ex, int status, Object body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    /** Stops the server and releases the model and the engine. */
    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        model.close();
        backend.close();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ServeRecommendationsExample MODEL_DIR [PORT]");
            System.exit(2);
        }
        ServeRecommendationsExample s = start(Path.of(args[0]), null, args.length == 2 ? Integer.parseInt(args[1]) : 8080);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s.close();
            stop.countDown();
        }));
        System.out.println("serving on " + s.uri() + "recommend?history=ITEM,ITEM&k=10 (Ctrl-C stops)");
        stop.await();
    }
}
