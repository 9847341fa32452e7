package dev.recsys.serve;

import java.time.Duration;

/**
 * Settings of a {@link RecsysServer}. Build with {@link #builder()}; every field has a default.
 *
 * @param host            address to bind ({@code 127.0.0.1}, loopback, by default)
 * @param port            TCP port, 0 for any free one
 * @param engineThreads   the backend's intra-op threads (sizes the worker pool)
 * @param workers         scoring threads; 0 = {@code max(1, cores / engineThreads)}
 * @param queue           requests that may wait for a worker; more are answered 503 with {@code Retry-After}
 * @param timeout         per-request time limit, from arrival to answer (a request still waiting then is not run)
 * @param maxBodyBytes    largest request body
 * @param maxK            largest k a request may ask for
 * @param maxBatch        most requests in one batch
 * @param maxHistory      most item ids in one history or exclude list
 * @param defaultK        k when a request does not say
 * @param apiKey          key for the {@code /admin} endpoints ({@code Authorization: Bearer KEY} or {@code X-API-Key}); null = open
 * @param shutdownTimeout how long a graceful stop waits for requests in flight
 */
public record ServerConfig(
        String host,
        int port,
        int engineThreads,
        int workers,
        int queue,
        Duration timeout,
        long maxBodyBytes,
        int maxK,
        int maxBatch,
        int maxHistory,
        int defaultK,
        String apiKey,
        Duration shutdownTimeout) {
    public static final String LOOPBACK = "127.0.0.1";

    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must be set, e.g. " + LOOPBACK);
        }
        check("port", port, 0, 65535);
        check("engineThreads", engineThreads, 1, 1024);
        check("workers", workers, 0, 1024);
        check("queue", queue, 0, 1_000_000);
        check("maxK", maxK, 1, Integer.MAX_VALUE);
        check("maxBatch", maxBatch, 1, 100_000);
        check("maxHistory", maxHistory, 1, 10_000_000);
        check("defaultK", defaultK, 1, maxK);
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes must be >= 1, found " + maxBodyBytes);
        }
        if (timeout == null
                || timeout.isNegative()
                || timeout.isZero()
                || shutdownTimeout == null
                || shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "timeout must be > 0 and shutdownTimeout >= 0, found " + timeout + ", " + shutdownTimeout);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey must not be blank; leave it unset for open admin endpoints");
        }
    }

    private static void check(String name, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", found " + v);
        }
    }

    /** The worker threads: {@link #workers} when set, else {@code max(1, cores / engineThreads)}. */
    public int workerThreads() {
        return workers > 0 ? workers : Math.max(1, Runtime.getRuntime().availableProcessors() / engineThreads);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the defaults of {@code recsys serve}. */
    public static final class Builder {
        private String host = LOOPBACK;
        private int port = 8080;
        private int engineThreads = 1;
        private int workers;
        private int queue = 64;
        private Duration timeout = Duration.ofSeconds(5);
        private long maxBodyBytes = 1 << 20;
        private int maxK = 1000;
        private int maxBatch = 256;
        private int maxHistory = 10_000;
        private int defaultK = 10;
        private String apiKey;
        private Duration shutdownTimeout = Duration.ofSeconds(30);

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder engineThreads(int v) {
            engineThreads = v;
            return this;
        }

        public Builder workers(int v) {
            workers = v;
            return this;
        }

        public Builder queue(int v) {
            queue = v;
            return this;
        }

        public Builder timeout(Duration v) {
            timeout = v;
            return this;
        }

        public Builder maxBodyBytes(long v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder maxK(int v) {
            maxK = v;
            return this;
        }

        public Builder maxBatch(int v) {
            maxBatch = v;
            return this;
        }

        public Builder maxHistory(int v) {
            maxHistory = v;
            return this;
        }

        public Builder defaultK(int v) {
            defaultK = v;
            return this;
        }

        public Builder apiKey(String v) {
            apiKey = v;
            return this;
        }

        public Builder shutdownTimeout(Duration v) {
            shutdownTimeout = v;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(
                    host,
                    port,
                    engineThreads,
                    workers,
                    queue,
                    timeout,
                    maxBodyBytes,
                    maxK,
                    maxBatch,
                    maxHistory,
                    defaultK,
                    apiKey,
                    shutdownTimeout);
        }
    }
}
