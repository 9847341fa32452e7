package dev.recsys.api.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a model or a result came from: enough to repeat the run or to tell two runs apart.
 *
 * <p>In JSON (model.json) every component is a key, {@code created} an ISO-8601 string; reading
 * requires every key (the nullable ones may be null).
 *
 * @param config          a summary of the configuration (JSON values: maps, lists, strings, numbers, e.g.
 *                        the model and train configs as maps); stored normalised ({@link Json#normalize}), unmodifiable
 * @param dataFingerprint SHA-256 of the training data ({@link #fingerprint(int[][])}), or null when unknown
 * @param seed            the run's single seed
 * @param backend         backend name ({@code djl}, {@code dl4j}, {@code reference}, ...)
 * @param engineVersion   the engine and its version, or null for engine-free code
 * @param recsysVersion   recsys version: the jar's {@code Implementation-Version}, else its Maven
 *                        {@code pom.properties} version, else {@code dev}
 * @param javaVersion     {@code java.version} and vendor
 * @param os              {@code os.name os.version (os.arch)}
 * @param gitCommit       the recsys source commit when known, else null
 * @param created         when the record was made (written as ISO-8601)
 */
public record Provenance(
        Map<String, Object> config,
        String dataFingerprint,
        long seed,
        String backend,
        String engineVersion,
        String recsysVersion,
        String javaVersion,
        String os,
        String gitCommit,
        Instant created) {
    private static final Logger LOG = LoggerFactory.getLogger(Provenance.class);
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

    /** System property that names the recsys source commit. */
    public static final String GIT_COMMIT_PROPERTY = "recsys.git.commit";

    public Provenance {
        config = Collections.unmodifiableMap(Json.normalize(config == null ? Map.of() : config));
        nonBlank("backend", backend);
        nonBlank("recsysVersion", recsysVersion);
        nonBlank("javaVersion", javaVersion);
        nonBlank("os", os);
        if (created == null) {
            throw new IllegalArgumentException("provenance created time must be set");
        }
    }

    private static void nonBlank(String field, String v) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("provenance " + field + " must be a non-empty string, found "
                    + (v == null ? "null" : "\"" + v + "\""));
        }
    }

    /** Provenance of a run now, on this JVM: versions, OS, git commit and time are filled in. */
    public static Provenance capture(
            Map<String, Object> config, String dataFingerprint, long seed, String backend, String engineVersion) {
        return new Provenance(
                config,
                dataFingerprint,
                seed,
                backend,
                engineVersion,
                currentRecsysVersion(),
                currentJavaVersion(),
                currentOs(),
                currentGitCommit(),
                Instant.now());
    }

    // ---------------------------------------------------------------------------------- environment

    /**
     * The recsys version: {@code Implementation-Version} of the jar's manifest, else the version
     * in the jar's {@code META-INF/maven/dev.recsys/recsys-api/pom.properties}, else {@code dev}
     * (classes run from a build folder).
     */
    public static String currentRecsysVersion() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        if (v != null && !v.isBlank()) {
            return v;
        }
        try (InputStream in =
                Provenance.class.getResourceAsStream("/META-INF/maven/dev.recsys/recsys-api/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String pv = p.getProperty("version");
                if (pv != null && !pv.isBlank()) {
                    return pv.trim();
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot read pom.properties: {}", e.toString());
        }
        return "dev";
    }

    public static String currentJavaVersion() {
        return System.getProperty("java.version", "unknown") + " ("
                + System.getProperty("java.vendor", "unknown vendor") + ")";
    }

    public static String currentOs() {
        return System.getProperty("os.name", "unknown") + " " + System.getProperty("os.version", "") + " ("
                + System.getProperty("os.arch", "unknown") + ")";
    }

    /**
     * The recsys source commit: the system property {@value #GIT_COMMIT_PROPERTY}, else the
     * environment variable {@code RECSYS_GIT_COMMIT}, else — when the working directory is inside
     * a recsys source checkout (a folder with {@code .git} and a {@code pom.xml} of
     * {@code recsys-parent}) — its {@code HEAD}, read from the {@code .git} files without running
     * git; else null.
     */
    public static String currentGitCommit() {
        String p = System.getProperty(GIT_COMMIT_PROPERTY);
        if (p != null && !p.isBlank()) {
            return p.trim();
        }
        String env = System.getenv("RECSYS_GIT_COMMIT");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return headOfCheckout(Path.of("").toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read the git commit: {}", e.toString());
            return null;
        }
    }

    /** HEAD of the recsys checkout containing dir, or null. */
    static String headOfCheckout(Path dir) throws IOException {
        for (Path d = dir; d != null; d = d.getParent()) {
            Path git = d.resolve(".git");
            Path pom = d.resolve("pom.xml");
            if (Files.exists(git) && Files.isRegularFile(pom)) {
                if (!Files.readString(pom, StandardCharsets.UTF_8).contains("<artifactId>recsys-parent</artifactId>")) {
                    return null;
                }
                return readHead(git);
            }
        }
        return null;
    }

    /** Resolves HEAD of a .git folder (or a worktree's .git file) to a commit hash, or null. */
    static String readHead(Path git) throws IOException {
        Path gitDir = git;
        if (Files.isRegularFile(git)) {
            String s = Files.readString(git, StandardCharsets.UTF_8).trim();
            if (!s.startsWith("gitdir:")) {
                return null;
            }
            gitDir = git.getParent()
                    .resolve(s.substring("gitdir:".length()).trim())
                    .normalize();
        }
        Path common = gitDir;
        Path commondir = gitDir.resolve("commondir");
        if (Files.isRegularFile(commondir)) {
            common = gitDir.resolve(
                            Files.readString(commondir, StandardCharsets.UTF_8).trim())
                    .normalize();
        }
        String head =
                Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8).trim();
        if (COMMIT.matcher(head).matches()) {
            return head;
        }
        if (!head.startsWith("ref:")) {
            return null;
        }
        String ref = head.substring(4).trim();
        for (Path base : List.of(gitDir, common)) {
            Path loose = base.resolve(ref);
            if (Files.isRegularFile(loose)) {
                String h = Files.readString(loose, StandardCharsets.UTF_8).trim();
                return COMMIT.matcher(h).matches() ? h : null;
            }
        }
        Path packed = common.resolve("packed-refs");
        if (Files.isRegularFile(packed)) {
            for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                String[] parts = line.trim().split(" ");
                if (parts.length == 2
                        && parts[1].equals(ref)
                        && COMMIT.matcher(parts[0]).matches()) {
                    return parts[0];
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------- fingerprints

    /** SHA-256 (lower-case hex) of the bytes as they are: equals {@code sha256sum} of a file with these bytes. */
    public static String fingerprint(byte[] bytes) {
        MessageDigest md = sha256();
        md.update(bytes);
        return HexFormat.of().formatHex(md.digest());
    }

    /** SHA-256 (lower-case hex) of a file's bytes, streamed. */
    public static String fingerprint(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * SHA-256 (lower-case hex) of a sequence of int arrays, e.g. the item ids of every user in
     * order. Encoding (see {@link Hasher#add(int[])}): for each array its length as an 8-byte
     * little-endian integer, then its values as 4-byte little-endian integers; so
     * {@code [1,2],[3]} and {@code [1],[2,3]} differ.
     */
    public static String fingerprint(int[]... arrays) {
        Hasher h = new Hasher();
        for (int[] a : arrays) {
            h.add(a);
        }
        return h.hex();
    }

    /** SHA-256 over a documented, unambiguous encoding of values added in order. */
    public static final class Hasher {
        private final MessageDigest md = sha256();
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 14).order(ByteOrder.LITTLE_ENDIAN);

        /** Adds the array's length (8 bytes LE) then its values (4 bytes LE each). */
        public Hasher add(int[] values) {
            add((long) values.length);
            for (int v : values) {
                if (buf.remaining() < 4) {
                    flush();
                }
                buf.putInt(v);
            }
            return this;
        }

        /** Adds a long as 8 bytes LE. */
        public Hasher add(long v) {
            if (buf.remaining() < 8) {
                flush();
            }
            buf.putLong(v);
            return this;
        }

        /** Adds the byte length (8 bytes LE) then the bytes. */
        public Hasher add(byte[] bytes) {
            add((long) bytes.length);
            flush();
            md.update(bytes);
            return this;
        }

        /** Adds a string as its UTF-8 bytes, length first. */
        public Hasher add(String s) {
            return add(s.getBytes(StandardCharsets.UTF_8));
        }

        /** The lower-case hex digest; the hasher must not be used afterwards. */
        public String hex() {
            flush();
            return HexFormat.of().formatHex(md.digest());
        }

        private void flush() {
            buf.flip();
            md.update(buf);
            buf.clear();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must provide", e);
        }
    }
}
