package dev.recsys.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.RecsysException;
import dev.recsys.api.io.ItemAddition;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.eval.data.Dataset;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recommendation service: Javalin on Jetty 12, the JSON API of {@link RecommendApi}, Prometheus
 * metrics, hot reload and graceful shutdown.
 *
 * <p><b>Threads.</b> Jetty's threads only read and parse requests; scoring runs on a bounded pool
 * of {@link ServerConfig#workerThreads()} workers with a queue of {@link ServerConfig#queue()}
 * requests. A request that finds the queue full is answered 503 with {@code Retry-After} at once;
 * one that is still waiting or scoring when its time limit ({@link ServerConfig#timeout()}) runs
 * out is answered 503 (a waiting one is then never run).
 * Scoring is thread-safe in both backends (the DJL model shares its parameters under a read
 * lock; the DL4J model runs each concurrent call on SameDiff graphs of its own under a read lock).
 * The scoring POSTs skip Javalin's servlet layer ({@link ScoringPath}): the worker writes the
 * answer and completes the exchange; the other routes answer through Javalin.
 *
 * <p><b>Hot reload.</b> {@link #reload} loads a new checkpoint folder next to the one served,
 * runs one warm-up request on it and swaps it in atomically; requests that hold the old model
 * keep it (reference counting, {@link LoadedModel}) and the old model is closed after the last
 * of them. A folder that does not load is refused and the old model stays.
 *
 * <p><b>Shutdown.</b> {@link #close} stops accepting connections, waits (up to
 * {@link ServerConfig#shutdownTimeout()}) for requests in flight, then closes the model. The
 * backend is the caller's to close, after the server.
 */
public final class RecsysServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecsysServer.class);
    static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROUTE = "recsys.route";
    private static final String OPENAPI = "openapi.json";
    private static final String PAGE = "index.html";

    private final ServerConfig config;
    private final Backend backend;
    private final Dataset dataset;
    private final RecommendApi api;
    private final ThreadPoolExecutor pool;
    private final ServerMetrics metrics;
    /** The POST endpoints that score on a worker: exact path → the work on the parsed body. */
    private final Map<String, BiFunction<LoadedModel, JsonNode, Object>> scoringPosts = new LinkedHashMap<>();

    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private final ReentrantLock reloading = new ReentrantLock();
    private final List<String> routes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, List<String>> methodsByPath = new LinkedHashMap<>();
    private final List<String> stubs = new ArrayList<>();
    private final byte[] openApi;
    private final byte[] page;
    private volatile boolean stopping;
    private final Javalin app;

    private RecsysServer(ServerConfig config, Backend backend, Dataset dataset, LoadedModel first) {
        this.config = config;
        this.backend = backend;
        this.dataset = dataset;
        this.api = new RecommendApi(config);
        scoringPosts.put("/v1/recommend", api::recommend);
        scoringPosts.put("/v1/recommend/batch", api::batch);
        int workers = config.workerThreads();
        BlockingQueue<Runnable> q =
                config.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queue());
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                workers,
                workers,
                0,
                TimeUnit.SECONDS,
                q,
                r -> {
                    Thread t = new Thread(r, "recsys-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        this.metrics = new ServerMetrics(pool);
        this.openApi = resource(OPENAPI);
        this.page = resource(PAGE);
        current.set(first);
        metrics.model(first.version, backend.name());
        this.app = Javalin.create(this::configure);
    }

    /**
     * Loads a checkpoint folder and starts serving it.
     *
     * @param backend the engine (closed by the caller after {@link #close})
     * @param dataset users' histories and titles for {@code {"user": …}} requests, or null
     */
    public static RecsysServer start(Path modelDir, Backend backend, Dataset dataset, ServerConfig config)
            throws IOException {
        LoadedModel first = LoadedModel.load(modelDir, backend, dataset);
        RecsysServer s;
        try {
            warmUp(first);
            s = new RecsysServer(config, backend, dataset, first);
            s.app.start(config.host(), config.port());
        } catch (RuntimeException | Error e) {
            first.release();
            throw e;
        }
        LOG.info(
                "serving {} on {} with {} workers, a queue of {}, a time limit of {} ms",
                first.version,
                s.uri(),
                s.pool.getMaximumPoolSize(),
                config.queue(),
                config.timeout().toMillis());
        if (!InetAddress.getByName(config.host()).isLoopbackAddress() && config.apiKey() == null) {
            LOG.warn(
                    "listening on {} beyond this machine with no API key: anyone who reaches it can reload models "
                            + "(set an API key for /admin)",
                    config.host());
        }
        return s;
    }

    private void configure(JavalinConfig c) {
        c.startup.showJavalinBanner = false;
        c.startup.showOldJavalinVersionWarning = false;
        c.http.maxRequestSize = config.maxBodyBytes();
        c.http.prefer405over404 = false;
        c.http.generateEtags = false;
        c.jetty.modifyServer(server -> {
            GracefulHandler graceful = new GracefulHandler();
            graceful.setHandler(new ScoringPath()); // Javalin's servlet context goes inside it
            server.setHandler(graceful);
            server.setStopTimeout(config.shutdownTimeout().toMillis());
            server.setErrorHandler(new JsonErrorHandler());
        });
        c.events.handlerAdded(h -> routes.add(h.getHttpMethod().name() + " " + h.getPath()));
        c.requestLogger.http((ctx, ms) -> {
            String r = ctx.attribute(ROUTE);
            metrics.request(r == null ? "unmatched" : r, ctx.method().name(), ctx.statusCode(), ms);
        });

        // the scoring POSTs: answered by ScoringPath on exact paths, here otherwise (e.g. a trailing slash)
        scoringPosts.forEach((path, work) -> route(c, HandlerType.POST, path, ctx -> {
            JsonNode b = body(ctx);
            score(ctx, m -> work.apply(m, b));
        }));
        route(
                c,
                HandlerType.GET,
                "/v1/items/{id}/similar",
                ctx -> score(ctx, m -> api.similar(m, ctx.pathParam("id"), ctx.queryParam("k"))));
        route(c, HandlerType.POST, "/v1/items", ctx -> {
            checkApiKey(ctx);
            reply(ctx, 200, addItems(ItemsApi.parse(body(ctx), MAX_ADDED_ITEMS)));
        });
        route(c, HandlerType.GET, "/health", ctx -> reply(ctx, 200, Map.of("status", "ok")));
        route(c, HandlerType.GET, "/ready", this::ready);
        route(c, HandlerType.GET, "/metrics", ctx -> {
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
            ctx.result(metrics.scrape());
        });
        route(c, HandlerType.GET, "/openapi.json", ctx -> {
            ctx.contentType(JSON_TYPE);
            ctx.result(openApi);
        });
        route(c, HandlerType.POST, "/admin/reload", this::reloadRoute);
        route(
                c,
                HandlerType.GET,
                "/v1/items",
                ctx -> score(
                        ctx, m -> api.items(m, ctx.queryParam("q"), ctx.queryParam("ids"), ctx.queryParam("limit"))));
        route(c, HandlerType.GET, "/", ctx -> {
            ctx.contentType("text/html; charset=utf-8");
            ctx.result(page);
        });
        methodNotAllowed(c);

        c.routes.before("/admin/*", this::checkApiKey);
        c.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e));
        c.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, translate(e, ctx)));
        c.routes.exception(Exception.class, (e, ctx) -> error(ctx, unexpected(e)));
    }

    private void route(JavalinConfig c, HandlerType method, String path, Handler h) {
        methodsByPath.computeIfAbsent(path, p -> new ArrayList<>()).add(method.name());
        c.routes.addHttpHandler(method, path, ctx -> {
            ctx.attribute(ROUTE, path);
            h.handle(ctx);
        });
    }

    /** Any other method on a known path: 405 naming the allowed ones, as JSON (registered after every route). */
    private void methodNotAllowed(JavalinConfig c) {
        methodsByPath.forEach((path, allowed) -> {
            for (HandlerType other : new HandlerType[] {
                HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE
            }) {
                if (!allowed.contains(other.name())) {
                    stubs.add(other.name() + " " + path);
                    c.routes.addHttpHandler(other, path, ctx -> {
                        ctx.attribute(ROUTE, path);
                        throw new ApiException(
                                405,
                                "method " + ctx.method().name() + " is not allowed on " + path + "; use "
                                        + String.join(" or ", allowed));
                    });
                }
            }
        });
    }

    /** Runs work on a worker with a reference to the current model; answers 503 when the pool is full. */
    private void score(Context ctx, Function<LoadedModel, Object> work) {
        CompletableFuture<byte[]> done =
                submit(work, System.nanoTime() + config.timeout().toNanos());
        ctx.future(() -> done.handle((bytes, err) -> {
            if (err == null) {
                ctx.status(200).contentType(JSON_TYPE).result(bytes);
            } else {
                error(ctx, failure(err));
            }
            return null;
        }));
    }

    /**
     * Queues work on a worker, which runs it with a reference to the current model unless the
     * deadline has passed by then.
     *
     * @return the answer's JSON bytes, or the failure; a {@link TimeoutException} at the deadline
     * @throws ApiException 503 when the pool and its queue are full
     */
    private CompletableFuture<byte[]> submit(Function<LoadedModel, Object> work, long deadline) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                if (System.nanoTime() - deadline > 0) {
                    done.completeExceptionally(timedOut());
                    return;
                }
                LoadedModel m = acquire();
                try {
                    done.complete(json(work.apply(m)).getBytes(StandardCharsets.UTF_8));
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                } finally {
                    m.release();
                }
            });
        } catch (RejectedExecutionException e) {
            metrics.rejected();
            throw ApiException.unavailable(
                    stopping
                            ? "the server is shutting down"
                            : "the server is busy: all "
                                    + pool.getMaximumPoolSize() + " workers are scoring and " + config.queue()
                                    + " requests are waiting; retry "
                                    + "after a second",
                    1);
        }
        return done.orTimeout(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** The error answer of a failed {@link #submit}. */
    private ApiException failure(Throwable err) {
        Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        return t instanceof TimeoutException ? timedOut() : unexpected(t);
    }

    /**
     * The scoring POSTs ({@link #scoringPosts}) on Jetty's core API, in front of Javalin's servlet
     * context: the request is read here, queued on the workers, and the worker that scores it writes
     * the answer and completes the exchange. Through the servlet API the same request also ran
     * Javalin's lifecycle, the session and cookie lookups and the async state machine, whose
     * completion is dispatched back to a Jetty thread: on two cores that the workers fill, Jetty's CPU
     * per request fell by about a fifth and DJL's HTTP share rose about 3 points (recsys-serve/README.md,
     * stop 23). Errors, limits, metrics and the time limit are those of the Javalin routes. Everything
     * else goes on to Javalin.
     */
    private final class ScoringPath extends org.eclipse.jetty.server.Handler.Wrapper {
        @Override
        public boolean handle(Request req, Response res, Callback cb) throws Exception {
            String path = Request.getPathInContext(req);
            BiFunction<LoadedModel, JsonNode, Object> work =
                    HttpMethod.POST.is(req.getMethod()) ? scoringPosts.get(path) : null;
            if (work == null) {
                return super.handle(req, res, cb);
            }
            long t0 = System.nanoTime();
            try {
                JsonNode body = body(read(req));
                submit(m -> work.apply(m, body), t0 + config.timeout().toNanos())
                        .whenComplete((bytes, err) -> {
                            if (err == null) {
                                send(res, cb, path, 200, bytes, null, t0);
                            } else {
                                sendError(res, cb, path, failure(err), t0);
                            }
                        });
            } catch (RuntimeException e) {
                sendError(res, cb, path, unexpected(e), t0);
            } catch (IOException e) {
                cb.failed(e); // the body could not be read (the client went away): Jetty ends the exchange
            }
            return true;
        }

        /** The body, at most {@link ServerConfig#maxBodyBytes()} (413 beyond, as Javalin's limit). */
        private byte[] read(Request req) throws IOException {
            long max = config.maxBodyBytes();
            if (req.getLength() > max) {
                throw tooLarge();
            }
            byte[] b = Content.Source.asInputStream(req).readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (b.length > max) {
                throw tooLarge();
            }
            return b;
        }

        private void sendError(Response res, Callback cb, String path, ApiException e, long t0) {
            send(res, cb, path, e.status(), errorJson(e), e.retryAfterSeconds(), t0);
        }

        private void send(
                Response res, Callback cb, String path, int status, byte[] body, Integer retryAfter, long t0) {
            try {
                res.setStatus(status);
                HttpFields.Mutable h = res.getHeaders();
                h.put(HttpHeader.CONTENT_TYPE, JSON_TYPE);
                if (retryAfter != null) {
                    h.put(HttpHeader.RETRY_AFTER, retryAfter.toString());
                }
                h.put(HttpHeader.CONTENT_LENGTH, body.length);
                res.write(true, ByteBuffer.wrap(body), cb);
            } catch (RuntimeException e) {
                cb.failed(e);
            }
            metrics.request(path, "POST", status, (System.nanoTime() - t0) / 1e6f);
        }
    }

    private ApiException tooLarge() {
        return new ApiException(413, "request body too large: at most " + config.maxBodyBytes() + " bytes");
    }

    private ApiException timedOut() {
        return ApiException.unavailable(
                "the request did not finish within the time limit of "
                        + config.timeout().toMillis() + " ms (the server is overloaded); retry after a second",
                1);
    }

    private LoadedModel acquire() {
        while (true) {
            LoadedModel m = current.get();
            if (m == null) {
                throw ApiException.unavailable("no model is loaded: the server is shutting down", 1);
            }
            if (m.acquire()) {
                return m;
            }
        }
    }

    private static JsonNode body(Context ctx) {
        return body(ctx.bodyAsBytes());
    }

    private static JsonNode body(byte[] b) {
        if (b.length == 0) {
            throw ApiException.badRequest("the request body is empty: send a JSON object like " + RecommendApi.EXAMPLE);
        }
        try {
            return JSON.readTree(b);
        } catch (JsonProcessingException e) {
            // Jackson's message without its source description: "... (start marker at [Source: ...])"
            String m = e.getOriginalMessage()
                    .replaceAll("(?s)\\s*\\(?start marker at \\[Source:.*", "")
                    .replaceAll("(?s)\n.*", "");
            throw ApiException.badRequest(
                    "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ": " + m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void ready(Context ctx) {
        LoadedModel m = current.get();
        if (stopping || m == null) {
            reply(ctx, 503, Map.of("status", "stopping"));
            return;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("status", "ready");
        r.put("model", m.version);
        r.put("dir", m.dir.toString());
        r.put("items", m.catalogue.numItems());
        r.put("rerank", m.rerank);
        r.put("backend", backend.name());
        r.put("data", m.catalogue.dataName());
        reply(ctx, 200, r);
    }

    private void checkApiKey(Context ctx) {
        String key = config.apiKey();
        if (key == null) {
            return;
        }
        String auth = ctx.header("Authorization");
        String given =
                auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : ctx.header("X-API-Key");
        if (given == null
                || !MessageDigest.isEqual(
                        given.getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8))) {
            ctx.attribute(ROUTE, ctx.path());
            throw new ApiException(
                    401,
                    "the admin endpoints need the server's API key: send 'Authorization: Bearer KEY' or "
                            + "'X-API-Key: KEY'");
        }
    }

    private void reloadRoute(Context ctx) throws IOException {
        Path dir = current.get().dir;
        byte[] b = ctx.bodyAsBytes();
        if (b.length > 0) {
            JsonNode n = body(ctx);
            if (!n.isObject()
                    || (n.size() > 0 && !(n.size() == 1 && n.path("model").isTextual()))) {
                throw ApiException.badRequest(
                        "the reload body must be {\"model\": \"CHECKPOINT_DIR\"} or empty (reload the "
                                + "folder served now)");
            }
            if (n.has("model")) {
                dir = Path.of(n.get("model").asText());
            }
        }
        reply(ctx, 200, reload(dir));
    }

    /** Items per {@code POST /v1/items} request, at most. */
    static final int MAX_ADDED_ITEMS = 10_000;

    /**
     * Adds catalogue entries from their content to the model served now ({@link LoadedModel#withItems})
     * and swaps the extended model in with no failed request, as a reload does. The checkpoint folder
     * is not changed: a reload of the folder serves it without the added items.
     *
     * @return {@code {"model": new version, "previous": old version, "items": catalogue size, "added": [...]}}
     * @throws ApiException 400 for bad items or an ids-only model, 409 while a reload or another addition
     *     runs, 422 when the checkpoint cannot take items
     */
    public Map<String, Object> addItems(ItemsApi.Request r) {
        if (!reloading.tryLock()) {
            throw new ApiException(409, "another reload or item addition is running; try again when it has finished");
        }
        try {
            if (stopping) {
                throw ApiException.unavailable("the server is shutting down", 1);
            }
            LoadedModel cur = acquire();
            LoadedModel.WithItems w;
            try {
                w = cur.withItems(r.items(), r.titles(), r.replace(), backend, dataset);
            } catch (DataException e) {
                throw ApiException.badRequest(oneLine(e));
            } catch (CheckpointException e) {
                throw new ApiException(422, oneLine(e) + "; still serving " + cur.version);
            } finally {
                cur.release();
            }
            LoadedModel next = w.model();
            try {
                warmUp(next);
            } catch (RuntimeException e) {
                next.release();
                throw new ApiException(
                        422,
                        "the extended model failed a warm-up request: " + oneLine(e) + "; still serving "
                                + cur.version);
            }
            LoadedModel old = swap(next);
            LOG.info(
                    "added {} items: now serving {} (was {})",
                    w.addition().entries().size(),
                    next.version,
                    old.version);
            List<Map<String, Object>> added = new ArrayList<>();
            for (int i = 0; i < w.addition().entries().size(); i++) {
                ItemAddition.Entry e = w.addition().entries().get(i);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("item", e.id());
                m.put("title", r.titles().get(i));
                m.put("replaced", e.replaced());
                m.put("unknownWords", e.unknown());
                added.add(m);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", next.version);
            out.put("previous", old.version);
            out.put("items", next.catalogue.numItems());
            out.put("added", added);
            return out;
        } finally {
            reloading.unlock();
        }
    }

    /** Serves next from now on and releases the model served before (closed after its last request). */
    private LoadedModel swap(LoadedModel next) {
        LoadedModel old = current.getAndSet(next);
        metrics.model(next.version, backend.name());
        old.release();
        return old;
    }

    /**
     * Loads dir and swaps it in with no failed request; refuses a folder that does not load and
     * keeps serving the old model.
     *
     * @return {@code {"model": new version, "previous": old version, "dir": …}}
     * @throws ApiException 409 while another reload runs, 422 when dir does not load
     */
    public Map<String, Object> reload(Path dir) {
        if (!reloading.tryLock()) {
            throw new ApiException(409, "another reload or item addition is running; try again when it has finished");
        }
        try {
            if (stopping) {
                throw ApiException.unavailable("the server is shutting down", 1);
            }
            LoadedModel next;
            try {
                next = LoadedModel.load(dir, backend, dataset);
            } catch (IOException | RuntimeException e) {
                metrics.reload(false);
                String old = current.get().version;
                LOG.warn("reload of {} refused: {}", dir, e.getMessage());
                throw new ApiException(422, "could not load " + dir + ": " + oneLine(e) + "; still serving " + old);
            }
            try {
                warmUp(next);
            } catch (RuntimeException e) {
                next.release();
                metrics.reload(false);
                throw new ApiException(
                        422,
                        "model " + dir + " loaded but failed a warm-up request: " + oneLine(e) + "; still serving "
                                + current.get().version);
            }
            LoadedModel old = swap(next);
            metrics.reload(true);
            LOG.info("reloaded: now serving {} (was {})", next.version, old.version);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", next.version);
            r.put("previous", old.version);
            r.put("dir", next.dir.toString());
            return r;
        } finally {
            reloading.unlock();
        }
    }

    /** One request on a new model before it serves, so that the first real request does not pay for the engine's warm-up. */
    private static void warmUp(LoadedModel m) {
        int[] events = m.data.config().eventTypes() > 0 ? new int[] {0} : null;
        m.recommender(m.rerank).recommend(new int[] {1}, events, 1, true);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private ApiException translate(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 404 -> notFound(ctx);
            case 413 -> tooLarge();
            default -> new ApiException(e.getStatus(), e.getMessage());
        };
    }

    private static ApiException notFound(Context ctx) {
        return ApiException.notFound(
                "no route " + ctx.method().name() + " " + ctx.path() + "; the API is described at /openapi.json");
    }

    private static ApiException unexpected(Throwable t) {
        if (t instanceof ApiException a) {
            return a;
        }
        if (t instanceof RecsysException || t instanceof IllegalArgumentException) {
            return ApiException.badRequest(oneLine(t));
        }
        LOG.error("request failed", t);
        return new ApiException(
                500, "internal error: " + t.getClass().getSimpleName() + " (the server's log has the details)");
    }

    private static void error(Context ctx, ApiException e) {
        if (e.retryAfterSeconds() != null) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        ctx.status(e.status()).contentType(JSON_TYPE).result(errorJson(e));
    }

    private static byte[] errorJson(ApiException e) {
        return errorJson(e.status(), e.getMessage());
    }

    /** The body of every error answer, ours and {@link JsonErrorHandler}'s: {@code {"error": …, "status": N}}. */
    static byte[] errorJson(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        return json(body).getBytes(StandardCharsets.UTF_8);
    }

    private static void reply(Context ctx, int status, Object body) {
        ctx.status(status).contentType(JSON_TYPE).result(json(body));
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = RecsysServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the recsys-serve jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port the server listens on. */
    public int port() {
        return app.port();
    }

    /** The base address, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create("http://" + h + ":" + port() + "/");
    }

    /** The version of the model served now ({@code folder@sha256-prefix}). */
    public String modelVersion() {
        LoadedModel m = current.get();
        return m == null ? null : m.version;
    }

    /** Every route registered with the HTTP server, as {@code "METHOD /path"} (for checks against the OpenAPI file). */
    public List<String> routes() {
        synchronized (routes) {
            return routes.stream().filter(r -> !stubs.contains(r)).toList();
        }
    }

    /**
     * Runs fn on the model served now, without HTTP, holding a reference for the call (so a
     * reload cannot close it underneath): the in-process baseline of a load test.
     */
    public <T> T withRecommender(Function<Recommender, T> fn) {
        return withRecommender(-1, fn);
    }

    /**
     * As {@link #withRecommender(Function)} with another re-ranking depth.
     *
     * @param rerank candidates re-ranked by stage 2, or -1 for the model's own depth
     */
    public <T> T withRecommender(int rerank, Function<Recommender, T> fn) {
        LoadedModel m = acquire();
        try {
            return fn.apply(m.recommender(rerank < 0 ? m.rerank : rerank));
        } finally {
            m.release();
        }
    }

    /** The model's dense ids of external item ids (as the API reads a history). */
    public int[] denseIds(List<String> items) {
        LoadedModel m = acquire();
        try {
            int[] out = new int[items.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = m.catalogue.item(items.get(i));
                if (out[i] == 0) {
                    throw new IllegalArgumentException(
                            "unknown item '" + items.get(i) + "': not in the model's catalogue");
                }
            }
            return out;
        } finally {
            m.release();
        }
    }

    /** Worker threads of the scoring pool. */
    public int workers() {
        return pool.getMaximumPoolSize();
    }

    /**
     * Graceful stop: no new connections, requests in flight finish (up to the shutdown timeout),
     * then the model is closed. Safe to call twice.
     */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        long t0 = System.nanoTime();
        app.stop();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "requests still scoring after {} ms; closing the model anyway",
                        config.shutdownTimeout().toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LoadedModel m = current.getAndSet(null);
        if (m != null) {
            m.release();
        }
        LOG.info("stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
}
