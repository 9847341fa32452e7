package dev.recsys.api.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.recsys.api.loss.LossSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one JSON setup of recsys, on Jackson: the strict mapper that reads and writes
 * {@code model.json}, {@code trainer.json}, safetensors headers and (with a YAML factory, in
 * recsys-examples) config files, the house pretty printer, and one-line error messages.
 *
 * <p>Strict means: no key twice in an object, nothing after the value, no comments or NaN, no
 * unknown keys, every record component present, no number where a string is expected or the
 * other way round, no {@code 2.0} for an integer. Records are read through their canonical
 * constructors, so a value that a record refuses fails with the record's own message. Enums are
 * written in lower case and read in any case; a {@link LossSpec} is an object with its
 * {@code name} ({@code {"name": "gbce", "negatives": 256, "t": 0.75}}). Integers read into
 * untyped maps are {@link Long}, other numbers {@link Double}. Floats are written with
 * {@link Float#toString} and parsed directly as floats, so they read back bit for bit.
 */
public final class Json {
    private static final ObjectMapper MAPPER = strict(JsonMapper.builder()).build();
    private static final ObjectWriter PRETTY = MAPPER.writer(prettyPrinter());
    private static final Pattern QUOTED = Pattern.compile("'([^']*)'");

    private Json() {}

    /**
     * Applies the strict settings of this class to a builder (JSON here, YAML for config files),
     * so that every format recsys reads behaves the same.
     */
    public static <M extends ObjectMapper, B extends MapperBuilder<M, B>> B strict(B builder) {
        SimpleModule instants = new SimpleModule("recsys-instant")
                .addSerializer(Instant.class, ToStringSerializer.instance)
                .addDeserializer(Instant.class, new StdDeserializer<>(Instant.class) {
                    @Override
                    public Instant deserialize(JsonParser p, com.fasterxml.jackson.databind.DeserializationContext ctxt)
                            throws IOException {
                        String s = p.getValueAsString();
                        try {
                            return Instant.parse(s);
                        } catch (DateTimeParseException | NullPointerException e) {
                            throw InvalidFormatException.from(
                                    p,
                                    "expected an ISO-8601 instant such as 2025-01-31T12:00:00Z",
                                    s == null ? p.getText() : s,
                                    Instant.class);
                        }
                    }
                });
        return builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(
                        DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS,
                        DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                        DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.USE_LONG_FOR_INTS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
                .registerSubtypes(LossSpec.class.getPermittedSubclasses())
                .addModule(instants);
    }

    /** Two-space indentation, one member or element per line, {@code "key": value}, {@code {}} and {@code []} when empty. */
    private static DefaultPrettyPrinter prettyPrinter() {
        DefaultIndenter lines = new DefaultIndenter("  ", "\n");
        Separators s = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        return new DefaultPrettyPrinter(s).withObjectIndenter(lines).withArrayIndenter(lines);
    }

    /** The shared strict mapper (do not reconfigure it). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Compact JSON of value; maps without a defined order (HashMap, {@code Map.of}) are written sorted by key. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(ordered(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Pretty JSON of value (see {@link #prettyPrinter}), without a trailing newline. */
    public static String pretty(Object value) {
        try {
            return PRETTY.writeValueAsString(ordered(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads text as a T; a problem is an {@link IllegalArgumentException} whose message is one
     * line: {@code where: path: problem}.
     */
    public static <T> T read(String text, Class<T> type, String where) {
        try {
            return MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": " + problem(e), e);
        }
    }

    /** Converts a parsed tree to a T, with the messages of {@link #read}. */
    public static <T> T convert(JsonNode node, Class<T> type, String where) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + problem(e), e);
        }
    }

    /**
     * Reads a UTF-8 file (a byte order mark is skipped) that must hold a JSON object, as an ordered
     * map (integers Long, other numbers Double); problems as in {@link #readTree(Path)}.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readObject(Path file) throws IOException {
        JsonNode n = readTree(file);
        if (!n.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object, found " + describe(n));
        }
        try {
            return MAPPER.readValue(Files.readAllBytes(file), LinkedHashMap.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": " + problem(e), e);
        }
    }

    /**
     * Parses a UTF-8 file (a byte order mark is skipped) as a tree with exact decimals, so that a
     * float converted from it later reads back bit for bit.
     *
     * @throws IllegalArgumentException one line, {@code file: line L, column C: problem}, for text
     *                                  that is not strict JSON (or not UTF-8)
     */
    public static JsonNode readTree(Path file) throws IOException {
        return readTree(Files.readAllBytes(file), file.toString());
    }

    /** {@link #readTree(Path)} of bytes named where. */
    public static JsonNode readTree(byte[] utf8, String where) {
        try {
            JsonNode n = MAPPER.reader()
                    .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .readTree(utf8);
            if (n == null || n.isMissingNode()) {
                throw new IllegalArgumentException(where + ": expected a JSON value, found nothing");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": " + problem(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** The map converted to the parser's types (Long, Double, LinkedHashMap, ArrayList), unordered maps sorted by key. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> normalize(Map<String, ?> map) {
        try {
            return MAPPER.readValue(MAPPER.writeValueAsString(ordered(map)), LinkedHashMap.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot represent as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A record (or any value that is written as an object) as the map that reading its JSON gives. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(Object value) {
        try {
            return MAPPER.readValue(write(value), LinkedHashMap.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getOriginalMessage(), e);
        }
    }

    /** Every map in a stable order: its own where defined (LinkedHashMap, SortedMap), else by key. */
    private static Object ordered(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out =
                    m instanceof LinkedHashMap || m instanceof SortedMap ? new LinkedHashMap<>() : new TreeMap<>();
            m.forEach((k, x) -> out.put(k, ordered(x)));
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            c.forEach(x -> out.add(ordered(x)));
            return out;
        }
        return v;
    }

    /** JSON string literal of s. */
    public static String quote(String s) {
        return write(s);
    }

    /** What a parsed value is, for messages: {@code the string "x"}, {@code the integer 5}, {@code an array} ... */
    public static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        } else if (n.isContainerNode()) {
            return n.isObject() ? "an object" : "an array";
        }
        return describeValue(
                n.isTextual()
                        ? n.textValue()
                        : n.isNumber() ? n.numberValue() : n.isBoolean() ? n.booleanValue() : null);
    }

    /**
     * One line for a Jackson problem: {@code path: expected X, found Y} (path = dotted keys), the
     * record's own message when its constructor refused a value, or {@code line L, column C: ...}
     * for malformed text.
     */
    public static String problem(Exception e) {
        if (e instanceof ValueInstantiationException v) {
            Throwable cause = v.getCause() != null ? v.getCause() : v;
            return at(path(v), cause.getMessage());
        }
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = new ArrayList<>();
            if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            }
            return at(parentPath(u), "unknown key " + quote(u.getPropertyName()) + "; known keys: " + known);
        }
        if (e instanceof InvalidTypeIdException t
                && t.getBaseType() != null
                && t.getBaseType().hasRawClass(LossSpec.class)) {
            if (t.getTypeId() == null) {
                return at(path(t), "missing key \"name\" (expected the name of one of " + LossSpec.names() + ")");
            }
            return at(path(t), "unknown name " + quote(t.getTypeId()) + "; known: " + LossSpec.names());
        }
        if (e instanceof MismatchedInputException m) {
            String msg = m.getOriginalMessage();
            if (msg != null && msg.startsWith("Missing creator property")) {
                Matcher q = QUOTED.matcher(msg);
                String key = q.find() ? q.group(1) : "?";
                return at(parentPath(m), "missing key " + quote(key));
            }
            String found =
                    m instanceof InvalidFormatException f ? describeValue(f.getValue()) : found(m.getProcessor());
            return at(path(m), "expected " + expected(m.getTargetType(), m) + ", found " + found);
        }
        if (e instanceof JsonMappingException m && m.getCause() instanceof IllegalArgumentException cause) {
            return at(path(m), cause.getMessage());
        }
        InputCoercionException range =
                e instanceof InputCoercionException c ? c : e.getCause() instanceof InputCoercionException c ? c : null;
        if (range != null) {
            return (e instanceof JsonMappingException m ? at(path(m), "") : location(range))
                    + "expected a number within the range of "
                    + range.getTargetType().getSimpleName() + ", found " + found(range.getProcessor());
        }
        if (e instanceof JsonProcessingException p) {
            String msg = p.getOriginalMessage();
            if (msg != null && msg.startsWith("Duplicate field")) {
                Matcher q = QUOTED.matcher(msg);
                return location(p) + "duplicate key " + (q.find() ? quote(q.group(1)) : msg)
                        + " (each key may appear once in an object)";
            }
            return location(p) + firstLine(msg);
        }
        return firstLine(e.getMessage());
    }

    /** The duplicate key a problem is about, or null. */
    public static String duplicateKey(Exception e) {
        if (e instanceof JsonProcessingException p
                && p.getOriginalMessage() != null
                && p.getOriginalMessage().startsWith("Duplicate field")) {
            Matcher q = QUOTED.matcher(p.getOriginalMessage());
            return q.find() ? q.group(1) : null;
        }
        return null;
    }

    /** Dotted path of the value a mapping problem is about ({@code config.heads}, {@code ks[1]}). */
    public static String path(JsonMappingException e) {
        return path(e.getPath());
    }

    private static String parentPath(JsonMappingException e) {
        List<JsonMappingException.Reference> refs = e.getPath();
        return path(refs.isEmpty() ? refs : refs.subList(0, refs.size() - 1));
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String at(String path, String problem) {
        return path.isEmpty() ? problem : path + ": " + problem;
    }

    private static String location(JsonProcessingException p) {
        if (p.getLocation() == null || p.getLocation().getLineNr() < 0) {
            return "";
        }
        return "line " + p.getLocation().getLineNr() + ", column "
                + p.getLocation().getColumnNr() + ": ";
    }

    private static String expected(Class<?> type, MismatchedInputException m) {
        if (type == null) {
            return firstLine(m.getOriginalMessage());
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        } else if (type == float.class || type == Float.class || type == double.class || type == Double.class) {
            return "a number";
        } else if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        } else if (type == String.class) {
            return "a string";
        } else if (type == Instant.class) {
            return "an ISO-8601 instant such as 2025-01-31T12:00:00Z";
        } else if (type.isEnum()) {
            return "one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
                            .toList();
        } else if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }

    private static String found(Object processor) {
        try {
            if (processor instanceof JsonParser p && p.currentToken() != null) {
                JsonToken t = p.currentToken();
                if (t == JsonToken.START_OBJECT || t == JsonToken.FIELD_NAME || t == JsonToken.END_OBJECT) {
                    return "an object";
                } else if (t == JsonToken.START_ARRAY || t == JsonToken.END_ARRAY) {
                    return "an array";
                }
                return describeValue(
                        t.isNumeric()
                                ? p.getNumberValue()
                                : t.isBoolean() ? p.getBooleanValue() : t == JsonToken.VALUE_NULL ? null : p.getText());
            }
        } catch (IOException e) {
            // fall through: the value cannot be read back
        }
        return "another value";
    }

    private static String describeValue(Object v) {
        if (v == null) {
            return "null";
        } else if (v instanceof String s) {
            return "the string " + quote(shorten(s));
        } else if (v instanceof Boolean b) {
            return "the boolean " + b;
        } else if (v instanceof Long || v instanceof Integer || v instanceof java.math.BigInteger) {
            return "the integer " + v;
        }
        return "the number " + v;
    }

    private static String shorten(String s) {
        return s != null && s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid JSON";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
