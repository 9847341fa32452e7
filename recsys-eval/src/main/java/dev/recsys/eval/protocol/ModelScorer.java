package dev.recsys.eval.protocol;

import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.recommend.NewItemBoost;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.recommend.TopK;
import dev.recsys.api.spi.RecModel;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;

/**
 * The one adapter from a {@link RecModel} to the evaluator: stage-1 scores of the whole catalogue,
 * and with {@code rerank > 0} the two-stage ranking of {@link Recommender}: the top {@code rerank}
 * unseen items by stage 1 are ordered by their stage-2 score and placed above every other item,
 * which keep their stage-1 order. Thread-safe.
 */
public final class ModelScorer implements BatchScorer {
    private final RecModel model;
    private final Recommender batches;
    private final int rerank;
    private final java.util.function.IntFunction<int[]> events;
    private final NewItemBoost boost;

    /**
     * @param events event types of a user's history as the evaluator passes it (dense user id to
     *               types), or null for a model without event types
     */
    public ModelScorer(RecModel model, int rerank, java.util.function.IntFunction<int[]> events) {
        this(model, rerank, events, null);
    }

    /**
     * @param events event types of a user's history as the evaluator passes it, or null
     * @param boost  the score offset of new items in both stages ({@link NewItemBoost}), or null
     */
    public ModelScorer(RecModel model, int rerank, java.util.function.IntFunction<int[]> events, NewItemBoost boost) {
        this.model = model;
        this.batches = new Recommender(model, rerank, boost);
        this.rerank = rerank;
        this.events = events;
        this.boost = boost;
    }

    /** Stage-1 scores only, for a model without event types. */
    public static ModelScorer stageOne(RecModel model) {
        return new ModelScorer(model, 0, null);
    }

    /**
     * The scorer for evaluating {@code model} on {@code target} of {@code split}: re-ranked by stage 2
     * when {@code rerank > 0}, with the users' event types when the model reads them.
     */
    public static ModelScorer of(RecModel model, int rerank, Split split, Target target) {
        return of(model, rerank, split, target, null);
    }

    /** As {@link #of(RecModel, int, Split, Target)}, new items offset by {@code boost} (or null). */
    public static ModelScorer of(RecModel model, int rerank, Split split, Target target, NewItemBoost boost) {
        return new ModelScorer(
                model, rerank, model.config().eventTypes() > 0 ? u -> split.historyEvents(u, target) : null, boost);
    }

    @Override
    public void score(int[] users, int[][] histories, float[] out) {
        int n = model.config().numItems();
        int[][] hist = new int[histories.length][];
        int[][] ev = events == null ? null : new int[histories.length][];
        for (int r = 0; r < histories.length; r++) {
            if (histories[r].length == 0) {
                throw new dev.recsys.api.DataException(
                        "user " + users[r] + " has an empty history; the model cannot score it");
            }
            hist[r] = histories[r];
            if (ev != null) {
                int[] e = events.apply(users[r]);
                ev[r] = e == null || e.length != hist[r].length ? new int[hist[r].length] : e;
            }
        }
        SeqBatch batch = batches.toBatch(hist, ev);
        int b = hist.length;
        if (rerank == 0) {
            float[] s = model.scoreAll(batch);
            if (boost != null) {
                boost.stageOne(s, b);
            }
            System.arraycopy(s, 0, out, 0, out.length);
            return;
        }
        float[][] offsets = new float[1][];
        int[][] top = new int[b][];
        boolean[][] masks = new boolean[b][];
        RecModel.TwoStageScores scores = model.scoreTwoStage(batch, s1 -> {
            if (boost != null) {
                offsets[0] = boost.stageOne(s1, b);
            }
            for (int r = 0; r < b; r++) {
                masks[r] = new boolean[n + 1];
                masks[r][0] = true;
                for (int it : hist[r]) {
                    masks[r][it] = true;
                }
                top[r] = TopK.select(s1, r * (n + 1), (r + 1) * (n + 1), rerank, masks[r]);
            }
            return Recommender.candidates(top);
        });
        float[] s1 = scores.stage1();
        float[] s2 = scores.stage2();
        if (boost != null) {
            boost.stageTwo(s2, scores.candidates().ids(), scores.candidates().perRow(), offsets[0]);
        }
        System.arraycopy(s1, 0, out, 0, s1.length);
        int c = scores.candidates().perRow();
        for (int r = 0; r < b; r++) {
            int base = r * (n + 1);
            boolean[] mask = masks[r];
            float maxOther = Float.NEGATIVE_INFINITY;
            boolean[] inTop = new boolean[n + 1];
            for (int it : top[r]) {
                inTop[it] = true;
            }
            for (int i = 1; i <= n; i++) {
                if (!inTop[i] && !mask[i] && s1[base + i] > maxOther) {
                    maxOther = s1[base + i];
                }
            }
            float min2 = Float.POSITIVE_INFINITY;
            for (int j = 0; j < top[r].length; j++) {
                min2 = Math.min(min2, s2[r * c + j]);
            }
            float shift = maxOther == Float.NEGATIVE_INFINITY ? 0f : maxOther - min2 + 1f;
            for (int j = 0; j < top[r].length; j++) {
                out[base + top[r][j]] = s2[r * c + j] + shift;
            }
        }
    }

    @Override
    public boolean threadSafe() {
        return true;
    }
}
