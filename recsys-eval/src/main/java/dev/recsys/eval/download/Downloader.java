package dev.recsys.eval.download;

import dev.recsys.api.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads archives into a cache folder, verifies them against their published checksum before
 * use, and extracts them safely. Layout under the cache folder: {@code <name>.zip} (kept, verified
 * again whenever it is used without a completed extraction) and {@code <name>/} (the extraction,
 * with a {@code .verified} marker holding the MD5 once extraction finished). A download goes to
 * {@code <name>.zip.part} and is only moved into place once its checksum matches; a mismatch deletes
 * it and fails with both checksums.
 */
public final class Downloader {
    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);
    private static final String MARKER = ".verified";

    private final Path cacheDir;
    private final HttpClient client;
    private final Duration timeout;

    /** A downloader with a default HTTP client (redirects followed) and a 30-minute timeout. */
    public Downloader(Path cacheDir) {
        this(
                cacheDir,
                HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(30))
                        .build(),
                Duration.ofMinutes(30));
    }

    /** A downloader with the given client and per-request timeout. */
    public Downloader(Path cacheDir, HttpClient client, Duration timeout) {
        this.cacheDir = cacheDir;
        this.client = client;
        this.timeout = timeout;
    }

    /** The default cache folder: {@code $RECSYS_CACHE}, else {@code ~/.cache/recsys}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("RECSYS_CACHE");
        return env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "recsys");
    }

    /** Fetches an official MovieLens archive; returns the folder holding its data files. */
    public Path fetch(MovieLensArchive archive) throws IOException {
        return fetch(archive.spec());
    }

    /**
     * Makes {@code spec} available: reuses a verified extraction, else verifies or downloads the zip,
     * then extracts it.
     *
     * @return the folder holding the data files ({@code <cache>/<name>/<folder>})
     */
    public Path fetch(ArchiveSpec spec) throws IOException {
        Files.createDirectories(cacheDir);
        Path dir = cacheDir.resolve(spec.name());
        Path data = dir.resolve(spec.folder());
        Path marker = dir.resolve(MARKER);
        if (Files.isDirectory(data)
                && Files.exists(marker)
                && Files.readString(marker, StandardCharsets.US_ASCII).trim().equals(spec.md5())) {
            LOG.debug("using verified {} at {}", spec.name(), data);
            return data;
        }
        Path zip = cacheDir.resolve(spec.name() + ".zip");
        if (Files.exists(zip)) {
            String found = md5(zip);
            if (!found.equals(spec.md5())) {
                LOG.warn("cached {} has MD5 {}, expected {}; downloading it again", zip, found, spec.md5());
                Files.delete(zip);
            }
        }
        if (!Files.exists(zip)) {
            download(spec, zip);
        }
        Files.deleteIfExists(marker);
        int n = ZipExtractor.extract(zip, dir);
        if (!Files.isDirectory(data)) {
            throw new DataException(
                    zip + ": expected the folder '" + spec.folder() + "' inside the archive, it was not there");
        }
        Files.writeString(marker, spec.md5() + "\n", StandardCharsets.US_ASCII);
        LOG.info("extracted {} files of {} into {}", n, zip, dir);
        return data;
    }

    private void download(ArchiveSpec spec, Path zip) throws IOException {
        Path part = zip.resolveSibling(zip.getFileName() + ".part");
        LOG.info("downloading {} to {}", spec.url(), zip);
        HttpRequest req =
                HttpRequest.newBuilder(spec.url()).timeout(timeout).GET().build();
        HttpResponse<Path> resp;
        try {
            resp = client.send(req, HttpResponse.BodyHandlers.ofFile(part));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Files.deleteIfExists(part);
            throw new IOException("download of " + spec.url() + " interrupted", e);
        }
        if (resp.statusCode() != 200) {
            Files.deleteIfExists(part);
            throw new IOException("download of " + spec.url() + " failed: HTTP " + resp.statusCode());
        }
        String found = md5(part);
        if (!found.equals(spec.md5())) {
            Files.deleteIfExists(part);
            throw new DataException(
                    spec.url() + ": MD5 checksum mismatch: expected " + spec.md5() + " (published), found " + found
                            + "; the download is corrupt or the file changed upstream, so it was deleted and not used");
        }
        Files.move(part, zip, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** MD5 of a file, lower-case hex. */
    public static String md5(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
