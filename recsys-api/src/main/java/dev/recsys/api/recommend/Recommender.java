package dev.recsys.api.recommend;

import dev.recsys.api.DataException;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.spi.RecModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Two-stage recommendation, engine-free: stage 1 scores the whole catalogue, seen items and padding
 * are masked, the top {@code rerank} candidates are re-scored by the stage-2 cross-attention
 * scorer, and the best k are returned. Thread-safe when the model's scoring is (every backend's is).
 */
public final class Recommender {
    private final RecModel model;
    private final int rerank;
    private final NewItemBoost boost;

    /**
     * @param rerank candidates re-ranked by stage 2 (0 = stage 1 only)
     */
    public Recommender(RecModel model, int rerank) {
        this(model, rerank, null);
    }

    /**
     * @param rerank candidates re-ranked by stage 2 (0 = stage 1 only)
     * @param boost  the score offset of new items in both stages, or null for none
     */
    public Recommender(RecModel model, int rerank, NewItemBoost boost) {
        this.model = Objects.requireNonNull(model, "model");
        if (rerank < 0) {
            throw new IllegalArgumentException("rerank must be >= 0, found " + rerank);
        }
        if (boost != null && boost.isNew().length != model.config().numItems() + 1) {
            throw new IllegalArgumentException("the new-item boost covers " + (boost.isNew().length - 1)
                    + " items, the model has " + model.config().numItems());
        }
        this.rerank = rerank;
        this.boost = boost;
    }

    public RecModel model() {
        return model;
    }

    /** Top k for one history of dense item ids (oldest first), seen items excluded. */
    public List<Recommendation> recommend(int[] history, int k) {
        return recommend(history, null, k, true);
    }

    /**
     * Top k for one history.
     *
     * @param events      event types aligned with history, or null
     * @param excludeSeen drop items of the history from the result
     */
    public List<Recommendation> recommend(int[] history, int[] events, int k, boolean excludeSeen) {
        return recommendBatch(new int[][] {history}, events == null ? null : new int[][] {events}, k, excludeSeen)
                .get(0);
    }

    /** Top k for several histories at once (one batched forward pass per stage). */
    public List<List<Recommendation>> recommendBatch(int[][] histories, int[][] events, int k, boolean excludeSeen) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, found " + k);
        }
        int n = model.config().numItems();
        SeqBatch batch = toBatch(histories, events);
        int b = histories.length;
        int stage1Keep = rerank > 0 ? Math.max(rerank, k) : k;
        int[][] top = new int[b][];
        float[][] offsets = new float[1][];
        java.util.function.Function<float[], RecModel.Candidates> pick = s1 -> {
            if (boost != null) {
                offsets[0] = boost.stageOne(s1, b);
            }
            boolean[] mask = new boolean[n + 1];
            for (int r = 0; r < b; r++) {
                Arrays.fill(mask, false);
                mask[0] = true;
                if (excludeSeen) {
                    for (int it : histories[r]) {
                        mask[it] = true;
                    }
                }
                top[r] = TopK.select(s1, r * (n + 1), (r + 1) * (n + 1), stage1Keep, mask);
            }
            return rerank == 0 ? new RecModel.Candidates(new int[0], 0) : candidates(top);
        };
        float[] s1;
        float[] s2 = null;
        int c = 0;
        if (rerank == 0) {
            s1 = model.scoreAll(batch);
            pick.apply(s1);
        } else {
            RecModel.TwoStageScores scores = model.scoreTwoStage(batch, pick);
            s1 = scores.stage1();
            s2 = scores.stage2();
            c = scores.candidates().perRow();
            if (boost != null) {
                boost.stageTwo(s2, scores.candidates().ids(), c, offsets[0]);
            }
        }
        List<List<Recommendation>> out = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            int m = top[r].length;
            if (c == 0) {
                List<Recommendation> l = new ArrayList<>(m);
                for (int it : top[r]) {
                    float s = s1[r * (n + 1) + it];
                    l.add(new Recommendation(it, s, s));
                }
                out.add(l);
                continue;
            }
            float[] rowScores = Arrays.copyOfRange(s2, r * c, r * c + m);
            int[] order = TopK.select(rowScores, 0, m, k, null);
            List<Recommendation> l = new ArrayList<>(order.length);
            for (int j : order) {
                int it = top[r][j];
                l.add(new Recommendation(it, rowScores[j], s1[r * (n + 1) + it]));
            }
            out.add(l);
        }
        return out;
    }

    /**
     * Stage-2 candidates of every row, as many per row as the longest list: rows with fewer
     * repeat their best one (callers drop the copies); no candidates at all when every list is empty.
     */
    public static RecModel.Candidates candidates(int[][] top) {
        int c = 0;
        for (int[] t : top) {
            c = Math.max(c, t.length);
        }
        int[] cand = new int[top.length * c];
        for (int r = 0; r < top.length; r++) {
            for (int j = 0; j < c; j++) {
                cand[r * c + j] = top[r].length == 0 ? 1 : top[r][Math.min(j, top[r].length - 1)];
            }
        }
        return new RecModel.Candidates(cand, c);
    }

    /**
     * Left-pads histories into a batch (the last maxLen items of each).
     *
     * @throws DataException for an empty history or an item id outside 1..N
     */
    public SeqBatch toBatch(int[][] histories, int[][] events) {
        int maxLen = model.config().maxLen();
        int n = model.config().numItems();
        boolean useEvents = model.config().eventTypes() > 0;
        int[] ends = new int[histories.length];
        for (int r = 0; r < histories.length; r++) {
            int[] h = histories[r];
            if (h == null || h.length == 0) {
                throw new DataException("history " + r + " is empty: a recommendation needs at least one item");
            }
            for (int it : h) {
                if (it < 1 || it > n) {
                    throw new DataException("history " + r + " has item id " + it + ", outside the catalogue 1.." + n);
                }
            }
            if (useEvents && (events == null || events[r] == null || events[r].length != h.length)) {
                throw new DataException("history " + r + " needs one event type per item: the model uses event types");
            }
            ends[r] = h.length;
        }
        return SeqBatch.leftPadded(histories, useEvents ? events : null, ends, SeqBatch.windowLength(ends, maxLen));
    }
}
