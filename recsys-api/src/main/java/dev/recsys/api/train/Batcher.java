package dev.recsys.api.train;

import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import java.util.SplittableRandom;

/**
 * Builds training batches, engine-free: left padding, right-aligned positions, targets and
 * sampled negatives. Thread-safe (no mutable state); randomness from the caller.
 *
 * <p>Pre-training (SASRec): for a user's sequence {@code s_1..s_n} the input is the last
 * {@code maxLen} items of {@code s_1..s_{n-1}} and the target at each position the next item.
 * Fine-tuning: a cut point {@code t} is drawn uniformly from {@code 1..n-1}; the history is the
 * last {@code maxLen} items before it, the positive {@code s_t}, then K negatives (pointwise BCE
 * labels 1, 0, …; MSE: the positive alone with its rating as label).
 */
public final class Batcher {
    private final TrainingData data;
    private final int maxLen;
    private final Stage stage;
    private final LossSpec loss;
    private final NegativeSampler sampler;
    private final boolean useEvents;

    public Batcher(TrainingData data, int maxLen, Stage stage, LossSpec loss, NegativeSampler sampler, boolean useEvents) {
        if (!loss.supports(stage)) {
            throw new IllegalArgumentException("loss " + loss.name() + " does not support " + stage);
        }
        if (loss instanceof LossSpec.Mse && data.ratings() == null) {
            throw new IllegalArgumentException("the mse loss needs explicit ratings in the training data; this data set has none");
        }
        if (useEvents && data.events() == null) {
            throw new IllegalArgumentException("the model has event types but the training data has none");
        }
        this.data = data;
        this.maxLen = maxLen;
        this.stage = stage;
        this.loss = loss;
        this.sampler = sampler;
        this.useEvents = useEvents;
    }

    /** Whether a user has enough items to give a training example (at least 2). */
    public boolean usable(int user) {
        return data.sequences()[user].length >= 2;
    }

    public TrainBatch build(int[] users, SplittableRandom r) {
        return stage == Stage.PRETRAIN ? nextItem(users, r) : candidates(users, r);
    }

    private TrainBatch nextItem(int[] users, SplittableRandom r) {
        int b = users.length;
        int len = 1;
        for (int u : users) {
            len = Math.max(len, Math.min(maxLen, data.sequences()[u].length - 1));
        }
        int[] items = new int[b * len];
        int[] events = useEvents ? new int[b * len] : null;
        int[] targets = new int[b * len];
        for (int row = 0; row < b; row++) {
            int[] s = data.sequences()[users[row]];
            int n = Math.min(len, s.length - 1);
            int srcStart = s.length - 1 - n;
            int dst = row * len + (len - n);
            System.arraycopy(s, srcStart, items, dst, n);
            System.arraycopy(s, srcStart + 1, targets, dst, n);
            if (events != null) {
                System.arraycopy(data.events()[users[row]], srcStart, events, dst, n);
            }
        }
        SeqBatch input = new SeqBatch(b, len, items, events);
        int k = loss.negatives();
        if (loss instanceof LossSpec.SoftmaxCe) {
            return new TrainBatch.NextItem(input, targets, null, 0, null);
        }
        int c = 1 + k;
        int[] cand = new int[targets.length * c];
        boolean logQ = loss instanceof LossSpec.SampledSoftmax ss && ss.logQ();
        float[] lq = logQ ? new float[cand.length] : null;
        for (int p = 0; p < targets.length; p++) {
            int t = targets[p];
            if (t == 0) {
                continue;
            }
            int base = p * c;
            cand[base] = t;
            for (int j = 1; j < c; j++) {
                cand[base + j] = sampler.sample(r, t);
            }
            if (lq != null) {
                for (int j = 0; j < c; j++) {
                    lq[base + j] = sampler.logQ(cand[base + j]);
                }
            }
        }
        return new TrainBatch.NextItem(input, targets, cand, c, lq);
    }

    private TrainBatch candidates(int[] users, SplittableRandom r) {
        int b = users.length;
        int[] cut = new int[b];
        int len = 1;
        for (int row = 0; row < b; row++) {
            int n = data.sequences()[users[row]].length;
            cut[row] = 1 + r.nextInt(n - 1);
            len = Math.max(len, Math.min(maxLen, cut[row]));
        }
        boolean mse = loss instanceof LossSpec.Mse;
        int c = mse ? 1 : 1 + loss.negatives();
        int[] items = new int[b * len];
        int[] events = useEvents ? new int[b * len] : null;
        int[] cand = new int[b * c];
        float[] labels = (mse || loss instanceof LossSpec.Bce) ? new float[b * c] : null;
        for (int row = 0; row < b; row++) {
            int[] s = data.sequences()[users[row]];
            int t = cut[row];
            int n = Math.min(len, t);
            System.arraycopy(s, t - n, items, row * len + (len - n), n);
            if (events != null) {
                System.arraycopy(data.events()[users[row]], t - n, events, row * len + (len - n), n);
            }
            int pos = s[t];
            cand[row * c] = pos;
            for (int j = 1; j < c; j++) {
                cand[row * c + j] = sampler.sample(r, pos);
            }
            if (labels != null) {
                labels[row * c] = mse ? data.ratings()[users[row]][t] : 1f;
            }
        }
        return new TrainBatch.Candidates(new SeqBatch(b, len, items, events), cand, c, labels);
    }
}
