package dev.recsys.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {

    @Test
    void parsesEveryValueTypeWithIntegerAndFloatingPointKeptApart() {
        Object v = Json.parse("{\"a\": 1, \"b\": -2.5, \"c\": 1e3, \"d\": [true, false, null], \"e\": \"x\", \"f\": {}, \"g\": []}");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", 1L);
        expected.put("b", -2.5);
        expected.put("c", 1000.0);
        expected.put("d", Arrays.asList(true, false, null));
        expected.put("e", "x");
        expected.put("f", Map.of());
        expected.put("g", List.of());
        assertThat(v).isEqualTo(expected);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(m.get("a")).isInstanceOf(Long.class);
        assertThat(m.get("c")).isInstanceOf(Double.class);
        assertThat(m).isInstanceOf(LinkedHashMap.class);
        assertThat(new ArrayList<Object>(m.keySet())).containsExactly("a", "b", "c", "d", "e", "f", "g");
    }

    @Test
    void integerLimitsAreExactAndOverflowIsAnError() {
        assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> Json.parse("9223372036854775808"))
                .isInstanceOf(JsonException.class).hasMessageContaining("64-bit range");
        assertThatThrownBy(() -> Json.parse("1e400")).hasMessageContaining("double range");
        assertThat(Json.parse("-0")).isEqualTo(0L);
        assertThat(Json.parse("0.5E-2")).isEqualTo(0.005);
    }

    @Test
    void decodesEveryEscapeIncludingSurrogatePairs() {
        String text = "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\u20AC \\ud83d\\ude00\"";
        assertThat(Json.parse(text)).isEqualTo("q\" b\\ s/ \b\f\n\r\t é € \uD83D\uDE00");
        // raw (unescaped) non-ASCII including a supplementary character
        assertThat(Json.parse("\"é😀\"")).isEqualTo("é\uD83D\uDE00");
    }

    @Test
    void writerEscapesWhatJsonRequiresAndRoundTripsAnyValidString() {
        assertThat(Json.write("a\"b\\c\n\u0001\u007f\t")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\\u007f\\t\"");
        Random r = new Random(7);
        for (int k = 0; k < 2000; k++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < 12; j++) {
                int cp = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(0x80);
                    case 1 -> r.nextInt(0xD800);
                    case 2 -> 0xE000 + r.nextInt(0x2000);
                    default -> 0x10000 + r.nextInt(0x100000);
                };
                sb.appendCodePoint(cp);
            }
            String s = sb.toString();
            assertThat(Json.parse(Json.write(s))).isEqualTo(s);
            assertThat(Json.parse(Json.pretty(List.of(s)))).isEqualTo(List.of(s));
        }
    }

    @Test
    void unpairedSurrogatesAreRefusedInBothDirections() {
        assertThatThrownBy(() -> Json.parse("\"\\ud83d x\"")).hasMessageContaining("low surrogate");
        assertThatThrownBy(() -> Json.parse("\"\\ude00\"")).hasMessageContaining("unpaired low surrogate");
        assertThatThrownBy(() -> Json.parse("\"\\ud83d\\u0041\"")).hasMessageContaining("low surrogate");
        assertThatThrownBy(() -> Json.write("x\uD83D")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unpaired surrogate");
    }

    @Test
    void errorsGiveLineColumnAndWhatWasExpected() {
        assertThatThrownBy(() -> Json.parse("{\n  \"a\": 1,\n  \"b\" 2\n}", "conf.json"))
                .isInstanceOf(JsonException.class)
                .hasMessage("conf.json:3:7: expected ':' after the key \"b\", found '2'")
                .satisfies(e -> {
                    JsonException j = (JsonException) e;
                    assertThat(j.line()).isEqualTo(3);
                    assertThat(j.column()).isEqualTo(7);
                    assertThat(j.source()).isEqualTo("conf.json");
                });
        assertThatThrownBy(() -> Json.parse("[1, 2,]")).hasMessage("<json>:1:7: expected a JSON value (object, array, "
                + "string, number, true, false or null), found ']'");
        assertThatThrownBy(() -> Json.parse("{\"a\": 1,}")).hasMessageContaining("1:9: expected a string key");
        assertThatThrownBy(() -> Json.parse("[1 2]")).hasMessageContaining("1:4: expected ',' or ']'");
        assertThatThrownBy(() -> Json.parse("{\"a\" : 1 \"b\"}")).hasMessageContaining("1:10: expected ',' or '}'");
    }

    @Test
    void malformedInputIsRefusedStrictly() {
        String[] bad = {"", "   ", "{", "[", "\"abc", "01", "1.", ".5", "+1", "1e", "-", "tru", "nul", "NaN", "Infinity",
            "'a'", "{a: 1}", "[1,]", "{\"a\":1,}", "// c\n1", "1 2", "\"a\nb\"", "\"\\x\"", "\"\\u12G4\"", "\"\\u12\"",
            "{\"a\":1}}", "[1]]", "\u00a01"};
        for (String s : bad) {
            assertThatThrownBy(() -> Json.parse(s)).as("input %s", s).isInstanceOf(JsonException.class)
                    .hasMessageContaining("expected");
        }
    }

    @Test
    void duplicateKeysAreRefusedAndNamed() {
        assertThatThrownBy(() -> Json.parse("{\"w\": 1, \"w\": 2}"))
                .isInstanceOf(JsonException.class)
                .hasMessageContaining("1:10: duplicate key \"w\"")
                .satisfies(e -> assertThat(((JsonException) e).duplicateKey()).isEqualTo("w"));
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(JsonException.class).hasMessageContaining("nested");
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
    }

    @Test
    void prettyPrinterHasAFixedLayout() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 1);
        m.put("a", List.of(1.5f, "x"));
        m.put("e", Map.of());
        m.put("l", List.of());
        m.put("n", null);
        assertThat(Json.pretty(m)).isEqualTo("{\n  \"b\": 1,\n  \"a\": [\n    1.5,\n    \"x\"\n  ],\n  \"e\": {},\n  \"l\": [],\n  \"n\": null\n}");
        assertThat(Json.write(m)).isEqualTo("{\"b\":1,\"a\":[1.5,\"x\"],\"e\":{},\"l\":[],\"n\":null}");
    }

    @Test
    void unorderedMapsAreWrittenWithSortedKeysAndOrderedOnesKeepTheirOrder() {
        Map<String, Object> h = new HashMap<>();
        for (String k : List.of("zeta", "alpha", "mid", "beta", "omega")) {
            h.put(k, 1);
        }
        assertThat(Json.write(h)).isEqualTo("{\"alpha\":1,\"beta\":1,\"mid\":1,\"omega\":1,\"zeta\":1}");
        assertThat(Json.write(Map.of("b", 1, "a", 2))).isEqualTo("{\"a\":2,\"b\":1}");
        Map<String, Object> linked = new LinkedHashMap<>();
        linked.put("z", 1);
        linked.put("a", 2);
        assertThat(Json.write(linked)).isEqualTo("{\"z\":1,\"a\":2}");
        assertThat(Json.write(new TreeMap<>(Map.of("b", 1, "a", 2)))).isEqualTo("{\"a\":2,\"b\":1}");
    }

    @Test
    void floatsAreWrittenShortAndReadBackBitForBit() {
        assertThat(Json.write(0.2f)).isEqualTo("0.2");
        assertThat(Json.write(1e-8f)).isEqualTo("1.0E-8");
        Random r = new Random(11);
        List<String> wrong = new ArrayList<>();
        for (int k = 0; k < 200_000; k++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (!Float.isFinite(f)) {
                continue;
            }
            Object back = Json.parse(Json.write(f));
            float g = back instanceof Long l ? l : JsonFields.toFloat((Double) back);
            if (Float.floatToIntBits(g) != Float.floatToIntBits(f)) {
                wrong.add(f + " -> " + g);
            }
        }
        for (int k = 0; k < 20_000; k++) {
            double d = Double.longBitsToDouble(r.nextLong());
            if (Double.isFinite(d) && !Json.parse(Json.write(d)).equals(d)) {
                wrong.add(d + " -> " + Json.parse(Json.write(d)));
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void nonFiniteNumbersAndUnknownTypesAreRefusedByTheWriter() {
        assertThatThrownBy(() -> Json.write(List.of(1, Double.NaN))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$[1]");
        assertThatThrownBy(() -> Json.write(Map.of("x", Float.POSITIVE_INFINITY))).hasMessageContaining("$.x");
        assertThatThrownBy(() -> Json.write(Map.of("d", new java.util.Date()))).hasMessageContaining("java.util.Date");
        assertThatThrownBy(() -> Json.write(Map.of(1, 2))).hasMessageContaining("keys must be strings");
    }

    @Test
    void normalizeEqualsParseOfWrite() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", 3);
        m.put("f", 0.1f);
        m.put("d", 0.1);
        m.put("l", List.of((short) 2, (byte) 1, 5L, "s", true));
        m.put("nested", Map.of("k", List.of()));
        Object normal = Json.normalize(m);
        assertThat(normal).isEqualTo(Json.parse(Json.write(m)));
        assertThat(((Map<?, ?>) normal).get("i")).isEqualTo(3L);
        assertThat(((Map<?, ?>) normal).get("f")).isEqualTo(0.1);
    }

    @Test
    void roundTripsADocumentThroughCompactAndPrettyForms() {
        Object doc = Json.parse("{\"name\":\"gSASRec\",\"n\":[1,2,3],\"x\":{\"y\":[{\"z\":null}],\"t\":0.75},\"u\":\"\\u0000\"}");
        assertThat(Json.parse(Json.write(doc))).isEqualTo(doc);
        assertThat(Json.parse(Json.pretty(doc))).isEqualTo(doc);
        assertThat(Json.pretty(Json.parse(Json.pretty(doc)))).isEqualTo(Json.pretty(doc));
    }

    @Test
    void readsFilesAsStrictUtf8AndSkipsAByteOrderMark(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.json");
        Files.write(ok, ("\uFEFF{\"t\": \"caf\u00e9\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(Json.readObject(ok)).isEqualTo(Map.of("t", "café"));

        Path bad = dir.resolve("bad.json");
        Files.write(bad, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        assertThatThrownBy(() -> Json.read(bad)).isInstanceOf(JsonException.class)
                .hasMessageContaining("bad.json:1:7")
                .hasMessageContaining("UTF-8")
                .hasMessageContaining("byte offset 6");

        Path arr = dir.resolve("arr.json");
        Files.writeString(arr, "[1]");
        assertThatThrownBy(() -> Json.readObject(arr)).hasMessageContaining("expected a JSON object at the top level, found an array");
    }
}
