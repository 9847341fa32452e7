package dev.recsys.backend.dl4j;

import dev.recsys.api.BackendException;
import dev.recsys.api.spi.BackendOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads ND4J once per JVM, applies the engine settings and bounds resident memory.
 *
 * <p>Before the first ND4J class is initialised, and only where the user set nothing:
 * {@code org.bytedeco.javacpp.maxbytes} = {@value #DEFAULT_MAX_BYTES} (SameDiff's op-output cache
 * takes a quarter of it per session), {@code org.bytedeco.javacpp.cachedir} from
 * {@link BackendOptions#cacheDir()}, and the resident-size bound {@value #MAX_RESIDENT} = the
 * JVM's maximum heap + {@value #PHYSICAL_HEADROOM_MB} MiB, checked once per graph run by
 * {@link #checkResident()}. JavaCPP's own {@code maxphysicalbytes} is then set to 0: it checks the
 * resident size on every native pointer it creates (dozens per run), which cost ≈ 0.5 ms of a
 * 4 ms stage-1 call; a user who sets it keeps it. On every {@link #load}: ND4J's and OpenBLAS's
 * thread counts from {@link BackendOptions#threads()}.
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
    /** Resident-size bound of the process, checked before every graph run (bytes, or with a K/M/G suffix). */
    static final String MAX_RESIDENT = "recsys.dl4j.maxresident";

    private static volatile long maxResident;

    private static final Logger LOG = LoggerFactory.getLogger(Nd4jRuntime.class);
    private static boolean loaded;

    private Nd4jRuntime() {}

    static synchronized void load(BackendOptions o) {
        if (!loaded) {
            if (System.getProperty(MAX_BYTES) == null) {
                System.setProperty(MAX_BYTES, DEFAULT_MAX_BYTES);
            }
            long heapMb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
            if (System.getProperty(MAX_RESIDENT) == null) {
                System.setProperty(MAX_RESIDENT, (heapMb + PHYSICAL_HEADROOM_MB) + "M");
            }
            maxResident = parseBytes(System.getProperty(MAX_RESIDENT), MAX_RESIDENT);
            if (System.getProperty(MAX_PHYSICAL_BYTES) == null) {
                System.setProperty(MAX_PHYSICAL_BYTES, "0");
            }
            if (o.cacheDir() != null && System.getProperty(CACHE_DIR) == null) {
                System.setProperty(CACHE_DIR, o.cacheDir().toAbsolutePath().toString());
            }
            try {
                org.nd4j.linalg.factory.Nd4j.create(1).close();
            } catch (Throwable e) { // UnsatisfiedLinkError, ExceptionInInitializerError, NoClassDefFoundError,
                // RuntimeException
                throw new BackendException(
                        "could not load the ND4J native CPU backend (" + e + "); add " + NATIVE_ARTIFACT
                                + " (the natives for this platform) to the classpath, or check that "
                                + System.getProperty(CACHE_DIR, "~/.javacpp/cache") + " is writable",
                        e);
            }
            loaded = true;
            LOG.info(
                    "ND4J loaded: {}, javacpp maxbytes={}, maxphysicalbytes={}, {}={}",
                    VERSION,
                    System.getProperty(MAX_BYTES),
                    System.getProperty(MAX_PHYSICAL_BYTES),
                    MAX_RESIDENT,
                    System.getProperty(MAX_RESIDENT));
        }
        applyThreads(o.threads());
    }

    /**
     * Fails with a {@link BackendException} naming {@value #MAX_RESIDENT} when the process's
     * resident size is over the bound after up to three garbage collections (native arrays whose
     * Java objects are unreachable are freed by them). Called before every graph run: one read of
     * the resident size, ≈ 10 µs.
     */
    static void checkResident() {
        long max = maxResident;
        if (max <= 0) {
            return;
        }
        long rss = org.bytedeco.javacpp.Pointer.physicalBytesInaccurate(max);
        for (int attempt = 0; rss > max && attempt < 3; attempt++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            rss = org.bytedeco.javacpp.Pointer.physicalBytes();
        }
        if (rss > max) {
            throw new BackendException("DL4J: the process's resident memory (" + (rss >> 20) + " MiB) is over "
                    + MAX_RESIDENT + " = " + (max >> 20)
                    + " MiB; use smaller batches or raise it, e.g. RECSYS_JAVA_OPTS=\"-Xmx6g -D"
                    + MAX_RESIDENT + "=12G\" (a value without K, M or G is read as bytes)");
        }
    }

    /** Sets the bound for tests; 0 switches it off. */
    static void maxResident(long bytes) {
        maxResident = bytes;
    }

    static long parseBytes(String v, String name) {
        String t = v.trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G") || t.endsWith("T")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                default -> 1L << 40;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Long.parseLong(t) * unit;
        } catch (NumberFormatException e) {
            throw new BackendException(name + " must be a byte count like 9216M or 8G, found '" + v + "'", e);
        }
    }

    private static void applyThreads(int threads) {
        try {
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(threads);
            org.nd4j.nativeblas.NativeOpsHolder.getInstance()
                    .getDeviceNativeOps()
                    .setOmpNumThreads(threads);
            org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("could not set ND4J threads to {}: {}", threads, e.toString());
        }
    }
}
