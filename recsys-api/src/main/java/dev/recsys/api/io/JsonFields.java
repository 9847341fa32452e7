package dev.recsys.api.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed, strict access to the members of a JSON object (parsed, or built in Java: the map is
 * first {@linkplain Json#normalize normalised}): every failure is an
 * {@link IllegalArgumentException} that names the field ({@code where.key}), what was expected
 * and what was found. Unknown keys are checked up front so that a misspelt key is reported as
 * such, not as the missing key it was meant to be.
 */
final class JsonFields {
    private final Map<String, Object> map;
    private final String where;

    private JsonFields(Map<String, Object> map, String where) {
        this.map = map;
        this.where = where;
    }

    /** Wraps value, which must be an object, whose members must all be among the allowed keys. */
    static JsonFields of(Object value, String where, String... allowed) {
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(where + ": expected an object, found " + Json.typeName(value));
        }
        // maps built in Java (Integer, Float ...) read the same as parsed ones (Long, Double)
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) Json.normalize(value);
        JsonFields f = new JsonFields(map, where);
        if (allowed.length > 0) {
            f.allowOnly(allowed);
        }
        return f;
    }

    /** Fails on the first key that is not allowed, listing the allowed ones. */
    void allowOnly(String... allowed) {
        List<String> ok = Arrays.asList(allowed);
        for (String k : map.keySet()) {
            if (!ok.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown key " + Json.quote(k) + "; known keys: " + ok);
            }
        }
    }

    String where() {
        return where;
    }

    boolean has(String key) {
        return map.containsKey(key);
    }

    Object required(String key, String expected) {
        if (!map.containsKey(key)) {
            throw new IllegalArgumentException(where + ": missing key " + Json.quote(key) + " (expected " + expected + ")");
        }
        return map.get(key);
    }

    private IllegalArgumentException wrong(String key, String expected, Object found) {
        return new IllegalArgumentException(where + "." + key + ": expected " + expected + ", found " + Json.typeName(found));
    }

    long getLong(String key) {
        Object v = required(key, "an integer");
        if (!(v instanceof Long l)) {
            throw wrong(key, "an integer", v);
        }
        return l;
    }

    int getInt(String key) {
        long l = getLong(key);
        if (l != (int) l) {
            throw new IllegalArgumentException(where + "." + key + ": expected a 32-bit integer, found " + l);
        }
        return (int) l;
    }

    double getDouble(String key) {
        Object v = required(key, "a number");
        if (!(v instanceof Long) && !(v instanceof Double)) {
            throw wrong(key, "a number", v);
        }
        return ((Number) v).doubleValue();
    }

    /** A float, converted so that a float written by {@link Json} reads back bit for bit. */
    float getFloat(String key) {
        Object v = required(key, "a number");
        if (v instanceof Long l) {
            return l;
        }
        if (!(v instanceof Double d)) {
            throw wrong(key, "a number", v);
        }
        float f = toFloat(d);
        if (Float.isInfinite(f)) {
            throw new IllegalArgumentException(where + "." + key + ": expected a number within the float range, found " + d);
        }
        return f;
    }

    static float toFloat(double d) {
        // Json writes a float with its shortest decimal form; Double.toString of the parsed double
        // gives that same decimal back, and parsing it as a float avoids double rounding.
        return Float.parseFloat(Double.toString(d));
    }

    boolean getBoolean(String key) {
        Object v = required(key, "true or false");
        if (!(v instanceof Boolean b)) {
            throw wrong(key, "true or false", v);
        }
        return b;
    }

    String getString(String key) {
        Object v = required(key, "a string");
        if (!(v instanceof String s)) {
            throw wrong(key, "a string", v);
        }
        return s;
    }

    /** A string or null. */
    String getNullableString(String key) {
        Object v = required(key, "a string or null");
        if (v != null && !(v instanceof String)) {
            throw wrong(key, "a string or null", v);
        }
        return (String) v;
    }

    /** An enum constant by name, case-insensitive ({@code "pre"} or {@code "PRE"}). */
    <E extends Enum<E>> E getEnum(String key, Class<E> type) {
        E[] values = type.getEnumConstants();
        List<String> names = new ArrayList<>();
        for (E e : values) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        Object v = required(key, "one of " + names);
        if (v instanceof String s) {
            for (E e : values) {
                if (e.name().equalsIgnoreCase(s)) {
                    return e;
                }
            }
        }
        throw wrong(key, "one of " + names, v);
    }

    /** A nested object. */
    Object getObject(String key) {
        Object v = required(key, "an object");
        if (!(v instanceof Map)) {
            throw wrong(key, "an object", v);
        }
        return v;
    }

    /** A list of strings, or null when the key is absent. */
    List<String> optionalStrings(String key) {
        if (!map.containsKey(key)) {
            return null;
        }
        Object v = map.get(key);
        if (!(v instanceof List<?> l)) {
            throw wrong(key, "an array of strings", v);
        }
        List<String> r = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof String s)) {
                throw new IllegalArgumentException(where + "." + key + "[" + i + "]: expected a string, found " + Json.typeName(l.get(i)));
            }
            r.add(s);
        }
        return r;
    }

    /** An object of strings, or an empty map when the key is absent. */
    Map<String, String> optionalStringMap(String key) {
        Map<String, String> r = new java.util.LinkedHashMap<>();
        if (!map.containsKey(key)) {
            return r;
        }
        Object v = map.get(key);
        if (!(v instanceof Map<?, ?> m)) {
            throw wrong(key, "an object of strings", v);
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new IllegalArgumentException(where + "." + key + "." + e.getKey() + ": expected a string, found "
                        + Json.typeName(e.getValue()));
            }
            r.put((String) e.getKey(), s);
        }
        return r;
    }

    /** Lower-case enum name as written to JSON. */
    static String enumName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
