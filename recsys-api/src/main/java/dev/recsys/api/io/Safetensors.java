package dev.recsys.api.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.recsys.api.CheckpointException;
import dev.recsys.api.model.Weights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reader and writer of the standard <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format:
 *
 * <pre>
 * [8 bytes]  N, the header length, unsigned little-endian
 * [N bytes]  UTF-8 JSON object: {"__metadata__": {string: string},           (optional)
 *                                "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
 *            padded with spaces so that 8 + N is a multiple of 8 (the writer does this; the reader
 *            accepts any N)
 * [rest]     the data section: each tensor's row-major little-endian bytes at [begin, end),
 *            offsets relative to the start of the data section
 * </pre>
 *
 * <p>Reading validates what the reference implementation validates, and fails with a
 * {@link CheckpointException} naming the file: the header length against the file size
 * ("truncated"), the header being a JSON object ("not a safetensors file"), known dtypes, no
 * duplicate names, {@code shape × dtype size == end - begin}, offsets inside the data section
 * ("points outside the file"), no overlaps, no gaps, and the data section size equal to the
 * sum of the tensors. F32, F64, F16 and BF16 tensors are read as {@code float[]}; I32, I64, U32,
 * U64, I16, U16, I8, U8 and BOOL tensors as {@code int[]} (64-bit values outside the int range
 * are refused). F8 dtypes are refused with a message. Data is read in bulk through a
 * {@link FileChannel}.
 *
 * <p>Writing produces F32 and I32 tensors, in the order they were added, with
 * {@code __metadata__} first; the file is written atomically (temp file, fsync, rename).
 */
public final class Safetensors {
    /** The reserved header key of the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";
    /** Largest header accepted (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final int CHUNK = 1 << 20;

    private Safetensors() {}

    /** Element types of the safetensors format. */
    public enum Dtype {
        BOOL(1),
        U8(1),
        I8(1),
        F8_E5M2(1),
        F8_E4M3(1),
        I16(2),
        U16(2),
        F16(2),
        BF16(2),
        I32(4),
        U32(4),
        F32(4),
        F64(8),
        I64(8),
        U64(8);

        private final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }

        /** Whether recsys reads this dtype as {@code float[]}. */
        public boolean readsAsFloat() {
            return this == F32 || this == F64 || this == F16 || this == BF16;
        }

        /** Whether recsys reads this dtype as {@code int[]}. */
        public boolean readsAsInt() {
            return !readsAsFloat() && this != F8_E5M2 && this != F8_E4M3;
        }

        static Dtype parse(String s) {
            for (Dtype d : values()) {
                if (d.name().equals(s)) {
                    return d;
                }
            }
            return null;
        }
    }

    /**
     * One tensor's header entry.
     *
     * @param name  tensor name
     * @param dtype element type
     * @param shape dimensions (may be empty for a scalar)
     * @param begin first byte in the data section
     * @param end   one past the last byte in the data section
     */
    public record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end) {
        /** Number of elements (product of the shape; 1 for a scalar). */
        public long elements() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        /** The shape as ints (every dimension of a readable tensor fits). */
        public int[] intShape() {
            int[] r = new int[shape.length];
            for (int k = 0; k < shape.length; k++) {
                r[k] = Math.toIntExact(shape[k]);
            }
            return r;
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
        }
    }

    /**
     * A validated header.
     *
     * @param file         the file it was read from
     * @param tensors      tensors in header order
     * @param metadata     the {@code __metadata__} map (empty when absent)
     * @param headerLength N, the JSON header's length in bytes
     * @param dataStart    file offset of the data section ({@code 8 + N})
     * @param dataLength   bytes in the data section
     */
    public record Header(
            Path file,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata,
            long headerLength,
            long dataStart,
            long dataLength) {}

    /** Reads and validates the header of a safetensors file without reading the data. */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(ch, file);
        }
    }

    /** Reads a whole safetensors file, converting every tensor to {@code float[]} or {@code int[]}. */
    public static Tensors read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(ch, file);
            Map<String, Object> data = new LinkedHashMap<>();
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorInfo t : h.tensors().values()) {
                data.put(t.name(), readTensor(ch, h, t, buf));
            }
            return new Tensors(h, data);
        }
    }

    /** Reads a file whose tensors are all floating point as named weights, in header order. */
    public static Weights readWeights(Path file) throws IOException {
        return read(file).toWeights();
    }

    /** Writes weights as F32 tensors, in their order, with the given metadata; atomic. */
    public static void write(Path file, Weights weights, Map<String, String> metadata) throws IOException {
        writer().metadata(metadata).weights(weights).write(file);
    }

    /** A writer to which tensors and metadata are added before {@link Writer#write}. */
    public static Writer writer() {
        return new Writer();
    }

    // ---------------------------------------------------------------------------------- reading

    static Header readHeader(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw fail(
                    file,
                    "truncated: the file has " + size
                            + " bytes, fewer than the 8-byte header length that starts a safetensors file");
        }
        ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lb, 0, file);
        long n = lb.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw fail(
                    file,
                    "not a safetensors file: its first 8 bytes give a header length of " + Long.toUnsignedString(n)
                            + " bytes, more than the " + MAX_HEADER_BYTES + " a safetensors header may have");
        }
        if (n < 2) {
            throw fail(file, "not a safetensors file: header length " + n + " is too short for a JSON object");
        }
        if (8 + n > size) {
            throw fail(
                    file,
                    "truncated: the header length says " + n + " bytes of JSON follow, but the file has only "
                            + (size - 8) + " bytes after the length");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8, file);
        hb.flip();
        if (hb.get(0) != '{') {
            throw fail(
                    file,
                    "not a safetensors file: the header does not start with '{' (found byte 0x"
                            + Integer.toHexString(hb.get(0) & 0xff) + ")");
        }
        String text;
        try {
            CharBuffer cb = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(hb);
            text = cb.toString();
        } catch (CharacterCodingException e) {
            throw fail(file, "not a safetensors file: the header is not UTF-8 text");
        }
        JsonNode json;
        try {
            json = Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            if (Json.duplicateKey(e) != null) {
                throw fail(file, "duplicate tensor name " + Json.quote(Json.duplicateKey(e)) + " in the header");
            }
            throw fail(
                    file, "not a safetensors file: the header is not a JSON object (header: " + Json.problem(e) + ")");
        }
        if (json == null || !json.isObject()) {
            throw fail(
                    file,
                    "not a safetensors file: the header is not a JSON object (found " + Json.describe(json) + ")");
        }
        long dataStart = 8 + n;
        long dataLength = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) json::fields) {
            if (e.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, e.getValue());
            } else {
                tensors.put(e.getKey(), tensorInfo(file, e.getKey(), e.getValue()));
            }
        }
        checkLayout(file, tensors, dataLength);
        return new Header(
                file,
                Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata),
                n,
                dataStart,
                dataLength);
    }

    private static Map<String, String> metadata(Path file, JsonNode v) {
        if (!v.isObject()) {
            throw fail(file, "__metadata__ must be an object of strings, found " + Json.describe(v));
        }
        Map<String, String> r = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) v::fields) {
            if (!e.getValue().isTextual()) {
                throw fail(
                        file,
                        "__metadata__ value of " + Json.quote(e.getKey()) + " must be a string, found "
                                + Json.describe(e.getValue()));
            }
            r.put(e.getKey(), e.getValue().textValue());
        }
        return r;
    }

    private static TensorInfo tensorInfo(Path file, String name, JsonNode m) {
        String what = "tensor " + Json.quote(name);
        if (!m.isObject()) {
            throw fail(
                    file, what + ": expected an object with dtype, shape and data_offsets, found " + Json.describe(m));
        }
        for (String k : (Iterable<String>) m::fieldNames) {
            if (!Set.of("dtype", "shape", "data_offsets").contains(k)) {
                throw fail(
                        file, what + ": unexpected key " + Json.quote(k) + " (expected dtype, shape and data_offsets)");
            }
        }
        JsonNode dt = m.path("dtype");
        if (!dt.isTextual()) {
            throw fail(file, what + ": expected a dtype string, found " + Json.describe(dt));
        }
        String dts = dt.textValue();
        Dtype dtype = Dtype.parse(dts);
        if (dtype == null) {
            throw fail(
                    file, what + ": unknown dtype " + Json.quote(dts) + "; known: " + Arrays.toString(Dtype.values()));
        }
        long[] shape = longs(file, what + " shape", m.path("shape"), -1);
        long[] off = longs(file, what + " data_offsets", m.path("data_offsets"), 2);
        long elements = 1;
        for (long s : shape) {
            try {
                elements = Math.multiplyExact(elements, s);
            } catch (ArithmeticException e) {
                throw fail(file, what + ": shape " + Arrays.toString(shape) + " has more elements than 2^63");
            }
        }
        if (off[0] > off[1]) {
            throw fail(file, what + ": data_offsets " + Arrays.toString(off) + " end before they begin");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException e) {
            throw fail(file, what + ": shape " + Arrays.toString(shape) + " is too large");
        }
        if (bytes != off[1] - off[0]) {
            throw fail(
                    file,
                    what + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
                            + " bytes, but data_offsets " + Arrays.toString(off) + " span " + (off[1] - off[0]));
        }
        return new TensorInfo(name, dtype, shape, off[0], off[1]);
    }

    private static long[] longs(Path file, String what, JsonNode l, int expectedLength) {
        if (!l.isArray()) {
            throw fail(file, what + ": expected an array of non-negative integers, found " + Json.describe(l));
        }
        if (expectedLength >= 0 && l.size() != expectedLength) {
            throw fail(file, what + ": expected " + expectedLength + " integers [begin, end], found " + l.size());
        }
        long[] r = new long[l.size()];
        for (int k = 0; k < r.length; k++) {
            JsonNode x = l.get(k);
            if (!x.isIntegralNumber() || !x.canConvertToLong() || x.longValue() < 0) {
                throw fail(file, what + ": expected non-negative integers, found " + Json.describe(x));
            }
            r[k] = x.longValue();
        }
        return r;
    }

    /** Offsets: no overlap, no gap, inside the file, and covering the data section exactly. */
    private static void checkLayout(Path file, Map<String, TensorInfo> tensors, long dataLength) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expectedBegin = 0;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < expectedBegin) {
                throw fail(
                        file,
                        "tensors " + Json.quote(prev.name()) + " [" + prev.begin() + ", " + prev.end() + ") and "
                                + Json.quote(t.name()) + " [" + t.begin() + ", " + t.end() + ") overlap");
            }
            if (t.begin() > expectedBegin) {
                throw fail(
                        file,
                        "gap of " + (t.begin() - expectedBegin) + " bytes before tensor " + Json.quote(t.name())
                                + " at data offset " + expectedBegin
                                + ": tensors must cover the data section contiguously");
            }
            expectedBegin = t.end();
            prev = t;
        }
        if (expectedBegin > dataLength) {
            TensorInfo out = sorted.stream()
                    .filter(t -> t.end() > dataLength)
                    .findFirst()
                    .orElseThrow();
            throw fail(
                    file,
                    "truncated: the tensors need " + expectedBegin + " bytes of data, but the file holds only "
                            + dataLength + " after the header (" + (expectedBegin - dataLength) + " missing; tensor "
                            + Json.quote(out.name()) + " [" + out.begin() + ", " + out.end()
                            + ") points outside the file)");
        }
        if (expectedBegin < dataLength) {
            throw fail(
                    file,
                    "the data section holds " + dataLength + " bytes but the tensors cover only " + expectedBegin + ": "
                            + (dataLength - expectedBegin)
                            + " unexpected trailing bytes (corrupt header or foreign data)");
        }
    }

    private static Object readTensor(FileChannel ch, Header h, TensorInfo t, ByteBuffer buf) throws IOException {
        Path file = h.file();
        if (!t.dtype().readsAsFloat() && !t.dtype().readsAsInt()) {
            throw fail(
                    file,
                    "tensor " + Json.quote(t.name()) + " has dtype " + t.dtype()
                            + ", which recsys cannot convert; supported: F32, F64, F16, BF16 (read as float) and I32, I64, U32, U64, I16, U16, I8, U8, BOOL (read as int)");
        }
        long elements = t.elements();
        if (elements > Integer.MAX_VALUE - 8) {
            throw fail(
                    file,
                    "tensor " + Json.quote(t.name()) + " has " + elements + " elements, more than a Java array holds");
        }
        int count = (int) elements;
        int per = t.dtype().bytes();
        int perChunk = CHUNK / per;
        Object out = t.dtype().readsAsFloat() ? new float[count] : new int[count];
        long pos = h.dataStart() + t.begin();
        for (int done = 0; done < count; ) {
            int k = Math.min(perChunk, count - done);
            buf.clear().limit(k * per);
            readFully(ch, buf, pos, file);
            buf.flip();
            convert(file, t, buf, out, done, k);
            done += k;
            pos += (long) k * per;
        }
        return out;
    }

    private static void convert(Path file, TensorInfo t, ByteBuffer b, Object out, int off, int k) {
        switch (t.dtype()) {
            case F32 -> b.asFloatBuffer().get((float[]) out, off, k);
            case I32 -> b.asIntBuffer().get((int[]) out, off, k);
            case F64 -> {
                float[] f = (float[]) out;
                for (int j = 0; j < k; j++) {
                    f[off + j] = (float) b.getDouble(j * 8);
                }
            }
            case F16 -> {
                float[] f = (float[]) out;
                for (int j = 0; j < k; j++) {
                    f[off + j] = halfToFloat(b.getShort(j * 2));
                }
            }
            case BF16 -> {
                float[] f = (float[]) out;
                for (int j = 0; j < k; j++) {
                    f[off + j] = Float.intBitsToFloat((b.getShort(j * 2) & 0xffff) << 16);
                }
            }
            case I64, U64, U32 -> {
                int[] a = (int[]) out;
                for (int j = 0; j < k; j++) {
                    long v = t.dtype() == Dtype.U32 ? b.getInt(j * 4) & 0xffffffffL : b.getLong(j * 8);
                    if (v != (int) v || (t.dtype() == Dtype.U64 && v < 0)) {
                        throw fail(
                                file,
                                "tensor " + Json.quote(t.name()) + " (" + t.dtype() + ") element " + (off + j) + " = "
                                        + (t.dtype() == Dtype.U64 ? Long.toUnsignedString(v) : Long.toString(v))
                                        + " does not fit in a 32-bit int");
                    }
                    a[off + j] = (int) v;
                }
            }
            case I16 -> {
                int[] a = (int[]) out;
                for (int j = 0; j < k; j++) {
                    a[off + j] = b.getShort(j * 2);
                }
            }
            case U16 -> {
                int[] a = (int[]) out;
                for (int j = 0; j < k; j++) {
                    a[off + j] = b.getShort(j * 2) & 0xffff;
                }
            }
            case I8 -> {
                int[] a = (int[]) out;
                for (int j = 0; j < k; j++) {
                    a[off + j] = b.get(j);
                }
            }
            case U8, BOOL -> {
                int[] a = (int[]) out;
                for (int j = 0; j < k; j++) {
                    a[off + j] = b.get(j) & 0xff;
                }
            }
            default -> throw new IllegalStateException("unreachable dtype " + t.dtype());
        }
    }

    /** IEEE 754 binary16 to float (exact: every half is a float). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                throw fail(file, "truncated: unexpected end of file at byte " + p);
            }
            p += r;
        }
    }

    private static CheckpointException fail(Path file, String problem) {
        return new CheckpointException(file + ": " + problem);
    }

    // ---------------------------------------------------------------------------------- results

    /** The tensors of a file, loaded and converted. */
    public static final class Tensors {
        private final Header header;
        private final Map<String, Object> data;

        Tensors(Header header, Map<String, Object> data) {
            this.header = header;
            this.data = data;
        }

        public Header header() {
            return header;
        }

        /** The {@code __metadata__} map (empty when absent). */
        public Map<String, String> metadata() {
            return header.metadata();
        }

        /** Tensor names in header order. */
        public List<String> names() {
            return List.copyOf(header.tensors().keySet());
        }

        public boolean contains(String name) {
            return data.containsKey(name);
        }

        /** The header entry of name; fails naming the known tensors when absent. */
        public TensorInfo info(String name) {
            TensorInfo t = header.tensors().get(name);
            if (t == null) {
                throw fail(
                        header.file(),
                        "no tensor named " + Json.quote(name) + "; found "
                                + header.tensors().keySet());
            }
            return t;
        }

        public int[] shape(String name) {
            return info(name).intShape();
        }

        /** A floating-point tensor's values (F32/F64/F16/BF16 converted to float). */
        public float[] floats(String name) {
            TensorInfo t = info(name);
            if (!(data.get(name) instanceof float[] f)) {
                throw fail(
                        header.file(),
                        "tensor " + Json.quote(name) + " has dtype " + t.dtype()
                                + ", expected a floating-point dtype (F32)");
            }
            return f;
        }

        /** An integer tensor's values (I32 and the other integer dtypes converted to int). */
        public int[] ints(String name) {
            TensorInfo t = info(name);
            if (!(data.get(name) instanceof int[] a)) {
                throw fail(
                        header.file(),
                        "tensor " + Json.quote(name) + " has dtype " + t.dtype() + ", expected an integer dtype (I32)");
            }
            return a;
        }

        /** All tensors as float weights, in header order; fails when one is an integer tensor. */
        public Weights toWeights() {
            Weights w = new Weights();
            for (String name : header.tensors().keySet()) {
                w.put(name, shape(name), floats(name));
            }
            return w;
        }
    }

    // ---------------------------------------------------------------------------------- writing

    /** Collects tensors and metadata and writes them as one safetensors file. */
    public static final class Writer {
        private record Entry(Dtype dtype, int[] shape, float[] floats, int[] ints) {
            long bytes() {
                return 4L * (floats != null ? floats.length : ints.length);
            }
        }

        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        Writer() {}

        /** Adds a metadata entry. */
        public Writer metadata(String key, String value) {
            if (key == null || value == null) {
                throw new IllegalArgumentException(
                        "metadata keys and values must not be null, found " + key + "=" + value);
            }
            metadata.put(key, value);
            return this;
        }

        /** Adds all entries of a metadata map (null = none). */
        public Writer metadata(Map<String, String> m) {
            if (m != null) {
                m.forEach(this::metadata);
            }
            return this;
        }

        /** Adds a float32 tensor (the array is written as is, not copied). */
        public Writer f32(String name, int[] shape, float[] data) {
            check(name, shape, data == null ? -1 : data.length);
            entries.put(name, new Entry(Dtype.F32, shape.clone(), data, null));
            return this;
        }

        /** Adds an int32 tensor (the array is written as is, not copied). */
        public Writer i32(String name, int[] shape, int[] data) {
            check(name, shape, data == null ? -1 : data.length);
            entries.put(name, new Entry(Dtype.I32, shape.clone(), null, data));
            return this;
        }

        /** Adds every tensor of w as F32, in its order. */
        public Writer weights(Weights w) {
            for (Map.Entry<String, Weights.Tensor> e : w.asMap().entrySet()) {
                f32(e.getKey(), e.getValue().shape(), e.getValue().data());
            }
            return this;
        }

        private void check(String name, int[] shape, int length) {
            if (name == null || name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("tensor name must be non-empty and not " + METADATA_KEY + ", found "
                        + Json.quote(String.valueOf(name)));
            }
            if (entries.containsKey(name)) {
                throw new IllegalArgumentException("duplicate tensor name " + Json.quote(name));
            }
            if (length < 0) {
                throw new IllegalArgumentException("tensor " + Json.quote(name) + " has no data");
            }
            long n = 1;
            for (int s : shape) {
                if (s < 0) {
                    throw new IllegalArgumentException(
                            "tensor " + Json.quote(name) + " has a negative dimension in " + Arrays.toString(shape));
                }
                n *= s;
            }
            if (n != length) {
                throw new IllegalArgumentException("tensor " + Json.quote(name) + ": shape " + Arrays.toString(shape)
                        + " needs " + n + " values, found " + length);
            }
        }

        /** The JSON header, space-padded so that {@code 8 + length} is a multiple of 8. */
        byte[] header() {
            Map<String, Object> h = new LinkedHashMap<>();
            if (!metadata.isEmpty()) {
                h.put(METADATA_KEY, new LinkedHashMap<String, Object>(metadata));
            }
            long offset = 0;
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                Entry t = e.getValue();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dtype", t.dtype().name());
                List<Object> shape = new ArrayList<>();
                for (int s : t.shape()) {
                    shape.add((long) s);
                }
                m.put("shape", shape);
                m.put("data_offsets", List.of(offset, offset + t.bytes()));
                offset += t.bytes();
                h.put(e.getKey(), m);
            }
            byte[] json = Json.write(h).getBytes(StandardCharsets.UTF_8);
            int padded = (json.length + 7) / 8 * 8;
            byte[] out = Arrays.copyOf(json, padded);
            Arrays.fill(out, json.length, padded, (byte) ' ');
            return out;
        }

        /** Size in bytes of the file this writer produces. */
        public long fileSize() {
            long n = 8 + header().length;
            for (Entry e : entries.values()) {
                n += e.bytes();
            }
            return n;
        }

        /** Writes the file atomically (temp file in the same folder, fsync, rename). */
        public void write(Path file) throws IOException {
            AtomicFiles.write(file, this::writeTo);
        }

        /** Writes the file's bytes to a channel at its position. */
        void writeTo(FileChannel ch) throws IOException {
            byte[] header = header();
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length);
            buf.flip();
            AtomicFiles.writeFully(ch, buf);
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            for (Entry e : entries.values()) {
                int n = e.floats() != null ? e.floats().length : e.ints().length;
                for (int done = 0; done < n; ) {
                    int k = Math.min(CHUNK / 4, n - done);
                    buf.clear();
                    if (e.floats() != null) {
                        buf.asFloatBuffer().put(e.floats(), done, k);
                    } else {
                        buf.asIntBuffer().put(e.ints(), done, k);
                    }
                    buf.limit(k * 4);
                    AtomicFiles.writeFully(ch, buf);
                    done += k;
                }
            }
        }

        @Override
        public String toString() {
            return "Safetensors.Writer" + entries.keySet();
        }
    }
}
