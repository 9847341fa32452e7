package dev.recsys.backend.dl4j;

/** Diagnostics for benchmarks: the optional op profile (see {@code -Drecsys.dl4j.opprofile=true}). */
public final class Dl4jDiagnostics {
    private Dl4jDiagnostics() {}

    /** Hit and miss counts of the op-output cache (with {@code -Drecsys.dl4j.memstats=true}). */
    public static String memStats() {
        return CountingMemMgr.stats();
    }

    /** The per-op-type time since the last call, or null when profiling is off. */
    public static String opProfile() {
        return OpProfile.INSTANCE == null ? null : OpProfile.INSTANCE.drain();
    }
}
