package dev.recsys.backend.djl;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * glibc malloc settings for the engine's large, short-lived tensors, applied in-process with
 * {@code mallopt} when the engine loads: the same effect as starting the JVM with
 * {@code GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=...},
 * which made training steps 7-41 % faster (ENGINES.md). PyTorch's CPU allocator has no cache:
 * without these settings every tensor above the dynamic mmap threshold is a fresh {@code mmap}
 * whose pages are faulted in and zeroed again at every step, and freed memory is returned to the
 * system at once.
 *
 * <p>Process-wide and permanent: allocations up to 32 MiB come from the heap, and freed heap
 * memory is kept for reuse instead of being returned to the system (resident memory stays at the
 * high-water mark of a training step). Turned off with {@code -Drecsys.djl.mallocTuning=false};
 * skipped when {@code GLIBC_TUNABLES} is set (the caller decided) and outside Linux/glibc.
 */
final class MallocTuning {
    static final String PROPERTY = "recsys.djl.mallocTuning";
    private static final Logger LOG = LoggerFactory.getLogger(MallocTuning.class);
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    private static final int M_ARENA_MAX = -8;
    private static final int MMAP_THRESHOLD = 32 * 1024 * 1024;
    private static boolean applied;

    /** The part of libc used here. */
    public interface CLib extends Library {
        int mallopt(int param, int value);
    }

    private MallocTuning() {
    }

    /** Applies the settings once, unless turned off; returns whether they are in effect. */
    static synchronized boolean apply() {
        if (applied) {
            return true;
        }
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            LOG.debug("malloc tuning turned off by -D{}=false", PROPERTY);
            return false;
        }
        if (System.getenv("GLIBC_TUNABLES") != null) {
            LOG.debug("GLIBC_TUNABLES is set; malloc settings left to it");
            return false;
        }
        if (!Platform.isLinux()) {
            return false;
        }
        try {
            CLib c = Native.load("c", CLib.class);
            boolean ok = c.mallopt(M_ARENA_MAX, 1) == 1 && c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                    && c.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1;
            applied = ok;
            LOG.info("glibc malloc tuned for the engine (mmap threshold 32 MiB, no trimming){}; -D{}=false turns this off",
                    ok ? "" : " FAILED", PROPERTY);
            return ok;
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("mallopt unavailable ({}); malloc left as it is", e.toString());
            return false;
        }
    }
}
