package dev.recsys.examples.cli;

import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.Backends;
import dev.recsys.eval.data.Dataset;
import dev.recsys.serve.RecsysServer;
import dev.recsys.serve.ServerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code recsys serve}: the recommendation service of {@code recsys-serve} on a checkpoint folder
 * until Ctrl-C or SIGTERM, which stop it gracefully (requests in flight finish, then the model and
 * the engine close).
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a model over HTTP: POST /v1/recommend, /v1/recommend/batch, GET /v1/items/{id}/similar, /health, "
                    + "/ready, /metrics, /openapi.json, POST /admin/reload. Ctrl-C stops it gracefully."
        })
final class ServeCommand implements Callable<Integer> {
    /** Environment variable read for the admin API key when --api-key is not given. */
    static final String API_KEY_ENV = "RECSYS_API_KEY";

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder.")
    Path model;

    @Mixin
    OptionalDataOptions data;

    @Option(
            names = "--host",
            defaultValue = ServerConfig.LOOPBACK,
            description =
                    "Address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every interface).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "TCP port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description =
                    "Key the /admin endpoints require (default: $" + API_KEY_ENV + "; unset = open, fine on loopback).")
    String apiKey;

    @Option(names = "--workers", defaultValue = "0", description = "Scoring threads (default: cores / --threads).")
    int workers;

    @Option(
            names = "--queue",
            defaultValue = "64",
            description = "Requests that may wait for a worker; more get 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(
            names = "--timeout-ms",
            defaultValue = "5000",
            description = "Per-request time limit (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(
            names = "--max-body",
            defaultValue = "1048576",
            paramLabel = "BYTES",
            description = "Largest request body (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Mixin
    EngineOptions engine;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ServerConfig config;
        try {
            config = ServerConfig.builder()
                    .host(host)
                    .port(port)
                    .engineThreads(engine.options().threads())
                    .workers(workers)
                    .queue(queue)
                    .timeout(Duration.ofMillis(timeoutMs))
                    .maxBodyBytes(maxBody)
                    .apiKey(apiKey != null ? apiKey : blankToNull(System.getenv(API_KEY_ENV)))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Dataset d = data.loadOrNull();
        Backend backend = Backends.create(engine.backend(), engine.options());
        RecsysServer server;
        try {
            server = RecsysServer.start(model, backend, d, config);
        } catch (Exception | Error e) {
            backend.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean closing = new AtomicBoolean();
        Runnable stop = () -> {
            if (closing.compareAndSet(false, true)) {
                server.close();
                backend.close();
                stopped.countDown();
            }
        };
        Thread hook = new Thread(
                () -> {
                    stop.run();
                    try {
                        stopped.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "recsys-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("serving " + server.modelVersion() + " on " + server.uri() + " with " + server.workers()
                + " workers (" + backend.name() + "); try: curl -s " + server.uri()
                + "v1/recommend -d '{\"history\": [...], \"k\": 10}'");
        out.println("Ctrl-C stops it gracefully");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            // the embedding program (a test) stops the command by interrupting it
            stop.run();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return Main.OK;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
