package dev.recsys.eval.data;

import dev.recsys.api.DataException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Streams a text file line by line as bytes (LF or CRLF endings, a UTF-8 byte-order mark is
 * skipped), splits lines into fields without creating objects, and parses numbers straight from
 * the bytes. Text fields are decoded strictly: a byte sequence that is not valid in the file's
 * charset raises a {@link DataException} naming file and line. A file that is not text at all (a
 * NUL byte on a line, as in binary and UTF-16 files, or a UTF-16 byte-order mark) fails the same
 * way, naming the encoding expected. Every parse error names file and line too, and quotes at most
 * {@value #QUOTE_CHARS} characters of the input ({@link #quote}). Not thread-safe; one scanner per
 * file.
 */
public final class LineScanner implements Closeable {
    /** The most characters of input an error message quotes. */
    public static final int QUOTE_CHARS = 100;

    private final InputStream in;
    private final String file;
    private final CharsetDecoder decoder;
    private final Charset charset;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;
    private byte[] line = new byte[256];
    private int lineLen;
    private long lineNo;
    private int[] fStart = new int[16];
    private int[] fEnd = new int[16];
    private boolean[] fQuoted = new boolean[16];
    private int fieldCount;

    /** Opens {@code path} (a file, not a folder) for reading with {@code charset} used for text fields. */
    public LineScanner(Path path, Charset charset) throws IOException {
        this(Files.newInputStream(DataPaths.requireFile(path, "a text file")), path.toString(), charset);
    }

    /** Reads {@code in} (named {@code file} in messages) with {@code charset} used for text fields. */
    public LineScanner(InputStream in, String file, Charset charset) {
        this.in = in;
        this.file = file;
        this.charset = charset;
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** File name used in messages. */
    public String file() {
        return file;
    }

    /** 1-based number of the current line. */
    public long lineNumber() {
        return lineNo;
    }

    /** Advances to the next line; false at the end of the file. */
    public boolean next() throws IOException {
        lineLen = 0;
        fieldCount = 0;
        boolean any = false;
        int nul = -1;
        while (true) {
            if (pos >= limit) {
                if (eof || !fill()) {
                    if (!any) {
                        return false;
                    }
                    break;
                }
            }
            any = true;
            int nl = -1;
            for (int i = pos; i < limit; i++) {
                byte b = buf[i];
                if ((b & 0xFF) <= '\n') {
                    if (b == '\n') {
                        nl = i;
                        break;
                    }
                    if (b == 0 && nul < 0) {
                        nul = lineLen + i - pos;
                    }
                }
            }
            int end = nl < 0 ? limit : nl;
            append(pos, end);
            if (nl >= 0) {
                pos = nl + 1;
                break;
            }
            pos = limit;
        }
        if (lineLen > 0 && line[lineLen - 1] == '\r') {
            lineLen--;
        }
        lineNo++;
        if (lineNo == 1) {
            if (lineLen >= 2
                    && ((line[0] & 0xFF) == 0xFF && (line[1] & 0xFF) == 0xFE
                            || (line[0] & 0xFF) == 0xFE && (line[1] & 0xFF) == 0xFF)) {
                throw error(String.format(
                        "the file is UTF-16 (it starts with the byte-order mark 0x%02X 0x%02X); expected %s text: "
                                + "save it as %3$s",
                        line[0] & 0xFF, line[1] & 0xFF, charset.name()));
            }
            if (lineLen >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
                System.arraycopy(line, 3, line, 0, lineLen - 3);
                lineLen -= 3;
                nul -= 3;
            }
        }
        if (nul >= 0) {
            throw error("binary data, not text (a NUL byte at column " + (nul + 1)
                    + ": a UTF-16 file, or not a text file); expected " + charset.name() + " text");
        }
        return true;
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private void append(int from, int to) {
        int n = to - from;
        if (lineLen + n > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + n));
        }
        System.arraycopy(buf, from, line, lineLen, n);
        lineLen += n;
    }

    /** True when the current line is empty or only spaces and tabs. */
    public boolean isBlank() {
        for (int i = 0; i < lineLen; i++) {
            if (line[i] != ' ' && line[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /** The current line, decoded strictly. */
    public String lineText() {
        return decode(0, lineLen);
    }

    /**
     * Splits the current line on {@code delim} (one or more bytes, e.g. {@code "::"}). With
     * {@code quotes}, a field that starts with {@code "} runs to the matching closing quote
     * ({@code ""} inside is a literal quote), as in RFC 4180.
     *
     * @return the number of fields
     */
    public int split(byte[] delim, boolean quotes) {
        fieldCount = 0;
        int i = 0;
        int dl = delim.length;
        while (true) {
            ensureFieldCapacity();
            if (quotes && i < lineLen && line[i] == '"') {
                int j = i + 1;
                while (true) {
                    if (j >= lineLen) {
                        throw error("unterminated quoted field starting at column " + (i + 1));
                    }
                    if (line[j] == '"') {
                        if (j + 1 < lineLen && line[j + 1] == '"') {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                fStart[fieldCount] = i + 1;
                fEnd[fieldCount] = j;
                fQuoted[fieldCount] = true;
                fieldCount++;
                int after = j + 1;
                if (after >= lineLen) {
                    return fieldCount;
                }
                if (!matches(after, delim)) {
                    throw error("expected a delimiter after the closing quote at column " + (j + 1));
                }
                i = after + dl;
                continue;
            }
            int d = indexOf(delim, i);
            fStart[fieldCount] = i;
            fEnd[fieldCount] = d < 0 ? lineLen : d;
            fQuoted[fieldCount] = false;
            fieldCount++;
            if (d < 0) {
                return fieldCount;
            }
            i = d + dl;
        }
    }

    /** Splits on a single-byte delimiter without quote handling. */
    public int split(byte delim) {
        return split(new byte[] {delim}, false);
    }

    /** Splits on runs of spaces and tabs (leading and trailing ones ignored). */
    public int splitWhitespace() {
        fieldCount = 0;
        int i = 0;
        while (i < lineLen) {
            while (i < lineLen && (line[i] == ' ' || line[i] == '\t')) {
                i++;
            }
            if (i >= lineLen) {
                break;
            }
            int s = i;
            while (i < lineLen && line[i] != ' ' && line[i] != '\t') {
                i++;
            }
            ensureFieldCapacity();
            fStart[fieldCount] = s;
            fEnd[fieldCount] = i;
            fQuoted[fieldCount] = false;
            fieldCount++;
        }
        return fieldCount;
    }

    /** Number of fields of the last split. */
    public int fieldCount() {
        return fieldCount;
    }

    /** Fails unless the last split gave at least {@code n} fields. */
    public void requireFields(int n, String format) {
        if (fieldCount < n) {
            throw error("expected at least " + n + " fields (" + format + "), found " + fieldCount + ": "
                    + excerpt(0, lineLen));
        }
    }

    /** Field {@code k} as an int (surrounding spaces allowed). */
    public int intField(int k, String what) {
        long v = longField(k, what);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw error(what + " must fit in an int, found " + v);
        }
        return (int) v;
    }

    /** Field {@code k} as a long (surrounding spaces allowed). */
    public long longField(int k, String what) {
        checkField(k, what);
        int s = fStart[k];
        int e = fEnd[k];
        while (s < e && line[s] == ' ') {
            s++;
        }
        while (e > s && line[e - 1] == ' ') {
            e--;
        }
        if (s == e) {
            throw error(what + " (field " + (k + 1) + ") is empty, expected an integer");
        }
        boolean neg = false;
        int i = s;
        if (line[i] == '-' || line[i] == '+') {
            neg = line[i] == '-';
            i++;
        }
        if (i == e) {
            throw error(what + " (field " + (k + 1) + ") is not an integer: " + excerpt(s, e));
        }
        long v = 0;
        for (; i < e; i++) {
            int c = line[i] - '0';
            if (c < 0 || c > 9) {
                throw error(what + " (field " + (k + 1) + ") is not an integer: " + excerpt(s, e));
            }
            if (v > (Long.MAX_VALUE - c) / 10) {
                throw error(what + " (field " + (k + 1) + ") is out of range: " + excerpt(s, e));
            }
            v = v * 10 + c;
        }
        return neg ? -v : v;
    }

    /** True when field {@code k} looks like an integer (optional sign, then digits only). */
    public boolean isInteger(int k) {
        int s = fStart[k];
        int e = fEnd[k];
        while (s < e && line[s] == ' ') {
            s++;
        }
        while (e > s && line[e - 1] == ' ') {
            e--;
        }
        if (s < e && (line[s] == '-' || line[s] == '+')) {
            s++;
        }
        if (s == e) {
            return false;
        }
        for (int i = s; i < e; i++) {
            if (line[i] < '0' || line[i] > '9') {
                return false;
            }
        }
        return true;
    }

    /** Field {@code k} as a float: digits with an optional fraction fast, anything else via {@link Float#parseFloat}. */
    public float floatField(int k, String what) {
        checkField(k, what);
        int s = fStart[k];
        int e = fEnd[k];
        while (s < e && line[s] == ' ') {
            s++;
        }
        while (e > s && line[e - 1] == ' ') {
            e--;
        }
        if (s == e) {
            throw error(what + " (field " + (k + 1) + ") is empty, expected a number");
        }
        int i = s;
        boolean neg = false;
        if (line[i] == '-') {
            neg = true;
            i++;
        }
        long mant = 0;
        int digits = 0;
        int scale = 0;
        boolean dot = false;
        boolean simple = i < e;
        for (; i < e && simple; i++) {
            byte b = line[i];
            if (b >= '0' && b <= '9') {
                if (digits < 15) {
                    mant = mant * 10 + (b - '0');
                    digits++;
                    if (dot) {
                        scale++;
                    }
                } else {
                    simple = false;
                }
            } else if (b == '.' && !dot) {
                dot = true;
            } else {
                simple = false;
            }
        }
        if (simple && digits > 0) {
            double v = mant / POW10[scale];
            return (float) (neg ? -v : v);
        }
        try {
            return Float.parseFloat(new String(line, s, e - s, charset));
        } catch (NumberFormatException ex) {
            throw error(what + " (field " + (k + 1) + ") is not a number: " + excerpt(s, e));
        }
    }

    private static final double[] POW10 = {
        1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16
    };

    /** Field {@code k} decoded strictly as text; quoted fields are unescaped. */
    public String stringField(int k, String what) {
        checkField(k, what);
        String s = decode(fStart[k], fEnd[k]);
        return fQuoted[k] ? s.replace("\"\"", "\"") : s;
    }

    /** Raw bytes of field {@code k} equal {@code ascii}? */
    public boolean fieldEquals(int k, String ascii) {
        int n = fEnd[k] - fStart[k];
        if (n != ascii.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (line[fStart[k] + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** An error at the current line. */
    public DataException error(String problem) {
        return DataException.atLine(file, lineNo, problem);
    }

    private void checkField(int k, String what) {
        if (k >= fieldCount) {
            throw error("missing field " + (k + 1) + " (" + what + "): the line has " + fieldCount + " fields: "
                    + excerpt(0, lineLen));
        }
    }

    private String decode(int from, int to) {
        try {
            CharBuffer cb = decoder.reset().decode(ByteBuffer.wrap(line, from, to - from));
            return cb.toString();
        } catch (CharacterCodingException e) {
            int bad = firstNonAscii(from, to);
            throw error("not valid " + charset.name() + " text"
                    + (bad >= 0
                            ? " (byte 0x"
                                    + Integer.toHexString(line[bad] & 0xFF).toUpperCase() + " at column " + (bad + 1)
                                    + ")"
                            : "")
                    + "; check the file's encoding (MovieLens .dat/.item files are ISO-8859-1, .csv files are UTF-8)");
        }
    }

    private int firstNonAscii(int from, int to) {
        for (int i = from; i < to; i++) {
            if (line[i] < 0) {
                return i;
            }
        }
        return -1;
    }

    /** Bytes {@code s..e} of the line for a message: {@link #quote}d, decoding no more than needed. */
    private String excerpt(int s, int e) {
        int n = Math.min(e - s, 4 * QUOTE_CHARS + 4);
        String t = new String(line, s, n, charset);
        return n < e - s ? quote(t, " (" + (e - s) + " bytes)") : quote(t);
    }

    /**
     * {@code text} in single quotes for an error message: at most {@value #QUOTE_CHARS} characters
     * (a longer text is cut, followed by its length), control characters escaped, so that the
     * message stays one short line whatever the input.
     */
    public static String quote(CharSequence text) {
        return quote(text, " (" + text.length() + " characters)");
    }

    private static String quote(CharSequence text, String lengthIfCut) {
        int n = Math.min(text.length(), QUOTE_CHARS);
        if (n < text.length() && Character.isHighSurrogate(text.charAt(n - 1))) {
            n--;
        }
        StringBuilder b = new StringBuilder(n + 32).append('\'');
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\x%02X", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('\'');
        if (n < text.length()) {
            b.append("...").append(lengthIfCut);
        }
        return b.toString();
    }

    private boolean matches(int at, byte[] delim) {
        if (at + delim.length > lineLen) {
            return false;
        }
        for (int j = 0; j < delim.length; j++) {
            if (line[at + j] != delim[j]) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(byte[] delim, int from) {
        byte d0 = delim[0];
        int last = lineLen - delim.length;
        for (int i = from; i <= last; i++) {
            if (line[i] == d0 && (delim.length == 1 || matches(i, delim))) {
                return i;
            }
        }
        return -1;
    }

    private void ensureFieldCapacity() {
        if (fieldCount == fStart.length) {
            int n = fStart.length * 2;
            fStart = Arrays.copyOf(fStart, n);
            fEnd = Arrays.copyOf(fEnd, n);
            fQuoted = Arrays.copyOf(fQuoted, n);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
