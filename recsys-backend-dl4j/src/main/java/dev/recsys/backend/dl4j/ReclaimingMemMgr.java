package dev.recsys.backend.dl4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * SameDiff's op-output cache, which also takes back the arrays a run left out.
 *
 * <p>SameDiff 1.0.0-M2.1's session does not hand every op output back to its memory manager
 * at the end of a run: in a training step at length 200, 77 arrays per step (46 of them
 * {@code [25600, 64]}: outputs of {@code add_bp}, {@code matmul_bp}, {@code multiply_bp} and
 * others, ≈ 390 MB) were neither released nor returned. They were freed only when the garbage
 * collector reached their Java objects, so resident memory grew by ≈ 390 MB per step until a
 * collection (4.8 GiB after 10 steps with a 6 GiB heap), and every step allocated them afresh.
 * This manager records what it allocates; {@link #reclaim} puts whatever is still out back into
 * the cache once the run's outputs have been copied out, so the next step reuses it.
 *
 * <p>Not thread-safe: one per session (SameDiff keeps a session per thread), used under the
 * model's lock.
 */
class ReclaimingMemMgr extends ArrayCacheMemoryMgr {
    private final Set<INDArray> out = Collections.newSetFromMap(new IdentityHashMap<>());
    private long live;
    private long peak;

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        INDArray a = super.allocate(detached, dataType, shape);
        if (out.add(a)) {
            live += bytes(a);
            peak = Math.max(peak, live);
        }
        return a;
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        return allocate(detached, descriptor.dataType(), descriptor.getShape());
    }

    @Override
    public void release(INDArray array) {
        if (out.remove(array)) {
            live -= bytes(array);
        }
        super.release(array);
    }

    /** The most bytes of op outputs out at once since the last {@link #resetPeak}. */
    long peakBytes() {
        return peak;
    }

    void resetPeak() {
        peak = live;
    }

    private static long bytes(INDArray a) {
        return a.data() == null ? 0 : a.data().length() * a.dataType().width();
    }

    /**
     * Puts every array this manager allocated and nobody released back into the cache (or closes
     * it when the cache is full). Call only when the run is over and its outputs are no longer
     * read: they are among these arrays.
     *
     * @return the arrays taken back
     */
    List<INDArray> reclaim() {
        List<INDArray> taken = new ArrayList<>(out);
        out.clear();
        live = 0;
        for (INDArray a : taken) {
            if (!a.wasClosed() && !getLruCache().contains(a.getId())) { // (an array can be back in the cache already)
                super.release(a);
            }
        }
        return taken;
    }

    /** Arrays allocated and not yet released (diagnostics, tests). */
    int outstanding() {
        return out.size();
    }
}
