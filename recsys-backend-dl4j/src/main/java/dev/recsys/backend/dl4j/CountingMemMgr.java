package dev.recsys.backend.dl4j;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Diagnostic wrapper of SameDiff's op-output cache: counts hits, misses and releases refused because a view shares the buffer. */
final class CountingMemMgr extends ReclaimingMemMgr {
    static final AtomicLong HITS = new AtomicLong();
    static final AtomicLong MISSES = new AtomicLong();
    static final AtomicLong SHARED = new AtomicLong();
    static final AtomicLong RELEASED = new AtomicLong();
    static final AtomicLong MAX_CACHED = new AtomicLong();

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        List<INDArray> l = getArrays().get(dataType, Arrays.toString(shape));
        if (l != null && !l.isEmpty()) {
            HITS.incrementAndGet();
        } else {
            MISSES.incrementAndGet();
        }
        return super.allocate(detached, dataType, shape);
    }

    @Override
    public void release(INDArray array) {
        RELEASED.incrementAndGet();
        if (array.data() != null && Nd4j.getExecutioner().useCount(array.data()) > 1) {
            SHARED.incrementAndGet();
        }
        super.release(array);
        MAX_CACHED.accumulateAndGet(getCurrentCacheSize(), Math::max);
    }

    static String stats() {
        return "op-output cache: hits " + HITS + ", misses " + MISSES + ", released " + RELEASED
                + " of which sharing their buffer " + SHARED + ", largest cache " + MAX_CACHED.get() / (1024 * 1024)
                + " MiB";
    }
}
