package dev.recsys.api.spi;

import dev.recsys.api.BackendException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds backends. Selection order: an explicit name, then the system property
 * {@code recsys.backend}, then the environment variable {@code RECSYS_BACKEND}, then the
 * available provider of highest priority. A provider that fails to load is logged and skipped.
 */
public final class Backends {
    public static final String PROPERTY = "recsys.backend";
    public static final String ENV = "RECSYS_BACKEND";
    /** Artifacts that bring a backend, named when none is found. */
    public static final String KNOWN_ARTIFACTS = "dev.recsys:recsys-backend-djl or dev.recsys:recsys-backend-dl4j";

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {}

    /** Every provider on the classpath (available or not), by descending priority. */
    public static List<BackendProvider> providers() {
        return providers(Backends.class.getClassLoader());
    }

    static List<BackendProvider> providers(ClassLoader loader) {
        List<BackendProvider> out = new ArrayList<>();
        var it = ServiceLoader.load(BackendProvider.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                out.add(it.next());
            } catch (ServiceConfigurationError e) {
                LOG.warn("skipping a backend provider that failed to load: {}", e.getMessage());
            }
        }
        out.sort(Comparator.comparingInt(BackendProvider::priority).reversed().thenComparing(BackendProvider::name));
        return out;
    }

    /** Selects a provider: explicit name (may be null), property, environment, priority. */
    public static BackendProvider select(String explicit) {
        return select(explicit, System.getProperty(PROPERTY), System.getenv(ENV), providers());
    }

    static BackendProvider select(String explicit, String property, String env, List<BackendProvider> all) {
        String wanted = firstNonBlank(explicit, property, env);
        if (wanted != null) {
            String w = wanted.trim().toLowerCase(Locale.ROOT);
            for (BackendProvider p : all) {
                if (p.name().equalsIgnoreCase(w)) {
                    if (!p.isAvailable()) {
                        throw new BackendException(
                                "backend '" + w + "' is on the classpath but its engine classes are missing; add "
                                        + p.artifact() + " with its runtime dependencies");
                    }
                    return p;
                }
            }
            List<String> known = all.stream().map(BackendProvider::name).toList();
            throw new BackendException(
                    "unknown backend '" + w + "'; known: " + (known.isEmpty() ? "none on the classpath" : known)
                            + (known.isEmpty() ? " (add " + KNOWN_ARTIFACTS + ")" : ""));
        }
        for (BackendProvider p : all) {
            if (p.isAvailable()) {
                return p;
            }
        }
        if (!all.isEmpty()) {
            throw new BackendException("no backend is usable: "
                    + all.stream().map(p -> p.name() + " needs " + p.artifact()).toList());
        }
        throw new BackendException("no recsys backend on the classpath; add " + KNOWN_ARTIFACTS);
    }

    /** Creates the selected backend. */
    public static Backend create(String explicit, BackendOptions options) {
        return select(explicit).create(options);
    }

    private static String firstNonBlank(String... vs) {
        for (String v : vs) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
