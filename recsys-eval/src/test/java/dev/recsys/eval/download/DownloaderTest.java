package dev.recsys.eval.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.recsys.api.DataException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs against a local HTTP server; no real network. */
class DownloaderTest {
    private HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            byte[] body = files.get(ex.getRequestURI().getPath());
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static byte[] zip(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bo)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return bo.toByteArray();
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    @Test
    void downloadsVerifiesExtractsAndThenUsesTheCache(@TempDir Path cache) throws Exception {
        byte[] z = zip(Map.of("ml-tiny/u.data", "1\t2\t5\t100\n", "ml-tiny/README", "hello"));
        files.put("/ml-tiny.zip", z);
        ArchiveSpec spec = new ArchiveSpec("ml-tiny", url("/ml-tiny.zip"), md5(z), "ml-tiny");
        Downloader d = new Downloader(cache);
        Path data = d.fetch(spec);
        assertThat(data).isEqualTo(cache.resolve("ml-tiny/ml-tiny"));
        assertThat(Files.readString(data.resolve("u.data"))).isEqualTo("1\t2\t5\t100\n");
        assertThat(cache.resolve("ml-tiny.zip")).exists();
        assertThat(requests.get()).isEqualTo(1);
        assertThat(d.fetch(spec)).isEqualTo(data);
        assertThat(requests.get()).as("second fetch is served from the cache").isEqualTo(1);
    }

    @Test
    void aChecksumMismatchDeletesTheDownloadAndFails(@TempDir Path cache) throws Exception {
        byte[] z = zip(Map.of("x/a.txt", "a"));
        files.put("/x.zip", z);
        ArchiveSpec spec = new ArchiveSpec("x", url("/x.zip"), "00000000000000000000000000000000", "x");
        assertThatThrownBy(() -> new Downloader(cache).fetch(spec))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("MD5 checksum mismatch")
                .hasMessageContaining(md5(z));
        try (var s = Files.list(cache)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void aCorruptedCachedZipIsDownloadedAgain(@TempDir Path cache) throws Exception {
        byte[] z = zip(Map.of("y/a.txt", "a"));
        files.put("/y.zip", z);
        Files.write(cache.resolve("y.zip"), new byte[] {1, 2, 3});
        Path data = new Downloader(cache).fetch(new ArchiveSpec("y", url("/y.zip"), md5(z), "y"));
        assertThat(Files.readString(data.resolve("a.txt"))).isEqualTo("a");
        assertThat(requests.get()).isEqualTo(1);
    }

    @Test
    void httpErrorsAreReported(@TempDir Path cache) {
        ArchiveSpec spec =
                new ArchiveSpec("missing", url("/missing.zip"), "0e33842e24a9c977be4e0107933c0723", "missing");
        assertThatThrownBy(() -> new Downloader(cache).fetch(spec))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("HTTP 404");
        assertThat(cache.resolve("missing.zip.part")).doesNotExist();
    }

    @Test
    void zipEntriesEscapingTheTargetAreRefused(@TempDir Path tmp) throws Exception {
        Path target = tmp.resolve("out");
        for (String evil : new String[] {"../evil.txt", "a/../../evil.txt", "/abs/evil.txt"}) {
            Path zipFile = tmp.resolve("evil.zip");
            Files.write(zipFile, zip(Map.of(evil, "pwned")));
            assertThatThrownBy(() -> ZipExtractor.extract(zipFile, target))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining("refusing to extract");
            assertThat(tmp.resolve("evil.txt")).doesNotExist();
        }
        Path ok = tmp.resolve("ok.zip");
        Files.write(ok, zip(Map.of("d/./inner/../f.txt", "fine")));
        assertThat(ZipExtractor.extract(ok, target)).isEqualTo(1);
        assertThat(Files.readString(target.resolve("d/f.txt"))).isEqualTo("fine");
    }

    @Test
    void theOfficialListCarriesThePublishedChecksums() {
        assertThat(MovieLensArchive.ML_100K.spec().md5()).isEqualTo("0e33842e24a9c977be4e0107933c0723");
        assertThat(MovieLensArchive.ML_1M.spec().url())
                .hasToString("https://files.grouplens.org/datasets/movielens/ml-1m.zip");
        assertThat(MovieLensArchive.byId("ml-10m").spec().folder()).isEqualTo("ml-10M100K");
        assertThat(MovieLensArchive.ML_20M.spec(URI.create("http://mirror/x")).url())
                .hasToString("http://mirror/x/ml-20m.zip");
        assertThatThrownBy(() -> MovieLensArchive.byId("ml-2m")).hasMessageContaining("known: ml-100k, ml-1m");
    }
}
