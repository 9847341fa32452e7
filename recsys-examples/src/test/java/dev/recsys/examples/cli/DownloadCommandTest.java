package dev.recsys.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recsys data download} without the internet: a loopback mirror and a pre-verified cache. */
class DownloadCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Run(code, o.toString(), e.toString());
    }

    @Test
    void aDownloadWithTheWrongChecksumIsDeletedAndRefused() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            byte[] body = "PK not really a MovieLens zip".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        try {
            Path cache = dir.resolve("cache");
            Run r = run(
                    "data",
                    "download",
                    "ml-100k",
                    "--cache",
                    cache.toString(),
                    "--mirror",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/mirror/");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).contains("checksum mismatch").contains("0e33842e24a9c977be4e0107933c0723");
            assertThat(requests.get()).isEqualTo(1);
            try (Stream<Path> s = Files.list(cache)) {
                assertThat(s).isEmpty(); // neither the zip nor the .part is left
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aVerifiedCopyInTheCacheIsReusedWithoutDownloading() throws IOException {
        Path cache = dir.resolve("cache");
        Path data = cache.resolve("ml-100k/ml-100k");
        Files.createDirectories(data);
        Files.writeString(data.resolve("u.data"), "1\t1\t5\t881250949\n");
        Files.writeString(cache.resolve("ml-100k/.verified"), "0e33842e24a9c977be4e0107933c0723\n");
        // the mirror is a closed port: any request would fail
        Run r = run("data", "download", "ml-100k", "--cache", cache.toString(), "--mirror", "http://127.0.0.1:9/");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("verified ml-100k").contains("--data ml-100k:" + data.toAbsolutePath());
    }

    @Test
    void unknownArchiveAndBadMirrorAreExitCodeTwo() {
        Run unknown = run("data", "download", "ml-2m", "--cache", dir.toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown MovieLens archive 'ml-2m'").contains("ml-1m");
        Run mirror = run("data", "download", "ml-1m", "--cache", dir.toString(), "--mirror", "ftp://example.org/");
        assertThat(mirror.code()).isEqualTo(2);
        assertThat(mirror.err()).contains("--mirror must be an http or https address");
    }

    @Test
    void helpWorksOnTheNewCommands() {
        for (String[] c : new String[][] {{"compare", "--help"}, {"bench", "--help"}, {"data", "download", "--help"}}) {
            Run r = run(c);
            assertThat(r.code()).as(String.join(" ", c)).isZero();
            assertThat(r.out()).as(String.join(" ", c)).contains("Usage:");
        }
    }
}
