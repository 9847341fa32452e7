package dev.recsys.examples.example;

import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.serve.RecsysServer;
import dev.recsys.serve.ServerConfig;
import java.nio.file.Path;

/**
 * Serving a checkpoint folder from your own program with {@code recsys-serve} (what
 * {@code recsys serve} does): {@code POST /v1/recommend} with {@code {"history": [...], "k": 10}}
 * on 127.0.0.1, and the other endpoints of the README's "Serving" section.
 * Run: {@code java -cp recsys-examples/target/recsys.jar dev.recsys.examples.example.ServeRecommendationsExample model/ [port]}.
 */
public final class ServeRecommendationsExample {
    private ServeRecommendationsExample() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
        Backend backend = Backends.create(null, BackendOptions.defaults());
        RecsysServer server = RecsysServer.start(
                model, backend, null, ServerConfig.builder().port(port).build());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close(); // finishes the requests in flight, then closes the model
            backend.close();
        }));
        System.out.println("serving " + server.modelVersion() + " on " + server.uri() + " (Ctrl-C stops)");
        Thread.currentThread().join();
    }
}
