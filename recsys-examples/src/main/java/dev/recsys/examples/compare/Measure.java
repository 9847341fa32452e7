package dev.recsys.examples.compare;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;

/** Small measurement helpers: percentiles, medians and the process's memory from /proc. */
public final class Measure {
    private static final Path STATUS = Path.of("/proc/self/status");

    private Measure() {}

    /**
     * The {@code q}-quantile ({@code 0 <= q <= 1}) of values by linear interpolation between the
     * closest ranks (the "R-7" definition of Hyndman &amp; Fan: {@code pos = q (n - 1)}).
     */
    public static double percentile(double[] values, double q) {
        if (values.length == 0) {
            throw new IllegalArgumentException("percentile of no values");
        }
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], found " + q);
        }
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    public static double median(double[] values) {
        return percentile(values, 0.5);
    }

    /** Peak resident set size of this process in bytes ({@code VmHWM}), empty where /proc is absent. */
    public static OptionalLong peakRssBytes() {
        return procStatus("VmHWM:");
    }

    /** Current resident set size in bytes ({@code VmRSS}), empty where /proc is absent. */
    public static OptionalLong rssBytes() {
        return procStatus("VmRSS:");
    }

    /** Sum of the peak usage of the JVM's heap pools in bytes (an upper bound of the peak heap). */
    public static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    static OptionalLong procStatus(String key) {
        if (!Files.isReadable(STATUS)) {
            return OptionalLong.empty();
        }
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(key)) {
                    return OptionalLong.of(parseKb(line.substring(key.length())) * 1024L);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /** {@code "   123456 kB"} to 123456. */
    static long parseKb(String v) {
        String t = v.trim();
        if (t.endsWith("kB")) {
            t = t.substring(0, t.length() - 2).trim();
        }
        return Long.parseLong(t);
    }
}
