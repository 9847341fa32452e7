package dev.recsys.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The load generator's own client against the real service: counts, statuses and errors as the server answered. */
@Timeout(60)
class LoadGeneratorTest {
    @TempDir
    static Path dir;

    static Backend backend;
    static RecsysServer server;

    @BeforeAll
    static void setUp() throws IOException {
        backend = Backends.create("djl", BackendOptions.defaults());
        server = RecsysServer.start(
                Fixtures.checkpoint(dir.resolve("m"), 1),
                backend,
                null,
                ServerConfig.builder().port(0).build());
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void combinedRunsAddCountsAndTimesAndMergeLatencies() {
        LoadGenerator.Result a =
                new LoadGenerator.Result(3, 1, Map.of(200, 2L, 503, 1L), 0, 1.5, new double[] {1, 4, 9});
        LoadGenerator.Result b = new LoadGenerator.Result(2, 1, Map.of(200, 1L), 1, 0.5, new double[] {2, 3});
        LoadGenerator.Result c = LoadGenerator.Result.combined(List.of(a, b));
        assertThat(c.requests()).isEqualTo(5);
        assertThat(c.failed()).isEqualTo(2);
        assertThat(c.transportErrors()).isEqualTo(1);
        assertThat(c.byStatus()).isEqualTo(Map.of(200, 3L, 503, 1L));
        assertThat(c.seconds()).isEqualTo(2.0);
        assertThat(c.perSecond()).isEqualTo(2.5);
        assertThat(c.latencyMillis()).containsExactly(1, 2, 3, 4, 9);
        assertThat(c.quantile(0.5)).isEqualTo(3);
        assertThat(c.max()).isEqualTo(9);
    }

    @Test
    void countsEveryAnswerByStatusOverKeptAliveConnections() throws Exception {
        String ok = "{\"history\": [\"101\", \"102\"], \"k\": 3}";
        String unknown = "{\"history\": [\"101\", \"999\"]}";
        String malformed = "{\"history\": [";
        LoadGenerator.Result r = LoadGenerator.run(
                server.uri().resolve("v1/recommend"),
                List.of(ok, unknown, ok, malformed),
                3,
                Duration.ofSeconds(30),
                200);
        assertThat(r.requests()).isEqualTo(200);
        assertThat(r.byStatus()).isEqualTo(Map.of(200, 100L, 400, 100L));
        assertThat(r.failed()).isEqualTo(100);
        assertThat(r.transportErrors()).isZero();
        assertThat(r.latencyMillis()).hasSize(200);
        assertThat(r.quantile(0.5)).isPositive().isLessThanOrEqualTo(r.quantile(0.99));
        assertThat(r.max()).isEqualTo(r.latencyMillis()[199]);
    }

    @Test
    void opensANewConnectionAfterEveryReconnectEveryAnswers() throws Exception {
        try (CountingServer counting = new CountingServer()) {
            URI u = URI.create("http://127.0.0.1:" + counting.port() + "/x");
            LoadGenerator.Result kept = LoadGenerator.run(u, List.of("{}"), 1, Duration.ofSeconds(30), 10, 0);
            assertThat(kept.byStatus()).isEqualTo(Map.of(200, 10L));
            assertThat(counting.accepted.get()).isEqualTo(1);
            // 10 answers, a new connection after every 3: 3 + 3 + 3 + 1
            LoadGenerator.Result renewed = LoadGenerator.run(u, List.of("{}"), 1, Duration.ofSeconds(30), 10, 3);
            assertThat(renewed.byStatus()).isEqualTo(Map.of(200, 10L));
            assertThat(counting.accepted.get()).isEqualTo(1 + 4);
        }
    }

    /** An HTTP/1.1 server that answers every request 200 with an empty JSON object and counts connections. */
    private static final class CountingServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        final Thread acceptor = new Thread(this::serve, "counting-server");

        CountingServer() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (java.net.Socket c = socket.accept()) {
                    accepted.incrementAndGet();
                    java.io.DataInputStream in =
                            new java.io.DataInputStream(new java.io.BufferedInputStream(c.getInputStream()));
                    java.io.OutputStream out = c.getOutputStream();
                    while (true) {
                        int length = -1;
                        String line;
                        while ((line = readLine(in)) != null && !line.isEmpty()) {
                            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                                length = Integer.parseInt(line.substring(15).trim());
                            }
                        }
                        if (line == null) {
                            break;
                        }
                        in.readFully(new byte[Math.max(0, length)]);
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        out.flush();
                    }
                } catch (IOException e) {
                    // the client went away or the server closed: take the next connection
                }
            }
        }

        private static String readLine(java.io.InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            for (int ch = in.read(); ch != '\n'; ch = in.read()) {
                if (ch < 0) {
                    return null;
                }
                if (ch != '\r') {
                    b.append((char) ch);
                }
            }
            return b.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aPathThatIsNotThereIsCountedAsItsStatus() throws Exception {
        LoadGenerator.Result r =
                LoadGenerator.run(server.uri().resolve("nowhere?x=1"), List.of("{}"), 1, Duration.ofSeconds(30), 5);
        assertThat(r.byStatus()).isEqualTo(Map.of(404, 5L));
        assertThat(r.failed()).isEqualTo(5);
    }

    @Test
    void aServerThatIsNotThereGivesTransportErrorsNotAnException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LoadGenerator.Result r = LoadGenerator.run(
                URI.create("http://127.0.0.1:" + port + "/v1/recommend"), List.of("{}"), 2, Duration.ofSeconds(30), 6);
        assertThat(r.requests()).isZero();
        assertThat(r.transportErrors()).isEqualTo(6);
        assertThat(r.failed()).isEqualTo(6);
    }

    @Test
    void refusesWhatItCannotSpeak() {
        assertThatThrownBy(() -> LoadGenerator.run(
                        URI.create("https://127.0.0.1:1/x"), List.of("{}"), 1, Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plain http");
        assertThatThrownBy(() -> LoadGenerator.run(server.uri(), List.of(), 1, Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bodies non-empty");
    }
}
