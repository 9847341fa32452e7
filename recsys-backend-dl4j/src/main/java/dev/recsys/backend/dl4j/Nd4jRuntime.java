package dev.recsys.backend.dl4j;

import dev.recsys.api.BackendException;
import dev.recsys.api.spi.BackendOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads ND4J once per JVM and applies the engine settings.
 *
 * <p>Before the first ND4J class is initialised, and only where the user set nothing:
 * {@code org.bytedeco.javacpp.maxbytes} = {@value #DEFAULT_MAX_BYTES} (off-heap arrays; SameDiff's
 * array cache takes a quarter of it) and {@code org.bytedeco.javacpp.maxphysicalbytes} = the
 * JVM's maximum heap + {@value #PHYSICAL_HEADROOM_MB} MiB (JavaCPP counts the whole resident
 * size, heap included, against it); {@code org.bytedeco.javacpp.cachedir} from
 * {@link BackendOptions#cacheDir()}. On every {@link #load}: ND4J's and OpenBLAS's thread counts
 * from {@link BackendOptions#threads()}.
 */
final class Nd4jRuntime {
    /** Engine version string reported by the backend. */
    static final String VERSION = "ND4J/SameDiff 1.0.0-M2.1 (nd4j-native CPU, OpenBLAS)";
    /** Coordinates of the natives, named when loading fails. */
    static final String NATIVE_ARTIFACT = "org.nd4j:nd4j-native:1.0.0-M2.1:linux-x86_64";
    static final String DEFAULT_MAX_BYTES = "4G";
    static final long PHYSICAL_HEADROOM_MB = 3072;
    static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";
    static final String CACHE_DIR = "org.bytedeco.javacpp.cachedir";

    private static final Logger LOG = LoggerFactory.getLogger(Nd4jRuntime.class);
    private static boolean loaded;

    private Nd4jRuntime() {
    }

    static synchronized void load(BackendOptions o) {
        if (!loaded) {
            if (System.getProperty(MAX_BYTES) == null) {
                System.setProperty(MAX_BYTES, DEFAULT_MAX_BYTES);
            }
            if (System.getProperty(MAX_PHYSICAL_BYTES) == null) {
                long heapMb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
                System.setProperty(MAX_PHYSICAL_BYTES, (heapMb + PHYSICAL_HEADROOM_MB) + "M");
            }
            if (o.cacheDir() != null && System.getProperty(CACHE_DIR) == null) {
                System.setProperty(CACHE_DIR, o.cacheDir().toAbsolutePath().toString());
            }
            try {
                org.nd4j.linalg.factory.Nd4j.create(1).close();
            } catch (Throwable e) { // UnsatisfiedLinkError, ExceptionInInitializerError, NoClassDefFoundError, RuntimeException
                throw new BackendException("could not load the ND4J native CPU backend (" + e + "); add " + NATIVE_ARTIFACT
                        + " (the natives for this platform) to the classpath, or check that "
                        + System.getProperty(CACHE_DIR, "~/.javacpp/cache") + " is writable", e);
            }
            loaded = true;
            LOG.info("ND4J loaded: {}, javacpp maxbytes={}, maxphysicalbytes={}", VERSION, System.getProperty(MAX_BYTES),
                    System.getProperty(MAX_PHYSICAL_BYTES));
        }
        applyThreads(o.threads());
    }

    private static void applyThreads(int threads) {
        try {
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(threads);
            org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
            org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("could not set ND4J threads to {}: {}", threads, e.toString());
        }
    }
}
