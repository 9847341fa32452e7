package dev.recsys.api.train;

import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.recommend.TopK;
import dev.recsys.api.spi.RecModel;
import java.util.Objects;

/**
 * Fine-tuning negatives mined from the model's own stage-1 ranking, engine-free.
 *
 * <p>The stage-2 scorer only ever re-ranks the stage-1 top N of a user, so it should learn to
 * separate the next item from those candidates, not from items drawn uniformly from the
 * catalogue (which stage 1 already ranks low). For every user with a training example, the
 * history is the training sequence without its last item, and the pool is the {@code pool}
 * best-scored items of stage 1 for that history, every item of the user's training sequence
 * excluded (its last item, the fine-tuning positive, included). {@link Batcher#withPools}
 * then fine-tunes on that last position with negatives drawn from the pool: the same task the
 * re-ranker faces at evaluation time, one step later.
 */
public final class HardNegatives {
    private HardNegatives() {}

    /**
     * Mines the pools with the model as it is (eval mode).
     *
     * @param model     the model after pre-training
     * @param data      the training data (histories; events when the model uses them)
     * @param pool      items per user, &gt;= 1
     * @param batchSize users scored per call
     * @return per user the pool (best first), or null for a user with fewer than 2 training items
     */
    public static int[][] mine(RecModel model, TrainingData data, int pool, int batchSize) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        if (pool < 1) {
            throw new IllegalArgumentException("the hard-negative pool must hold >= 1 item, found " + pool);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, found " + batchSize);
        }
        int numItems = data.numItems();
        if (numItems != model.config().numItems()) {
            throw new IllegalArgumentException("training data has " + numItems + " items but the model was built for "
                    + model.config().numItems());
        }
        boolean useEvents = model.config().eventTypes() > 0;
        if (useEvents && data.events() == null) {
            throw new IllegalArgumentException("the model has event types but the training data has none");
        }
        int maxLen = model.config().maxLen();
        int[][] seqs = data.sequences();
        int[][] out = new int[data.users()][];
        int[] users = new int[batchSize];
        boolean[] mask = new boolean[numItems + 1];
        for (int i = 1; i <= numItems; i++) {
            mask[i] = data.isHeldOut(i);
        }
        int u = 0;
        while (u < seqs.length) {
            int b = 0;
            while (u < seqs.length && b < batchSize) {
                if (seqs[u].length >= 2) {
                    users[b++] = u;
                }
                u++;
            }
            if (b == 0) {
                break;
            }
            int[][] histories = new int[b][];
            int[][] events = useEvents ? new int[b][] : null;
            int[] ends = new int[b];
            for (int r = 0; r < b; r++) {
                histories[r] = seqs[users[r]];
                ends[r] = histories[r].length - 1;
                if (events != null) {
                    events[r] = data.events()[users[r]];
                }
            }
            float[] scores =
                    model.scoreAll(SeqBatch.leftPadded(histories, events, ends, SeqBatch.windowLength(ends, maxLen)));
            for (int r = 0; r < b; r++) {
                int[] s = seqs[users[r]];
                mask[0] = true; // held-out items stay masked for every user
                for (int item : s) {
                    mask[item] = true;
                }
                out[users[r]] = TopK.select(scores, r * (numItems + 1), (r + 1) * (numItems + 1), pool, mask);
                for (int item : s) {
                    mask[item] = false;
                }
            }
        }
        return out;
    }
}
