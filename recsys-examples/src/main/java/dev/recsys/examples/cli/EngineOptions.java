package dev.recsys.examples.cli;

import dev.recsys.api.spi.BackendOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of every command that runs a model. */
public final class EngineOptions {
    @Option(
            names = "--backend",
            description =
                    "djl or dl4j (default: -Drecsys.backend, RECSYS_BACKEND, else the highest priority available).")
    String backend;

    @Option(
            names = "--threads",
            defaultValue = "1",
            description = "Engine threads (default: ${DEFAULT-VALUE}; one was fastest on 2 shared cores).")
    int threads;

    @Option(
            names = "--cache-dir",
            description = "Where the engine's natives are extracted (default: the engine's folder under ~/.cache).")
    Path cacheDir;

    public BackendOptions options() {
        return new BackendOptions(threads, 1, cacheDir);
    }

    public String backend() {
        return backend;
    }
}
