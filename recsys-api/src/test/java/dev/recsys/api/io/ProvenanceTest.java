package dev.recsys.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {

    @Test
    void fingerprintOfBytesIsTheStandardSha256() throws Exception {
        // FIPS 180-2 test vectors
        assertThat(Provenance.fingerprint("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Provenance.fingerprint(new byte[0]))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void fingerprintOfAFileEqualsThatOfItsBytes(@TempDir Path dir) throws Exception {
        byte[] b = new byte[200_000];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31);
        }
        Path f = dir.resolve("data.txt");
        Files.write(f, b);
        assertThat(Provenance.fingerprint(f)).isEqualTo(Provenance.fingerprint(b));
    }

    @Test
    void fingerprintOfIntArraysFollowsTheDocumentedEncoding() throws Exception {
        int[] a = {1, 2, -3};
        int[] b = {70000};
        ByteBuffer enc = ByteBuffer.allocate(8 + 12 + 8 + 4).order(ByteOrder.LITTLE_ENDIAN);
        enc.putLong(3).putInt(1).putInt(2).putInt(-3).putLong(1).putInt(70000);
        String expected =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(enc.array()));
        assertThat(Provenance.fingerprint(a, b)).isEqualTo(expected);
        // the length prefix keeps different splits apart
        assertThat(Provenance.fingerprint(new int[] {1, 2}, new int[] {3}))
                .isNotEqualTo(Provenance.fingerprint(new int[] {1}, new int[] {2, 3}));
    }

    @Test
    void largeArraysHashTheSameAsTheirEncoding() throws Exception {
        int[] big = new int[100_003];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 7919;
        }
        ByteBuffer enc = ByteBuffer.allocate(8 + 4 * big.length).order(ByteOrder.LITTLE_ENDIAN);
        enc.putLong(big.length);
        for (int v : big) {
            enc.putInt(v);
        }
        String expected =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(enc.array()));
        assertThat(Provenance.fingerprint(big)).isEqualTo(expected);
        assertThat(new Provenance.Hasher().add("x").add(5L).hex())
                .isEqualTo(HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256")
                                .digest(ByteBuffer.allocate(17)
                                        .order(ByteOrder.LITTLE_ENDIAN)
                                        .putLong(1)
                                        .put((byte) 'x')
                                        .putLong(5)
                                        .array())));
    }

    @Test
    void roundTripsThroughJsonIncludingNulls() {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("model", Json.normalize(Map.of("dim", 48, "dropout", 0.15f)));
        cfg.put("note", "x");
        Provenance p = new Provenance(
                cfg,
                "abc123",
                42L,
                "djl",
                null,
                "0.1.0",
                "17.0.9 (Eclipse)",
                "Linux 6.1 (amd64)",
                null,
                Instant.parse("2025-03-01T10:15:30.123456Z"));
        Provenance back = Json.read(Json.pretty(p), Provenance.class, "provenance");
        assertThat(back).isEqualTo(p);
        assertThat(Json.write(p))
                .isEqualTo("{\"config\":{\"model\":{\"dim\":48,\"dropout\":0.15},\"note\":\"x\"},"
                        + "\"dataFingerprint\":\"abc123\",\"seed\":42,\"backend\":\"djl\",\"engineVersion\":null,\"recsysVersion\":\"0.1.0\","
                        + "\"javaVersion\":\"17.0.9 (Eclipse)\",\"os\":\"Linux 6.1 (amd64)\",\"gitCommit\":null,"
                        + "\"created\":\"2025-03-01T10:15:30.123456Z\"}");
    }

    @Test
    void captureFillsInThisJvmAndPrefersTheCommitProperty() {
        String old = System.getProperty(Provenance.GIT_COMMIT_PROPERTY);
        System.setProperty(Provenance.GIT_COMMIT_PROPERTY, "0123456789abcdef0123456789abcdef01234567");
        try {
            Instant before = Instant.now();
            Provenance p = Provenance.capture(Map.of("dim", 64), null, 7L, "reference", null);
            assertThat(p.gitCommit()).isEqualTo("0123456789abcdef0123456789abcdef01234567");
            assertThat(p.javaVersion()).startsWith(System.getProperty("java.version"));
            assertThat(p.os()).contains(System.getProperty("os.arch"));
            assertThat(p.recsysVersion()).isNotBlank();
            assertThat(p.created()).isBetween(before, Instant.now());
            assertThat(p.config()).isEqualTo(Map.of("dim", 64L));
        } finally {
            if (old == null) {
                System.clearProperty(Provenance.GIT_COMMIT_PROPERTY);
            } else {
                System.setProperty(Provenance.GIT_COMMIT_PROPERTY, old);
            }
        }
    }

    @Test
    void readsHeadFromGitFilesWithoutRunningGit(@TempDir Path dir) throws Exception {
        String sha = "89abcdef0123456789abcdef0123456789abcdef";
        Files.writeString(dir.resolve("pom.xml"), "<project><artifactId>recsys-parent</artifactId></project>");
        Path git = Files.createDirectories(dir.resolve(".git/refs/heads"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(git.resolve("main"), sha + "\n");
        Path sub = Files.createDirectories(dir.resolve("recsys-api/target"));
        assertThat(Provenance.headOfCheckout(sub)).isEqualTo(sha);

        // packed refs
        Files.delete(git.resolve("main"));
        Files.writeString(dir.resolve(".git/packed-refs"), "# pack-refs with: peeled\n" + sha + " refs/heads/main\n");
        assertThat(Provenance.headOfCheckout(dir)).isEqualTo(sha);

        // detached HEAD
        Files.writeString(dir.resolve(".git/HEAD"), sha.replace('8', '7') + "\n");
        assertThat(Provenance.headOfCheckout(dir)).isEqualTo(sha.replace('8', '7'));

        // another project's checkout is not ours
        Files.writeString(dir.resolve("pom.xml"), "<project><artifactId>other</artifactId></project>");
        assertThat(Provenance.headOfCheckout(dir)).isNull();
    }

    @Test
    @SuppressWarnings("unchecked")
    void missingOrInvalidFieldsAreNamed() {
        Provenance p = new Provenance(Map.of(), null, 1L, "djl", null, "dev", "17", "Linux", null, Instant.EPOCH);
        Map<String, Object> m = Json.read(Json.write(p), LinkedHashMap.class, "p");
        m.remove("backend");
        assertThatThrownBy(() -> Json.read(Json.write(m), Provenance.class, "provenance"))
                .hasMessage("provenance: missing key \"backend\"");
        m.put("backend", "djl");
        m.put("created", "yesterday");
        assertThatThrownBy(() -> Json.read(Json.write(m), Provenance.class, "provenance"))
                .hasMessage(
                        "provenance: created: expected an ISO-8601 instant such as 2025-01-31T12:00:00Z, found the string \"yesterday\"");
        m.put("created", Instant.EPOCH.toString());
        m.put("extra", 1);
        assertThatThrownBy(() -> Json.read(Json.write(m), Provenance.class, "provenance"))
                .hasMessageStartingWith("provenance: unknown key \"extra\"");
        assertThatThrownBy(
                        () -> new Provenance(Map.of(), null, 1L, " ", null, "dev", "17", "Linux", null, Instant.EPOCH))
                .hasMessageContaining("backend must be a non-empty string");
    }
}
