package dev.recsys.examples.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.recsys.api.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads an {@link ExperimentConfig} from JSON or YAML, over the defaults, then applies
 * {@code key.path=value} overrides. Unknown keys, wrong types and nulls are errors that name the
 * field and the file.
 */
public final class ConfigLoader {
    private static final ObjectMapper JSON = mapper(new ObjectMapper());
    private static final ObjectMapper YAML = mapper(new ObjectMapper(new YAMLFactory()));

    private ConfigLoader() {
    }

    private static ObjectMapper mapper(ObjectMapper m) {
        return m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }

    /** The defaults with the file (may be null) and the overrides applied. */
    public static ExperimentConfig load(Path file, List<String> overrides) {
        ObjectNode tree = JSON.valueToTree(ExperimentConfig.defaults());
        String source = "defaults";
        if (file != null) {
            source = file.toString();
            JsonNode user;
            try {
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                ObjectMapper m = name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
                user = m.readTree(Files.readString(file));
            } catch (NoSuchFileException e) {
                throw new DataException("config file not found: " + file);
            } catch (JsonProcessingException e) {
                throw new DataException(file + ": not valid JSON/YAML: " + e.getOriginalMessage()
                        + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
            } catch (IOException e) {
                throw new DataException("cannot read config file " + file + ": " + e.getMessage());
            }
            if (user != null && !user.isNull() && !user.isMissingNode()) {
                if (!user.isObject()) {
                    throw new DataException(file + ": the config must be an object of sections (model, content, pretrain, finetune, eval, seed)");
                }
                merge(tree, (ObjectNode) user, "", file.toString());
            }
        }
        for (String o : overrides == null ? List.<String>of() : overrides) {
            applyOverride(tree, o);
        }
        try {
            return JSON.treeToValue(tree, ExperimentConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new DataException(source + ": unknown config key '" + path(e) + "'; known keys: " + e.getKnownPropertyIds());
        } catch (JsonProcessingException e) {
            throw new DataException(source + ": bad value for '" + path(e) + "': " + e.getOriginalMessage());
        }
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            StringBuilder sb = new StringBuilder();
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    if (sb.length() > 0) {
                        sb.append('.');
                    }
                    sb.append(ref.getFieldName());
                } else {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            return sb.toString();
        }
        return "?";
    }

    /** Deep-merges user into base; an unknown key is reported with its full path. */
    private static void merge(ObjectNode base, ObjectNode user, String prefix, String file) {
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
                merge((ObjectNode) b, (ObjectNode) e.getValue(), key + ".", file);
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    private static List<String> fieldNames(ObjectNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** {@code pretrain.epochs=5}: the value is parsed as JSON when it can be, else taken as a string. */
    static void applyOverride(ObjectNode tree, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new DataException("override '" + override + "' must look like section.key=value, e.g. pretrain.epochs=5");
        }
        String[] path = override.substring(0, eq).trim().split("\\.");
        String raw = override.substring(eq + 1).trim();
        ObjectNode node = tree;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode next = node.get(path[i]);
            if (next == null || !next.isObject()) {
                throw new DataException("unknown config key '" + override.substring(0, eq) + "' in override; known keys: " + fieldNames(node));
            }
            node = (ObjectNode) next;
        }
        String leaf = path[path.length - 1];
        if (!node.has(leaf)) {
            throw new DataException("unknown config key '" + override.substring(0, eq) + "' in override; known keys: " + fieldNames(node));
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
