package dev.recsys.backend.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.recsys.api.BackendException;
import dev.recsys.api.spi.BackendOptions;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the PyTorch engine once per JVM, offline, with the requested threads and cache folder.
 *
 * <p>Settings and where they go:
 * <ul>
 *   <li>cache folder: {@link BackendOptions#cacheDir()}, else the environment/system property
 *       {@code ENGINE_CACHE_DIR} or {@code DJL_CACHE_DIR} if set, else
 *       {@code $XDG_CACHE_HOME/recsys/djl} ({@code ~/.cache/recsys/djl}); written to the system
 *       properties {@code ENGINE_CACHE_DIR} and {@code DJL_CACHE_DIR}. DJL reads the environment
 *       variables first, so an environment value wins over the option (a warning says so);</li>
 *   <li>threads: {@code ai.djl.pytorch.num_threads} and {@code ai.djl.pytorch.num_interop_threads}
 *       before the engine loads; later backends may change the intra-op count (it is global to
 *       the process), the inter-op count is fixed by the first load.</li>
 * </ul>
 * Speed: PyTorch's CPU allocator has no cache, so glibc malloc settings matter; start the JVM
 * with {@code GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295}
 * (one arena per core instead where several threads score at once, as in a service; see the module's
 * README.md). The same settings applied in-process with {@code mallopt} after
 * the JVM has started made steps slower, not faster, so the library does not touch malloc.
 * The natives must come from the classpath: {@code ai.djl.pytorch:pytorch-native-cpu:2.7.1}
 * (classifier {@code linux-x86_64}) and {@code ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0}, or a
 * pre-extracted folder named by {@code PYTORCH_LIBRARY_PATH}. If they are missing the load
 * fails with a {@link BackendException} that names the artifacts; it never downloads.
 */
final class DjlEngine {
    static final String NATIVE_ARTIFACT = "ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64";
    static final String JNI_ARTIFACT = "ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0";
    static final String PYTORCH_VERSION = "2.7.1";

    private static final Logger LOG = LoggerFactory.getLogger(DjlEngine.class);
    private static Engine engine;
    private static int interopThreads;

    private DjlEngine() {}

    /** Sets the properties that keep DJL offline and silent; idempotent. */
    static void setOfflineProperties() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    /** The default native cache folder: {@code $XDG_CACHE_HOME/recsys/djl} or {@code ~/.cache/recsys/djl}. */
    static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base =
                xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("recsys").resolve("djl");
    }

    /** The loaded engine; loads it with the given options on first call. */
    static synchronized Engine load(BackendOptions options) {
        setOfflineProperties();
        if (engine != null) {
            applyThreads(options);
            if (options.cacheDir() != null
                    && !options.cacheDir().toString().equals(System.getProperty("ENGINE_CACHE_DIR"))) {
                LOG.warn(
                        "the PyTorch engine is already loaded from {}; cacheDir {} is ignored",
                        System.getProperty("ENGINE_CACHE_DIR"),
                        options.cacheDir());
            }
            return engine;
        }
        checkVersionPin();
        configureCacheDir(options.cacheDir());
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(options.threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(options.interopThreads()));
        checkNativesPresent(DjlEngine.class.getClassLoader());
        try {
            Engine e = Engine.getEngine("PyTorch");
            if (e == null) {
                throw new BackendException("DJL found no PyTorch engine; add ai.djl.pytorch:pytorch-engine:0.36.0, "
                        + JNI_ARTIFACT + " and " + NATIVE_ARTIFACT + " (runtime) to the classpath");
            }
            engine = e;
            interopThreads = options.interopThreads();
            LOG.info(
                    "loaded DJL {} / PyTorch {} ({} intra-op, {} inter-op threads, natives under {})",
                    Engine.getDjlVersion(),
                    e.getVersion(),
                    JniUtils.getNumThreads(),
                    JniUtils.getNumInteropThreads(),
                    System.getProperty("ENGINE_CACHE_DIR"));
            return e;
        } catch (BackendException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new BackendException(
                    "could not load the PyTorch engine: " + e.getMessage() + ". The CPU natives come from "
                            + NATIVE_ARTIFACT + " with " + JNI_ARTIFACT
                            + " (nothing is downloaded at run time); check that both are on the "
                            + "classpath in exactly these versions and that the cache folder "
                            + System.getProperty("ENGINE_CACHE_DIR")
                            + " is writable",
                    e);
        }
    }

    private static void applyThreads(BackendOptions options) {
        if (JniUtils.getNumThreads() != options.threads()) {
            JniUtils.setNumThreads(options.threads());
            LOG.info("PyTorch intra-op threads set to {} (process-wide)", options.threads());
        }
        if (options.interopThreads() != interopThreads) {
            LOG.warn(
                    "PyTorch inter-op threads are fixed at {} by the first load; {} is ignored",
                    interopThreads,
                    options.interopThreads());
        }
    }

    private static void checkVersionPin() {
        String v = firstSet("PYTORCH_VERSION");
        if (v != null && !v.equals(PYTORCH_VERSION)) {
            throw new BackendException("PYTORCH_VERSION is set to '" + v + "' but the bundled natives are "
                    + PYTORCH_VERSION + "; DJL would try to download other natives. Unset PYTORCH_VERSION or set it to "
                    + PYTORCH_VERSION);
        }
    }

    private static void configureCacheDir(Path explicit) {
        String envEngine = System.getenv("ENGINE_CACHE_DIR");
        String envDjl = System.getenv("DJL_CACHE_DIR");
        String dir;
        if (explicit != null) {
            dir = explicit.toAbsolutePath().toString();
            if (envEngine != null && !envEngine.equals(dir)) {
                LOG.warn(
                        "environment variable ENGINE_CACHE_DIR={} wins over cacheDir {} (DJL reads the environment first)",
                        envEngine,
                        dir);
            }
        } else {
            dir = Objects.requireNonNullElseGet(
                    firstSet("ENGINE_CACHE_DIR"),
                    () -> Objects.requireNonNullElseGet(
                            firstSet("DJL_CACHE_DIR"), () -> defaultCacheDir().toString()));
        }
        System.setProperty("ENGINE_CACHE_DIR", envEngine != null ? envEngine : dir);
        System.setProperty("DJL_CACHE_DIR", envDjl != null ? envDjl : dir);
    }

    /**
     * Fails with the artifacts to add when the natives or the JNI library are not on the
     * classpath (and no pre-extracted folder is named), instead of letting DJL try a download.
     */
    static void checkNativesPresent(ClassLoader cl) {
        if (firstSet("PYTORCH_LIBRARY_PATH") != null) {
            return;
        }
        boolean natives = cl.getResource("native/lib/pytorch.properties") != null;
        boolean jni = cl.getResource("jnilib/pytorch.properties") != null;
        if (!natives || !jni) {
            StringBuilder missing = new StringBuilder();
            if (!natives) {
                missing.append(NATIVE_ARTIFACT).append(" (runtime scope)");
            }
            if (!jni) {
                missing.append(missing.length() > 0 ? " and " : "").append(JNI_ARTIFACT);
            }
            throw new BackendException("the PyTorch CPU natives are not on the classpath; add " + missing
                    + " (the recsys-backend-djl pom brings both), or point PYTORCH_LIBRARY_PATH to a pre-extracted libtorch "
                    + PYTORCH_VERSION + ". Nothing is downloaded at run time.");
        }
    }

    private static String firstSet(String key) {
        String v = System.getenv(key);
        if (v == null || v.isBlank()) {
            v = System.getProperty(key);
        }
        return v == null || v.isBlank() ? null : v;
    }
}
