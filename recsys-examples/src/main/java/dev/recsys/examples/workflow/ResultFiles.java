package dev.recsys.examples.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.recsys.api.DataException;
import dev.recsys.api.io.AtomicFiles;
import dev.recsys.api.io.Provenance;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.split.ColdItems;
import dev.recsys.eval.split.GroupedResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Result files of {@code evaluate}, {@code compare} and {@code bench}: JSON with a {@code metrics}
 * object ({@code ndcg@10}, {@code recall@10}, {@code mrr}, …) next to the protocol, data
 * fingerprint, seed, backend and versions, plus the per-user values for paired tests. Every write
 * is atomic (temp file, then move), so a failed command never leaves a partial file.
 */
public final class ResultFiles {
    public static final String FORMAT = "recsys-result";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultFiles() {}

    /** The result as a JSON tree (per-user values included). */
    public static Map<String, Object> toMap(
            EvalResult r, String model, String backend, String engine, long seed, String fingerprint) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("formatVersion", 1);
        m.put("model", model);
        m.put("dataset", r.dataset());
        m.put("split", r.split());
        m.put("target", r.target());
        m.put("protocol", r.protocol());
        m.put("ks", r.ks());
        m.put("metrics", r.metrics());
        m.put("usersEvaluated", r.usersEvaluated());
        m.put("usersSkipped", r.usersSkipped());
        m.put("seconds", r.seconds());
        m.put("seed", seed);
        m.put("dataFingerprint", fingerprint);
        m.put("backend", backend);
        m.put("engine", engine);
        m.put("recsysVersion", Provenance.currentRecsysVersion());
        m.put("java", Provenance.currentJavaVersion());
        m.put("os", Provenance.currentOs());
        m.put("perUser", perUser(r));
        return m;
    }

    private static Map<String, Object> perUser(EvalResult r) {
        Map<String, Object> pu = new LinkedHashMap<>();
        pu.put("users", r.users());
        for (String k : r.perUserKeys()) {
            pu.put(k, r.perUser(k));
        }
        return pu;
    }

    /**
     * Adds the cold-start items protocol to a result tree: the cold list ({@code coldItems}: rule,
     * seed, count, fingerprint, dense ids) and the warm-target and cold-target groups
     * ({@code groups.warm}, {@code groups.cold}: metrics, users, per-user values); the top level
     * stays the result over all users.
     */
    public static Map<String, Object> withColdStart(Map<String, Object> m, GroupedResult g, ColdItems cold) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("rule", cold.rule());
        c.put("seed", cold.seed());
        c.put("count", cold.items().length);
        c.put("fingerprint", cold.fingerprint());
        c.put("items", cold.items());
        m.put("coldItems", c);
        Map<String, Object> groups = new LinkedHashMap<>();
        for (String name : List.of("warm", "cold")) {
            EvalResult r = g.group(name);
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("split", r.split());
            x.put("metrics", r.metrics());
            x.put("usersEvaluated", r.usersEvaluated());
            x.put("usersSkipped", r.usersSkipped());
            x.put("perUser", perUser(r));
            groups.put(name, x);
        }
        m.put("groups", groups);
        return m;
    }

    /** Writes any JSON-able value atomically. */
    public static void writeJson(Path file, Object value) throws IOException {
        writeAtomically(file, JSON.writeValueAsString(value) + "\n");
    }

    /** Writes text to file atomically (temp file, then a rename; a replaced file keeps its mode). */
    public static void writeAtomically(Path file, String text) throws IOException {
        AtomicFiles.writeString(file, text);
    }

    /**
     * Fails unless two result files were computed on the same data (same fingerprint of the
     * training sequences and targets), the same target and the same protocol, so that a paired
     * test over their users means something.
     */
    public static void checkComparable(Path a, Path b) throws IOException {
        JsonNode x = tree(a);
        JsonNode y = tree(b);
        for (String field : new String[] {"coldItems", "dataFingerprint", "target", "protocol"}) {
            String u = field.equals("coldItems") ? coldLabel(x) : x.path(field).asText("");
            String v = field.equals("coldItems") ? coldLabel(y) : y.path(field).asText("");
            if (field.equals("coldItems") && u.equals(v)) {
                continue;
            }
            if (u.isEmpty() || v.isEmpty() || !u.equals(v)) {
                throw new DataException(
                        "cannot compare " + a + " with " + b + ": they were computed on " + what(field) + " ("
                                + (u.isEmpty() ? "none recorded" : u) + " vs " + (v.isEmpty() ? "none recorded" : v)
                                + "); a paired test needs both on the same one");
            }
        }
    }

    private static String what(String field) {
        return switch (field) {
            case "dataFingerprint" -> "different data (fingerprints)";
            case "target" -> "different targets";
            case "coldItems" -> "different cold items";
            default -> "different protocols";
        };
    }

    private static String coldLabel(JsonNode n) {
        JsonNode c = n.path("coldItems");
        return c.isMissingNode() || c.isNull()
                ? "all items warm"
                : c.path("rule").asText() + " seed " + c.path("seed").asText() + " ("
                        + c.path("fingerprint").asText() + ")";
    }

    private static JsonNode tree(Path file) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new DataException("result file not found: " + file);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | java.nio.charset.CharacterCodingException e) {
            throw new DataException(file + ": not a JSON result file: "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                            ? j.getOriginalMessage()
                            : "not UTF-8 text"));
        }
        if (n == null || !FORMAT.equals(n.path("format").asText())) {
            throw new DataException(file + ": not a recsys result file (expected \"format\": \"" + FORMAT + "\")");
        }
        return n;
    }

    /** Reads a result file back into an {@link EvalResult} (for {@code --compare}). */
    public static EvalResult read(Path file) throws IOException {
        return read(file, "all");
    }

    /**
     * Reads one group of users of a result file: {@code all}, or under the cold-start items
     * protocol {@code warm} or {@code cold} (users whose target is warm or cold).
     */
    public static EvalResult read(Path file, String group) throws IOException {
        JsonNode top = tree(file);
        JsonNode n = top;
        if (!group.equals("all")) {
            if (!List.of("warm", "cold").contains(group)) {
                throw new DataException("unknown group '" + group + "'; known: all, warm, cold");
            }
            n = top.path("groups").path(group);
            if (n.isMissingNode()) {
                throw new DataException(
                        file + ": has no '" + group + "' group (it was not evaluated with --cold-items)");
            }
        }
        JsonNode pu = n.path("perUser");
        if (!pu.path("users").isArray()) {
            throw new DataException(file + ": the result has no per-user values (perUser.users)");
        }
        int[] users = JSON.convertValue(pu.get("users"), int[].class);
        Map<String, double[]> per = new LinkedHashMap<>();
        pu.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("users")) {
                per.put(e.getKey(), JSON.convertValue(e.getValue(), double[].class));
            }
        });
        Map<String, Double> metrics = new LinkedHashMap<>();
        n.path("metrics")
                .fields()
                .forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
        try {
            return new EvalResult(
                    top.path("dataset").asText(),
                    n.path("split").asText(),
                    top.path("target").asText(),
                    top.path("protocol").asText(),
                    JSON.convertValue(top.path("ks"), int[].class),
                    metrics,
                    users,
                    per,
                    n.path("usersSkipped").asInt(),
                    top.path("seconds").asDouble());
        } catch (IllegalArgumentException e) {
            throw new DataException(file + ": inconsistent result file: " + e.getMessage());
        }
    }
}
