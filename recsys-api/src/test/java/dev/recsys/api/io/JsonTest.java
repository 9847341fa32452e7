package dev.recsys.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.config.ModelConfig;
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

/** The Jackson setup of {@link Json}: the layout it writes and the strictness and messages of reading. */
class JsonTest {

    @Test
    void readsObjectsInDocumentOrderWithIntegersAsLongAndOtherNumbersAsDouble(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(
                dir.resolve("v.json"),
                "{\"a\": 1, \"b\": -2.5, \"c\": 1e3, \"d\": [true, false, null], \"e\": \"x\", \"f\": {}, \"g\": []}");
        Map<String, Object> v = Json.readObject(f);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", 1L);
        expected.put("b", -2.5);
        expected.put("c", 1000.0);
        expected.put("d", Arrays.asList(true, false, null));
        expected.put("e", "x");
        expected.put("f", Map.of());
        expected.put("g", List.of());
        assertThat(v).isEqualTo(expected);
        assertThat(v.get("a")).isInstanceOf(Long.class);
        assertThat(new ArrayList<>(v.keySet())).containsExactly("a", "b", "c", "d", "e", "f", "g");
    }

    @Test
    void prettyPrinterHasTheLayoutOfEveryFileRecsysHasWritten() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 1);
        m.put("a", List.of(1.5f, "x"));
        m.put("e", Map.of());
        m.put("l", List.of());
        m.put("n", null);
        assertThat(Json.pretty(m))
                .isEqualTo(
                        "{\n  \"b\": 1,\n  \"a\": [\n    1.5,\n    \"x\"\n  ],\n  \"e\": {},\n  \"l\": [],\n  \"n\": null\n}");
        assertThat(Json.write(m)).isEqualTo("{\"b\":1,\"a\":[1.5,\"x\"],\"e\":{},\"l\":[],\"n\":null}");
    }

    @Test
    void unorderedMapsAreWrittenWithSortedKeysAndOrderedOnesKeepTheirOrder() {
        Map<String, Object> h = new HashMap<>();
        for (String k : List.of("zeta", "alpha", "mid", "beta", "omega")) {
            h.put(k, 1);
        }
        assertThat(Json.write(h)).isEqualTo("{\"alpha\":1,\"beta\":1,\"mid\":1,\"omega\":1,\"zeta\":1}");
        assertThat(Json.write(Map.of("b", 1, "a", Map.of("y", 1, "x", 2))))
                .isEqualTo("{\"a\":{\"x\":2,\"y\":1},\"b\":1}");
        Map<String, Object> linked = new LinkedHashMap<>();
        linked.put("z", 1);
        linked.put("a", 2);
        assertThat(Json.write(linked)).isEqualTo("{\"z\":1,\"a\":2}");
        assertThat(Json.write(new TreeMap<>(Map.of("b", 1, "a", 2)))).isEqualTo("{\"a\":2,\"b\":1}");
    }

    @Test
    void floatsAreWrittenShortAndReadBackBitForBitThroughARecord() {
        assertThat(Json.write(0.2f)).isEqualTo("0.2");
        assertThat(Json.write(1e-8f)).isEqualTo("1.0E-8");
        Random r = new Random(11);
        List<String> wrong = new ArrayList<>();
        for (int k = 0; k < 20_000; k++) {
            float eps = Math.abs(Float.intBitsToFloat(r.nextInt()));
            if (!Float.isFinite(eps) || eps == 0f) {
                continue;
            }
            ModelConfig c = ModelConfig.builder().numItems(5).layerNormEps(eps).build();
            // both ways in: straight from text, and through a tree (model.json is checked as a tree first)
            ModelConfig viaText = Json.read(Json.write(c), ModelConfig.class, "t");
            ModelConfig viaTree = Json.convert(
                    Json.readTree(Json.write(c).getBytes(StandardCharsets.UTF_8), "t"), ModelConfig.class, "t");
            if (!viaText.equals(c) || !viaTree.equals(c)) {
                wrong.add(eps + " -> " + viaText.layerNormEps() + " / " + viaTree.layerNormEps());
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void normalizeGivesTheTypesAndOrderOfReadingBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", 3);
        m.put("f", 0.1f);
        m.put("d", 0.1);
        m.put("l", List.of((short) 2, (byte) 1, 5L, "s", true));
        m.put("nested", Map.of("k", List.of(), "a", 1));
        Map<String, Object> normal = Json.normalize(m);
        assertThat(normal.get("i")).isEqualTo(3L);
        assertThat(normal.get("f")).isEqualTo(0.1);
        assertThat(normal.get("l")).isEqualTo(List.of(2L, 1L, 5L, "s", true));
        assertThat(new ArrayList<Object>(((Map<?, ?>) normal.get("nested")).keySet()))
                .containsExactly("a", "k");
    }

    @Test
    void malformedTextFailsWithTheFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("conf.json"), "{\n  \"a\": 1,\n  \"b\" 2\n}");
        assertThatThrownBy(() -> Json.readTree(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(f + ": line 3, column 7: ")
                .hasMessageNotContaining("\n");
        Path dup = Files.writeString(dir.resolve("dup.json"), "{\"w\": 1, \"w\": 2}");
        assertThatThrownBy(() -> Json.readTree(dup))
                .hasMessage(dup + ": line 1, column 13: duplicate key \"w\" (each key may appear once in an object)");
        Path trailing = Files.writeString(dir.resolve("t.json"), "{} x");
        assertThatThrownBy(() -> Json.readTree(trailing)).hasMessageStartingWith(trailing + ": line 1, column 5: ");
        Path nan = Files.writeString(dir.resolve("nan.json"), "[NaN]");
        assertThatThrownBy(() -> Json.readTree(nan)).hasMessageContaining("NaN");
        Path arr = Files.writeString(dir.resolve("arr.json"), "[1]");
        assertThatThrownBy(() -> Json.readObject(arr)).hasMessage(arr + ": expected a JSON object, found an array");
    }

    @Test
    void readsFilesAsUtf8AndSkipsAByteOrderMark(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.json");
        Files.write(ok, ("\uFEFF{\"t\": \"caf\u00e9\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(Json.readObject(ok)).isEqualTo(Map.of("t", "café"));
        Path bad = dir.resolve("bad.json");
        Files.write(bad, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        assertThatThrownBy(() -> Json.readTree(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(bad + ": line 1, column ")
                .hasMessageContaining("UTF-8");
    }

    @Test
    void stringsWithQuotesControlCharactersAndSurrogatesRoundTrip() {
        for (String s : List.of("plain", "q\" b\\ s/ \b\f\n\r\t é € \uD83D\uDE00", "\u0000\u001f\u007f\u2028")) {
            assertThat(Json.read(Json.write(s), String.class, "s")).isEqualTo(s);
            assertThat(Json.read(Json.pretty(List.of(s)), List.class, "s")).isEqualTo(List.of(s));
        }
        assertThat(Json.quote("a\"b")).isEqualTo("\"a\\\"b\"");
    }
}
