package dev.recsys.api.spi;

import java.nio.file.Path;

/**
 * Engine settings common to every backend.
 *
 * @param threads        intra-op threads (1 is fastest on small shared machines; see docs/ENGINES.md)
 * @param interopThreads inter-op threads
 * @param cacheDir       where natives are extracted; null = the engine's default under the user's cache folder
 */
public record BackendOptions(int threads, int interopThreads, Path cacheDir) {
    public BackendOptions {
        if (threads < 1 || interopThreads < 1) {
            throw new IllegalArgumentException(
                    "threads and interopThreads must be >= 1, found " + threads + ", " + interopThreads);
        }
    }

    public static BackendOptions defaults() {
        return new BackendOptions(1, 1, null);
    }

    public BackendOptions withThreads(int n) {
        return new BackendOptions(n, interopThreads, cacheDir);
    }
}
