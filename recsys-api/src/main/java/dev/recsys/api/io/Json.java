package dev.recsys.api.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * A small, strict JSON (RFC 8259) parser and writer.
 *
 * <p>Parsed values: objects are {@link LinkedHashMap}{@code <String, Object>} in document order,
 * arrays are {@link List}, numbers without fraction or exponent are {@link Long} (an integer
 * outside the 64-bit range is an error), other numbers are {@link Double}, and strings, booleans
 * and {@code null} map to themselves. Strict means: no comments, no trailing commas, no
 * single quotes, no leading zeros or {@code +}, no NaN/Infinity, no control characters inside
 * strings, no unpaired surrogates, no key twice in one object, nothing after the value. A
 * leading byte order mark is skipped. Errors are {@link JsonException}s that give
 * {@code line:column} and what was expected.
 *
 * <p>The writer accepts maps with string keys, collections, strings, booleans, {@code null} and
 * numbers ({@link Float}s are written with their shortest float representation, so
 * {@code 0.2f} is written {@code 0.2}); NaN and infinities are refused. Maps keep their
 * iteration order when it is defined ({@link LinkedHashMap}, {@link SortedMap}); keys of other
 * maps (HashMap, {@code Map.of}, unmodifiable views) are sorted, so the output is always stable.
 */
public final class Json {
    /** Deepest nesting the parser accepts, so that hostile input cannot overflow the stack. */
    public static final int MAX_DEPTH = 512;

    private Json() {
    }

    /** Parses text (named {@code <json>} in messages). */
    public static Object parse(String text) {
        return parse(text, "<json>");
    }

    /**
     * Parses one JSON value.
     *
     * @param text   the JSON text
     * @param source name used in error messages, usually a file name
     * @throws JsonException with {@code source:line:column} when the text is not strict JSON
     */
    public static Object parse(String text, String source) {
        return new Parser(text, source).document();
    }

    /** Parses text that must hold a JSON object. */
    public static Map<String, Object> parseObject(String text, String source) {
        Object v = parse(text, source);
        if (!(v instanceof Map)) {
            throw new JsonException(source, 1, 1, "expected a JSON object at the top level, found " + typeName(v), null);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    /** Reads and parses a UTF-8 file; malformed UTF-8 is a {@link JsonException} too. */
    public static Object read(Path file) throws IOException {
        return parse(readUtf8(file), file.toString());
    }

    /** Reads a UTF-8 file that must hold a JSON object. */
    public static Map<String, Object> readObject(Path file) throws IOException {
        return parseObject(readUtf8(file), file.toString());
    }

    /** Compact JSON of value, without whitespace. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, false).value(value, 0, "$");
        return sb.toString();
    }

    /** Pretty JSON of value: two-space indentation, one member or element per line, no trailing newline. */
    public static String pretty(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, true).value(value, 0, "$");
        return sb.toString();
    }

    /**
     * A deep copy of value in the parser's canonical types (LinkedHashMap, ArrayList, Long,
     * Double, String, Boolean, null), so that {@code normalize(v)} equals
     * {@code parse(write(v))}. Integers become Long, floats become the Double of their shortest
     * decimal form.
     *
     * @throws IllegalArgumentException for values the writer refuses (non-finite numbers,
     *                                  non-string keys, other types)
     */
    public static Object normalize(Object value) {
        return normalize(value, "$", 0);
    }

    /** Strictly decodes UTF-8 (a leading BOM is kept and later skipped by the parser). */
    static String readUtf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = dec.decode(in, out, true);
        if (!r.isError()) {
            r = dec.flush(out);
        }
        if (r.isError()) {
            int at = in.position();
            out.flip();
            String before = out.toString();
            int[] lc = lineColumn(before, before.length());
            throw new JsonException(file.toString(), lc[0], lc[1],
                    "expected UTF-8 text, found an invalid byte sequence at byte offset " + at, null);
        }
        out.flip();
        return out.toString();
    }

    static String typeName(Object v) {
        if (v == null) {
            return "null";
        } else if (v instanceof Map) {
            return "an object";
        } else if (v instanceof List) {
            return "an array";
        } else if (v instanceof String s) {
            return "the string " + quote(s.length() > 40 ? s.substring(0, 40) + "…" : s);
        } else if (v instanceof Boolean) {
            return "the boolean " + v;
        } else if (v instanceof Long) {
            return "the integer " + v;
        } else if (v instanceof Number) {
            return "the number " + v;
        }
        return "a " + v.getClass().getName();
    }

    /** JSON string literal of s. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        Writer.string(sb, s, "$");
        return sb.toString();
    }

    private static int[] lineColumn(String text, int pos) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < pos && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new int[] {line, col};
    }

    private static Object normalize(Object v, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("value nested deeper than " + MAX_DEPTH + " at " + path);
        }
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            finite(f.doubleValue(), path);
            return Double.parseDouble(Float.toString(f));
        }
        if (v instanceof Double d) {
            finite(d, path);
            return d;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : orderedEntries(m, path)) {
                String k = (String) e.getKey();
                out.put(k, normalize(e.getValue(), path + "." + k, depth + 1));
            }
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            int i = 0;
            for (Object o : c) {
                out.add(normalize(o, path + "[" + i++ + "]", depth + 1));
            }
            return out;
        }
        throw new IllegalArgumentException("cannot represent a " + v.getClass().getName() + " as JSON at " + path);
    }

    private static void finite(double d, String path) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("JSON has no " + d + " (at " + path + "); write a finite number or null");
        }
    }

    /** Entries in a stable order: the map's own order where defined, else sorted by key. */
    private static List<Map.Entry<?, ?>> orderedEntries(Map<?, ?> m, String path) {
        List<Map.Entry<?, ?>> es = new ArrayList<>(m.entrySet());
        for (Map.Entry<?, ?> e : es) {
            if (!(e.getKey() instanceof String)) {
                throw new IllegalArgumentException("JSON object keys must be strings, found "
                        + (e.getKey() == null ? "null" : e.getKey().getClass().getName()) + " at " + path);
            }
        }
        if (!(m instanceof LinkedHashMap) && !(m instanceof SortedMap)) {
            es.sort((a, b) -> ((String) a.getKey()).compareTo((String) b.getKey()));
        }
        return es;
    }

    /** Recursive-descent parser over a string. */
    private static final class Parser {
        private final String s;
        private final String source;
        private final int n;
        private int i;
        private int depth;

        Parser(String text, String source) {
            if (text == null) {
                throw new IllegalArgumentException("JSON text is null");
            }
            this.s = text;
            this.source = source == null ? "<json>" : source;
            this.n = text.length();
            this.i = n > 0 && text.charAt(0) == '\uFEFF' ? 1 : 0;
        }

        Object document() {
            ws();
            if (i >= n) {
                throw error("expected a JSON value, found end of input");
            }
            Object v = value();
            ws();
            if (i < n) {
                throw error("expected end of input after the JSON value, found " + found());
            }
            return v;
        }

        private Object value() {
            char c = s.charAt(i);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("expected a JSON value (object, array, string, number, true, false or null), found " + found());
            }
        }

        private Map<String, Object> object() {
            enter();
            i++; // {
            Map<String, Object> m = new LinkedHashMap<>();
            ws();
            if (peek() == '}') {
                i++;
                depth--;
                return m;
            }
            while (true) {
                ws();
                if (peek() != '"') {
                    throw error("expected a string key in double quotes, found " + found());
                }
                int keyAt = i;
                String k = string();
                ws();
                if (peek() != ':') {
                    throw error("expected ':' after the key " + quote(k) + ", found " + found());
                }
                i++;
                ws();
                if (i >= n) {
                    throw error("expected a value for the key " + quote(k) + ", found end of input");
                }
                Object v = value();
                if (m.containsKey(k)) {
                    int save = i;
                    i = keyAt;
                    JsonException e = errorWithKey("duplicate key " + quote(k) + " (each key may appear once in an object)", k);
                    i = save;
                    throw e;
                }
                m.put(k, v);
                ws();
                char c = peek();
                if (c == ',') {
                    i++;
                } else if (c == '}') {
                    i++;
                    depth--;
                    return m;
                } else {
                    throw error("expected ',' or '}' after an object member, found " + found());
                }
            }
        }

        private List<Object> array() {
            enter();
            i++; // [
            List<Object> a = new ArrayList<>();
            ws();
            if (peek() == ']') {
                i++;
                depth--;
                return a;
            }
            while (true) {
                ws();
                if (i >= n) {
                    throw error("expected an array element, found end of input");
                }
                a.add(value());
                ws();
                char c = peek();
                if (c == ',') {
                    i++;
                } else if (c == ']') {
                    i++;
                    depth--;
                    return a;
                } else {
                    throw error("expected ',' or ']' after an array element, found " + found());
                }
            }
        }

        private void enter() {
            if (++depth > MAX_DEPTH) {
                throw error("expected at most " + MAX_DEPTH + " nested arrays/objects, found deeper nesting");
            }
        }

        private String string() {
            i++; // opening quote
            int start = i;
            // fast path: no escapes
            while (i < n) {
                char c = s.charAt(i);
                if (c == '"') {
                    String r = s.substring(start, i);
                    i++;
                    return r;
                }
                if (c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
                    break;
                }
                i++;
            }
            StringBuilder sb = new StringBuilder(s.length() - start < 64 ? 16 : 64);
            sb.append(s, start, i);
            while (true) {
                if (i >= n) {
                    throw error("expected a closing '\"' of the string, found end of input");
                }
                char c = s.charAt(i);
                if (c == '"') {
                    i++;
                    return sb.toString();
                } else if (c == '\\') {
                    escape(sb);
                } else if (c < 0x20) {
                    throw error("expected a character or an escape inside the string, found the control character "
                            + found() + " (write it as an escape such as \\n or \\u00XX)");
                } else if (Character.isHighSurrogate(c)) {
                    if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(i + 1));
                        i += 2;
                    } else {
                        throw error("expected a low surrogate after the high surrogate " + found() + ", found an unpaired surrogate");
                    }
                } else if (Character.isLowSurrogate(c)) {
                    throw error("expected a character, found the unpaired low surrogate " + found());
                } else {
                    sb.append(c);
                    i++;
                }
            }
        }

        private void escape(StringBuilder sb) {
            if (i + 1 >= n) {
                throw error("expected an escape character after '\\', found end of input");
            }
            char e = s.charAt(i + 1);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hex4(i + 2);
                    if (Character.isHighSurrogate(u)) {
                        if (i + 7 < n && s.charAt(i + 6) == '\\' && s.charAt(i + 7) == 'u') {
                            char lo = hex4(i + 8);
                            if (!Character.isLowSurrogate(lo)) {
                                i += 6;
                                throw error(String.format("expected a low surrogate escape \\uDC00-\\uDFFF after \\u%04X, found \\u%04X", (int) u, (int) lo));
                            }
                            sb.append(u).append(lo);
                            i += 12;
                            return;
                        }
                        throw error(String.format("expected a low surrogate escape \\uDC00-\\uDFFF after \\u%04X, found an unpaired surrogate", (int) u));
                    }
                    if (Character.isLowSurrogate(u)) {
                        throw error(String.format("expected a character, found the unpaired low surrogate escape \\u%04X", (int) u));
                    }
                    sb.append(u);
                    i += 6;
                    return;
                }
                default -> {
                    i++;
                    throw error("expected one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, found " + found());
                }
            }
            i += 2;
        }

        private char hex4(int at) {
            if (at + 4 > n) {
                i = Math.min(at, n);
                throw error("expected 4 hex digits after \\u, found end of input");
            }
            int v = 0;
            for (int k = at; k < at + 4; k++) {
                int d = Character.digit(s.charAt(k), 16);
                if (d < 0 || s.charAt(k) > 'f') {
                    i = k;
                    throw error("expected 4 hex digits after \\u, found " + found());
                }
                v = v * 16 + d;
            }
            return (char) v;
        }

        private Object number() {
            int start = i;
            if (peek() == '-') {
                i++;
            }
            if (i >= n || !digit(s.charAt(i))) {
                throw error("expected a digit in the number, found " + found());
            }
            if (s.charAt(i) == '0') {
                i++;
                if (i < n && digit(s.charAt(i))) {
                    throw error("expected '.', 'e' or the end of the number after a leading 0 (no leading zeros), found " + found());
                }
            } else {
                while (i < n && digit(s.charAt(i))) {
                    i++;
                }
            }
            boolean integral = true;
            if (i < n && s.charAt(i) == '.') {
                integral = false;
                i++;
                if (i >= n || !digit(s.charAt(i))) {
                    throw error("expected a digit after the decimal point, found " + found());
                }
                while (i < n && digit(s.charAt(i))) {
                    i++;
                }
            }
            if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                integral = false;
                i++;
                if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                if (i >= n || !digit(s.charAt(i))) {
                    throw error("expected a digit in the exponent, found " + found());
                }
                while (i < n && digit(s.charAt(i))) {
                    i++;
                }
            }
            String lit = s.substring(start, i);
            if (integral) {
                try {
                    return Long.parseLong(lit);
                } catch (NumberFormatException e) {
                    int end = i;
                    i = start;
                    JsonException ex = error("expected an integer within the 64-bit range, found " + lit);
                    i = end;
                    throw ex;
                }
            }
            double d = Double.parseDouble(lit);
            if (Double.isInfinite(d)) {
                i = start;
                throw error("expected a number within the double range, found " + lit);
            }
            return d;
        }

        private static boolean digit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object v) {
            if (s.startsWith(word, i)) {
                i += word.length();
                return v;
            }
            throw error("expected a JSON value (object, array, string, number, true, false or null), found " + found());
        }

        private void ws() {
            while (i < n) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                    i++;
                } else {
                    return;
                }
            }
        }

        private char peek() {
            return i < n ? s.charAt(i) : '\0';
        }

        private String found() {
            if (i >= n) {
                return "end of input";
            }
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                return String.format("U+%04X", (int) c);
            }
            if (Character.isLetterOrDigit(c)) {
                int j = i;
                while (j < n && j < i + 20 && Character.isLetterOrDigit(s.charAt(j))) {
                    j++;
                }
                if (j - i > 1) {
                    return "'" + s.substring(i, j) + "'";
                }
            }
            return "'" + c + "'";
        }

        private JsonException error(String problem) {
            return errorWithKey(problem, null);
        }

        private JsonException errorWithKey(String problem, String key) {
            int[] lc = lineColumn(s, i);
            return new JsonException(source, lc[0], lc[1], problem, key);
        }
    }

    /** Compact or pretty writer. */
    private static final class Writer {
        private final StringBuilder sb;
        private final boolean pretty;

        Writer(StringBuilder sb, boolean pretty) {
            this.sb = sb;
            this.pretty = pretty;
        }

        void value(Object v, int level, String path) {
            if (level > MAX_DEPTH) {
                throw new IllegalArgumentException("value nested deeper than " + MAX_DEPTH + " at " + path);
            }
            if (v == null) {
                sb.append("null");
            } else if (v instanceof String str) {
                string(sb, str, path);
            } else if (v instanceof Boolean) {
                sb.append(v);
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                sb.append(v);
            } else if (v instanceof Float f) {
                finite(f, path);
                sb.append(Float.toString(f));
            } else if (v instanceof Double d) {
                finite(d, path);
                sb.append(Double.toString(d));
            } else if (v instanceof Map<?, ?> m) {
                object(m, level, path);
            } else if (v instanceof Collection<?> c) {
                array(c, level, path);
            } else {
                throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON at " + path
                        + "; use maps, lists, strings, numbers, booleans or null");
            }
        }

        private void object(Map<?, ?> m, int level, String path) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : orderedEntries(m, path)) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(level + 1);
                String k = (String) e.getKey();
                string(sb, k, path);
                sb.append(pretty ? ": " : ":");
                value(e.getValue(), level + 1, path + "." + k);
            }
            newline(level);
            sb.append('}');
        }

        private void array(Collection<?> c, int level, String path) {
            if (c.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            int idx = 0;
            for (Object o : c) {
                if (idx > 0) {
                    sb.append(',');
                }
                newline(level + 1);
                value(o, level + 1, path + "[" + idx + "]");
                idx++;
            }
            newline(level);
            sb.append(']');
        }

        private void newline(int level) {
            if (pretty) {
                sb.append('\n');
                for (int k = 0; k < level; k++) {
                    sb.append("  ");
                }
            }
        }

        static void string(StringBuilder sb, String s, String path) {
            sb.append('"');
            int n = s.length();
            for (int k = 0; k < n; k++) {
                char c = s.charAt(k);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    default -> {
                        if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else if (Character.isHighSurrogate(c) && k + 1 < n && Character.isLowSurrogate(s.charAt(k + 1))) {
                            sb.append(c).append(s.charAt(++k));
                        } else if (Character.isSurrogate(c)) {
                            throw new IllegalArgumentException(String.format(
                                    "string at %s holds an unpaired surrogate U+%04X, which UTF-8 cannot encode", path, (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }
}
