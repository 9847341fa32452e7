package dev.recsys.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.model.Weights;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** 8-byte little-endian length, header bytes, data bytes: the layout built independently of the writer. */
    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    private static byte[] le(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static byte[] le(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private Path put(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void writerProducesExactlyTheHandBuiltBytes() throws Exception {
        // 112 bytes of JSON, already a multiple of 8: no padding, the data starts at 8 + 112 = 120
        String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"t\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[16,28]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        byte[] expected = file(padded, concat(le(1f, -2.5f, 0f, 3.25e-5f), le(1, 7, -3)));
        assertThat(padded).isEqualTo(json).hasSize(112);

        Path out = dir.resolve("w.safetensors");
        Safetensors.writer()
                .f32("w", new int[] {2, 2}, new float[] {1f, -2.5f, 0f, 3.25e-5f})
                .i32("t", new int[] {3}, new int[] {1, 7, -3})
                .write(out);
        assertThat(Files.readAllBytes(out)).isEqualTo(expected);

        // with metadata (written first) and a header that needs padding: 91 bytes + 5 spaces
        String json2 =
                "{\"__metadata__\":{\"producer\":\"recsys\"},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] expected2 = file(json2 + "     ", le(0.1f));
        Path out2 = dir.resolve("m.safetensors");
        Safetensors.writer()
                .metadata("producer", "recsys")
                .f32("x", new int[] {1}, new float[] {0.1f})
                .write(out2);
        assertThat(Files.readAllBytes(out2)).isEqualTo(expected2);
        assertThat(expected2.length).isEqualTo(8 + 96 + 4);
    }

    @Test
    void readerParsesAHandBuiltFileInAnyKeyOrderWithMetadata() throws Exception {
        // tensors listed in the header in another order than in the data, keys in another order,
        // whitespace, and a header length that is not padded to 8
        String header = "{ \"b\": {\"data_offsets\": [0, 4], \"shape\": [], \"dtype\": \"I32\"},\n"
                + "  \"__metadata__\": {\"format\": \"pt\"},\n"
                + "  \"a.weight\": {\"shape\": [1, 3], \"dtype\": \"F32\", \"data_offsets\": [4, 16]} }";
        Path p = put("hand.safetensors", file(header, concat(le(42), le(0.5f, -1f, Float.MIN_VALUE))));

        Safetensors.Tensors t = Safetensors.read(p);
        assertThat(t.names()).containsExactly("b", "a.weight");
        assertThat(t.metadata()).isEqualTo(Map.of("format", "pt"));
        assertThat(t.ints("b")).containsExactly(42);
        assertThat(t.shape("b")).isEmpty();
        assertThat(t.shape("a.weight")).containsExactly(1, 3);
        assertThat(t.floats("a.weight")).containsExactly(0.5f, -1f, Float.MIN_VALUE);
        Safetensors.Header h = t.header();
        assertThat(h.headerLength()).isEqualTo(header.getBytes(StandardCharsets.UTF_8).length);
        assertThat(h.dataLength()).isEqualTo(16);
        assertThat(t.info("a.weight").begin()).isEqualTo(4);
        assertThatThrownBy(() -> t.floats("b"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("I32");
        assertThatThrownBy(() -> t.info("c")).hasMessageContaining("no tensor named \"c\"");
    }

    @Test
    void writeThenReadIsIdenticalBitForBit() throws Exception {
        Random r = new Random(3);
        Weights w = new Weights();
        float[] big = new float[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = Float.intBitsToFloat(r.nextInt()); // includes NaN payloads, infinities, subnormals
        }
        w.put("big", new int[] {600, 500}, big);
        w.put("scalar", new int[] {}, new float[] {-0f});
        w.put("empty", new int[] {0, 4}, new float[0]);
        Path p = dir.resolve("rt.safetensors");
        Safetensors.write(p, w, Map.of("k", "v"));

        Safetensors.Tensors t = Safetensors.read(p);
        assertThat(t.metadata()).isEqualTo(Map.of("k", "v"));
        Weights back = t.toWeights();
        assertThat(back.names()).containsExactly("big", "scalar", "empty");
        for (String n : w.names()) {
            assertThat(back.get(n).shape()).isEqualTo(w.get(n).shape());
            int[] a = bits(w.data(n));
            int[] b = bits(back.data(n));
            assertThat(b).isEqualTo(a);
        }
        assertThat(Files.size(p))
                .isEqualTo(Safetensors.writer()
                        .metadata(Map.of("k", "v"))
                        .weights(w)
                        .fileSize());
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    @Test
    void aFileTruncatedByOneByteIsReportedAsTruncated() throws Exception {
        Path p = dir.resolve("t.safetensors");
        Safetensors.writer().f32("x", new int[] {4}, new float[] {1, 2, 3, 4}).write(p);
        byte[] all = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(all, all.length - 1));
        assertThatThrownBy(() -> Safetensors.read(p))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("1 missing");
        // cut inside the header and inside the length
        Files.write(p, Arrays.copyOf(all, 20));
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessageContaining("truncated");
        Files.write(p, Arrays.copyOf(all, 5));
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessageContaining("truncated");
    }

    @Test
    void offsetsOutsideTheFileAreRefused() throws Exception {
        Path p = put(
                "out.safetensors",
                file("{\"x\":{\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[0,400]}}", le(1f, 2f)));
        assertThatThrownBy(() -> Safetensors.read(p))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("\"x\" [0, 400) points outside the file");
    }

    @Test
    void overlappingTensorsAreRefused() throws Exception {
        Path p = put(
                "ov.safetensors",
                file(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                        le(new float[6])));
        assertThatThrownBy(() -> Safetensors.read(p))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("\"a\" [0, 16) and \"b\" [8, 24) overlap");
    }

    @Test
    void shapeThatDisagreesWithTheOffsetsIsRefused() throws Exception {
        Path p = put(
                "sh.safetensors",
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", le(new float[4])));
        assertThatThrownBy(() -> Safetensors.read(p))
                .hasMessageContaining("shape [3] of F32 needs 12 bytes, but data_offsets [0, 16] span 16");
    }

    @Test
    void gapsAndTrailingBytesAreRefused() throws Exception {
        Path gap = put(
                "gap.safetensors",
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", le(new float[2])));
        assertThatThrownBy(() -> Safetensors.read(gap)).hasMessageContaining("gap of 4 bytes");
        Path trail = put(
                "trail.safetensors",
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", le(new float[2])));
        assertThatThrownBy(() -> Safetensors.read(trail)).hasMessageContaining("4 unexpected trailing bytes");
    }

    @Test
    void duplicateNamesAreRefused() throws Exception {
        Path p = put(
                "dup.safetensors",
                file(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        le(new float[2])));
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessageContaining("duplicate tensor name \"a\"");
        assertThatThrownBy(() -> Safetensors.writer()
                        .f32("a", new int[] {1}, new float[1])
                        .f32("a", new int[] {1}, new float[1]))
                .hasMessageContaining("duplicate tensor name \"a\"");
    }

    @Test
    void unknownAndUnconvertibleDtypesAreRefusedWithTheirName() throws Exception {
        Path unknown =
                put("u.safetensors", file("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", le(1)));
        assertThatThrownBy(() -> Safetensors.read(unknown)).hasMessageContaining("unknown dtype \"Q4\"");
        Path f8 = put(
                "f8.safetensors", file("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", le(1)));
        assertThat(Safetensors.readHeader(f8).tensors().get("a").dtype()).isEqualTo(Safetensors.Dtype.F8_E4M3);
        assertThatThrownBy(() -> Safetensors.read(f8))
                .hasMessageContaining("dtype F8_E4M3, which recsys cannot convert");
    }

    @Test
    void otherDtypesConvertExactly() throws Exception {
        ByteBuffer d =
                ByteBuffer.allocate(8 * 2 + 2 * 4 + 2 * 2 + 8 * 2 + 2 + 4).order(ByteOrder.LITTLE_ENDIAN);
        d.putDouble(0.1).putDouble(-3e300); // F64 [0,16)
        d.putShort((short) 0x3C00)
                .putShort((short) 0xC000) // F16: 1, -2
                .putShort((short) 0x0001)
                .putShort((short) 0x7BFF); // 2^-24, 65504   [16,24)
        d.putShort((short) 0x3FC0).putShort((short) 0xFF80); // BF16: 1.5, -inf  [24,28)
        d.putLong(-5L).putLong(1L << 40); // I64 (second out of range) [28,44)
        d.put((byte) -1).put((byte) 1); // U8: 255, 1 [44,46)
        d.putInt(-1); // U32: 4294967295 -> out of range [46,50)
        String h = "{\"f64\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"f16\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[16,24]},"
                + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[24,28]},"
                + "\"i64\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[28,36]},"
                + "\"i64b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[36,44]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[44,46]},"
                + "\"u32\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[46,50]}}";
        Path p = put("types.safetensors", file(h, d.array()));
        assertThatThrownBy(() -> Safetensors.read(p))
                .hasMessageContaining("\"i64b\" (I64) element 0 = 1099511627776 does not fit");

        // the same without the out-of-range tensors
        ByteBuffer d2 = ByteBuffer.allocate(46).order(ByteOrder.LITTLE_ENDIAN);
        d2.put(Arrays.copyOf(d.array(), 36)).put(d.array(), 44, 2);
        String h2 = h.replace(",\"i64b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[36,44]}", "")
                .replace("[44,46]", "[36,38]")
                .replace(",\"u32\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[46,50]}", "");
        Path p2 = put("types2.safetensors", file(h2, Arrays.copyOf(d2.array(), 38)));
        Safetensors.Tensors t = Safetensors.read(p2);
        assertThat(t.floats("f64")).containsExactly(0.1f, Float.NEGATIVE_INFINITY);
        assertThat(t.floats("f16")).containsExactly(1f, -2f, 0x1p-24f, 65504f);
        assertThat(t.floats("bf16")).containsExactly(1.5f, Float.NEGATIVE_INFINITY);
        assertThat(t.ints("i64")).containsExactly(-5);
        assertThat(t.ints("u8")).containsExactly(255, 1);
    }

    @Test
    void halfPrecisionConversionMatchesTheDefinitionForAllValues() {
        for (int h = 0; h < 0x10000; h++) {
            int exp = (h >> 10) & 0x1f;
            int mant = h & 0x3ff;
            double sign = (h & 0x8000) != 0 ? -1 : 1;
            float got = Safetensors.halfToFloat((short) h);
            if (exp == 0x1f) {
                assertThat(mant == 0 ? Float.isInfinite(got) : Float.isNaN(got))
                        .as("half %04x", h)
                        .isTrue();
                continue;
            }
            double want =
                    exp == 0 ? sign * mant * Math.pow(2, -24) : sign * (1 + mant / 1024.0) * Math.pow(2, exp - 15);
            assertThat((double) got).as("half %04x", h).isEqualTo(want);
        }
    }

    @Test
    void randomBytesAndJsonFilesAreRefusedAsForeign() throws Exception {
        byte[] rnd = new byte[4096];
        new Random(5).nextBytes(rnd);
        rnd[7] = (byte) 0x80; // force a header length that is implausible whatever the other bytes are
        Path random = put("random.bin", rnd);
        assertThatThrownBy(() -> Safetensors.read(random))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("random.bin: not a safetensors file");
        Path json = put(
                "model.json",
                "{\"format\": \"recsys-checkpoint\", \"formatVersion\": 1}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Safetensors.read(json)).hasMessageContaining("not a safetensors file");
        // plausible length but the header is not JSON, or JSON but not an object of tensors
        Path notJson = put("nj.safetensors", file("{not json}", new byte[0]));
        assertThatThrownBy(() -> Safetensors.read(notJson))
                .hasMessageContaining("not a safetensors file")
                .hasMessageContaining("line 1, column 2")
                .hasMessageContaining("was expecting double-quote to start field name");
        Path arr = put("arr.safetensors", file("[1, 2, 3]", new byte[0]));
        assertThatThrownBy(() -> Safetensors.read(arr)).hasMessageContaining("not a safetensors file");
        Path notUtf8 = put("nu.safetensors", file("{\"\u00e9\":1}", new byte[0]));
        byte[] b = Files.readAllBytes(notUtf8);
        b[10] = (byte) 0xFF;
        Files.write(notUtf8, b);
        assertThatThrownBy(() -> Safetensors.read(notUtf8)).hasMessageContaining("not UTF-8");
        Path empty = put("empty.safetensors", new byte[0]);
        assertThatThrownBy(() -> Safetensors.read(empty)).hasMessageContaining("truncated");
    }

    @Test
    void malformedEntriesNameTheTensorAndTheProblem() throws Exception {
        Map<String, String> cases = Map.of(
                "{\"a\":1}",
                "tensor \"a\": expected an object",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}",
                "unexpected key \"x\"",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
                "tensor \"a\" shape: expected non-negative integers",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}",
                "expected 2 integers [begin, end], found 1",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}",
                "end before they begin",
                "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}",
                "expected a dtype string",
                "{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                "__metadata__ value of \"k\" must be a string");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path p = put("m" + i++ + ".safetensors", file(c.getKey(), le(1f)));
            assertThatThrownBy(() -> Safetensors.read(p))
                    .as(c.getKey())
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(c.getValue());
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTempFiles() throws Exception {
        Path p = dir.resolve("keep.safetensors");
        Safetensors.writer().f32("x", new int[] {1}, new float[] {7f}).write(p);
        byte[] before = Files.readAllBytes(p);
        float[] data = new float[10];
        Safetensors.Writer w = Safetensors.writer().f32("x", new int[] {10}, data);
        // a write that fails half way: the body throws after some bytes reached the temp file
        assertThatThrownBy(() -> AtomicFiles.write(p, ch -> {
                    w.writeTo(ch);
                    throw new java.io.IOException("disk full (simulated)");
                }))
                .hasMessageContaining("disk full");
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(x -> x.getFileName().toString()).toList()).containsExactly("keep.safetensors");
        }
        assertThat(Safetensors.read(p).floats("x")).containsExactly(7f);
    }

    @Test
    void aLargeFileLoadsQuickly() throws Exception {
        // 8M floats = 32 MB; the read goes through bulk channel reads, not byte by byte
        float[] big = new float[8 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f;
        }
        Path p = dir.resolve("big.safetensors");
        Safetensors.writer().f32("big", new int[] {big.length}, big).write(p);
        long t0 = System.nanoTime();
        float[] back = Safetensors.read(p).floats("big");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(back).isEqualTo(big);
        assertThat(ms).as("read time of 32 MB in ms").isLessThan(5_000);
        assertThat(Files.size(p)).isEqualTo(8L + 72 + 4L * big.length); // 69 bytes of header JSON padded to 72
    }
}
