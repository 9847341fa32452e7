package dev.recsys.examples.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.recsys.api.DataException;
import dev.recsys.api.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an {@link ExperimentConfig} from JSON or YAML, over the defaults, then applies
 * {@code key.path=value} overrides, then checks the whole config with the api records
 * ({@link Configs#validate}) before anything else happens. Every problem (malformed file, a key
 * given twice, unknown key, wrong type, null, a value the records refuse) is a
 * {@link DataException} of one line: where the value came from (the file or the {@code --set}),
 * the key, and what was expected.
 */
public final class ConfigLoader {
    private static final ObjectMapper JSON = Json.strict(JsonMapper.builder()).build();
    private static final ObjectMapper YAML = Json.strict(YAMLMapper.builder()).build();
    private static final String DEFAULTS = "defaults";
    private static final Pattern WORD = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

    private ConfigLoader() {}

    /** The defaults with the file (may be null) and the overrides applied, checked. */
    public static ExperimentConfig load(Path file, List<String> overrides) {
        ObjectNode tree = JSON.valueToTree(ExperimentConfig.defaults());
        Map<String, String> sources = new HashMap<>();
        if (file != null) {
            JsonNode user;
            try {
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                ObjectMapper m = name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
                user = m.readTree(Files.readAllBytes(file));
            } catch (NoSuchFileException e) {
                throw new DataException("config file not found: " + file);
            } catch (JsonProcessingException e) {
                throw new DataException(file + ": " + Json.problem(e));
            } catch (IOException e) {
                throw new DataException("cannot read config file " + file + ": " + e.getMessage());
            }
            if (user != null && !user.isNull() && !user.isMissingNode()) {
                if (!user.isObject()) {
                    throw new DataException(
                            file
                                    + ": the config must be an object of sections (model, content, pretrain, finetune, eval, seed)");
                }
                merge(tree, (ObjectNode) user, "", file.toString(), sources);
            }
        }
        for (String o : overrides == null ? List.<String>of() : overrides) {
            applyOverride(tree, o, sources);
        }
        ExperimentConfig c;
        try {
            c = JSON.treeToValue(tree, ExperimentConfig.class);
        } catch (JsonProcessingException e) {
            String key = e instanceof JsonMappingException m ? Json.path(m) : "";
            throw new DataException(source(sources, key, "") + ": " + Json.problem(e));
        }
        try {
            Configs.validateTraining(c);
        } catch (Configs.BadKey e) {
            throw new DataException(source(sources, e.key(), e.getMessage()) + ": " + e.getMessage(), e);
        }
        return c;
    }

    /** Checks a config built in code (e.g. from command options, named by source) as {@link #load} does; returns it. */
    public static ExperimentConfig checked(ExperimentConfig c, String source) {
        try {
            Configs.validate(c);
        } catch (Configs.BadKey e) {
            throw new DataException(source + ": " + e.getMessage(), e);
        }
        return c;
    }

    /**
     * Where key got its value: the file or the {@code --set}; for a key left at its default, the
     * source of another key of its section that the message names (a refused combination such as
     * dim and heads is blamed on the value the user gave).
     */
    private static String source(Map<String, String> sources, String key, String message) {
        String s = sources.get(key);
        if (s != null) {
            return s;
        }
        int dot = key.indexOf('.');
        String section = dot < 0 ? key : key.substring(0, dot);
        Matcher m = WORD.matcher(message);
        while (m.find()) {
            String other = sources.get(section + "." + m.group());
            if (other != null) {
                return other;
            }
        }
        String any = sources.entrySet().stream()
                .filter(e -> e.getKey().startsWith(section + ".") || e.getKey().equals(section))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
        return any != null ? any : "config (" + DEFAULTS + ")";
    }

    /** Deep-merges user into base; an unknown key is reported with its full path. */
    private static void merge(
            ObjectNode base, ObjectNode user, String prefix, String file, Map<String, String> sources) {
        var it = user.fields();
        while (it.hasNext()) {
            var e = it.next();
            String key = prefix + e.getKey();
            JsonNode b = base.get(e.getKey());
            if (b == null && !(prefix.isEmpty() && e.getKey().equals("finetune"))) {
                throw new DataException(file + ": unknown config key '" + key + "'"
                        + (base.size() > 0 ? "; known keys here: " + fieldNames(base) : ""));
            }
            if (b != null && b.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) b, (ObjectNode) e.getValue(), key + ".", file, sources);
            } else {
                base.set(e.getKey(), e.getValue());
                sources.put(key, file);
            }
        }
    }

    private static List<String> fieldNames(ObjectNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** {@code pretrain.epochs=5}: the value is parsed as JSON when it can be, else taken as a string. */
    static void applyOverride(ObjectNode tree, String override, Map<String, String> sources) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new DataException("--set " + override + ": must look like section.key=value, e.g. pretrain.epochs=5");
        }
        String key = override.substring(0, eq).trim();
        String[] path = key.split("\\.");
        String raw = override.substring(eq + 1).trim();
        ObjectNode node = tree;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode next = node.get(path[i]);
            if (next == null || !next.isObject()) {
                throw new DataException(
                        "--set " + override + ": unknown config key '" + key + "'; known keys: " + fieldNames(node));
            }
            node = (ObjectNode) next;
        }
        String leaf = path[path.length - 1];
        if (!node.has(leaf)) {
            throw new DataException(
                    "--set " + override + ": unknown config key '" + key + "'; known keys: " + fieldNames(node));
        }
        JsonNode value;
        try {
            value = JSON.readTree(raw);
            if (value == null || value.isMissingNode()) {
                value = new TextNode(raw);
            }
        } catch (JsonProcessingException e) {
            value = new TextNode(raw);
        }
        node.set(leaf, value);
        sources.put(key, "--set " + override);
    }

    /** The config as JSON on one line (what {@code recsys train} prints before it starts). */
    public static String toLine(ExperimentConfig c) {
        try {
            return JSON.writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The config as pretty JSON (for model.json metadata and reports). */
    public static String toJson(ExperimentConfig c) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
