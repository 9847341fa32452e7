package dev.recsys.backend.dl4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Optional per-op-type timing of every graph run (system property {@value #PROPERTY}{@code =true}):
 * CPU time of the calling thread from just before each op's execution to just after, summed per
 * op name (CPU time, so that other processes on a shared machine do not inflate it; ops run on
 * the calling thread with one thread). Time outside these windows (output allocation, shape
 * inference, session bookkeeping) is SameDiff overhead. With
 * {@code -Drecsys.dl4j.opprofile.shapes=true} the totals are per op name and input shapes.
 */
final class OpProfile extends BaseListener {
    static final String PROPERTY = "recsys.dl4j.opprofile";
    static final OpProfile INSTANCE = Boolean.getBoolean(PROPERTY) ? new OpProfile() : null;

    private static final boolean SHAPES = Boolean.getBoolean("recsys.dl4j.opprofile.shapes");
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private final Map<String, long[]> totals = new HashMap<>();
    private long start;

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        start = CPU.getCurrentThreadCpuTime();
    }

    @Override
    public void opExecution(
            SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
        String key = op.getOp().opName();
        if (SHAPES) {
            StringBuilder sb = new StringBuilder(key);
            for (INDArray a : opContext.getInputArrays()) {
                sb.append(' ').append(java.util.Arrays.toString(a.shape()));
            }
            key = sb.toString();
        }
        long[] t = totals.computeIfAbsent(key, k -> new long[2]);
        t[0] += CPU.getCurrentThreadCpuTime() - start;
        t[1]++;
    }

    /** Totals so far, largest first, and resets them. */
    synchronized String drain() {
        List<Map.Entry<String, long[]>> es = new ArrayList<>(totals.entrySet());
        es.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        StringBuilder sb = new StringBuilder();
        long sum = 0;
        for (Map.Entry<String, long[]> e : es) {
            sum += e.getValue()[0];
            sb.append(
                    String.format("%n  %-60s %9.1f ms %7d calls", e.getKey(), e.getValue()[0] / 1e6, e.getValue()[1]));
        }
        totals.clear();
        return String.format("CPU time inside ops %.1f ms:", sum / 1e6) + sb;
    }
}
