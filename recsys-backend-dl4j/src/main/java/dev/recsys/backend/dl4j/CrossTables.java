package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The item side of a MEAN-pooled stage 2 (docs/MODEL.md), per item and key token, for one weight
 * version: what {@code ŷ - s1 - b = mean_{j: keep} Σ_h Σ_t P_h[j, t] G_h[j, t] + mean_j U[j] · (w ⊙ bo)}
 * needs from the item alone, so that a call multiplies the user encoding by gathered rows of these
 * tables ({@link CrossScorer}).
 *
 * <p>With {@code k_h}, {@code v_h} head h of {@code I Wk + bk} and {@code I Wv + bv} ({@code I} the
 * keys: an item's encoded content, or its item vector for an ids-only model), {@code Wq_h} the
 * columns of head h of {@code Wq} and {@code Wo_h} its rows of {@code Wo}:
 * <ul>
 * <li>the attention score of query row {@code U[j]} on a token is {@code (U[j] Wq_h + bq_h) · k_h / √dh =
 *     U[j] · K'_h + β_h} with {@code K'_h = Wq_h k_h / √dh} and {@code β_h = bq_h · k_h / √dh}. A softmax
 *     does not change when the same number is subtracted from all its scores: the item's first token
 *     (the marker, never padding) is subtracted from the others, so its score is exactly 0 and
 *     {@link #keys} holds {@code [K'_t - K'_0, β_t - β_0]} for the other tokens;</li>
 * <li>the token's term of the pooled score is {@code G_h[j] = U[j] · V'_h} with {@code V'_h = (v_h Wo_h) ⊙ w}
 *     ({@link #values}), w the scorer weight: the attention output's projection and the scorer's product
 *     moved onto the item side, since MEAN pooling and both are linear;</li>
 * <li>padding tokens, whose weight is exactly 0 (docs/MODEL.md), are left out: an item's tokens are
 *     packed into its first {@link #counts} slots (ML-1M's items have 7.7 of 12 on average).</li>
 * </ul>
 * Rows are {@code d + 1} wide (the user side appends a 1): the last column holds {@code β_t - β_0}
 * in keys and 0 in values. Same maths as the graph form ({@link SdCrossAttention#meanPooledScores});
 * the query, key, value and output projections of the candidates are done once per weight version.
 * Size: two tables of {@code (N+1) · H · T · (d+1)} floats.
 */
final class CrossTables {
    final int heads;
    final int keyLen;
    final int dim;
    /** {@code [N+1, H, T, d+1]}: slot s ≥ 1 of an item {@code [K'_s - K'_0, β_s - β_0]}; slot 0 unused (0). */
    final float[] keys;
    /** {@code [N+1, H, T, d+1]}: slot s of an item {@code [V'_s, 0]}. */
    final float[] values;
    /** {@code w ⊙ bo} {@code [d]}: the output bias's share of the pooled score. */
    final float[] outBias;
    /** Per item, its key tokens that are not padding: the first {@code counts[i]} slots of its rows. */
    final int[] counts;

    private CrossTables(int heads, int keyLen, int dim, float[] keys, float[] values, float[] outBias, int[] counts) {
        this.heads = heads;
        this.keyLen = keyLen;
        this.dim = dim;
        this.keys = keys;
        this.values = values;
        this.outBias = outBias;
        this.counts = counts;
    }

    /** Width of a table row: d and the bias column. */
    int width() {
        return dim + 1;
    }

    /**
     * The tables of every item.
     *
     * @param inputs  the keys of every item {@code [N+1, T, d]}: encoded content, or item vectors (T = 1)
     * @param content the content table of a content model (its padding tokens are left out), or null
     */
    static CrossTables of(ModelConfig c, Weights w, float[] inputs, ItemContent content) {
        int n = c.numItems() + 1;
        int t = c.crossKeyLen();
        int d = c.dim();
        int h = c.heads();
        int dh = d / h;
        long size = (long) n * t * h * (d + 1);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("stage 2's item tables would hold " + size + " floats each ("
                    + n + " items x " + t + " tokens x " + h + " heads x " + (d + 1)
                    + "), more than a Java array can: use fewer items or MAX pooling");
        }
        int rows = n * t;
        if (inputs.length != (long) rows * d) {
            throw new IllegalStateException(
                    "expected the keys of " + n + " items x " + t + " tokens x " + d + ", found " + inputs.length);
        }
        int[] counts = new int[n];
        int[] slots = new int[rows]; // per item, its kept tokens' indices in its first counts[i] entries
        for (int i = 0; i < n; i++) {
            for (int tok = 0; tok < t; tok++) {
                if (content == null || content.tokens()[i * t + tok] != 0) {
                    slots[i * t + counts[i]++] = tok;
                }
            }
            if (counts[i] == 0) {
                throw new IllegalStateException("item " + i + " has no content token (its first must be the marker 1)");
            }
        }
        float scale = (float) (1.0 / Math.sqrt(dh));
        String p = ParamLayout.CROSS;
        int width = d + 1;
        float[] keys = new float[rows * h * width];
        float[] values = new float[keys.length];
        List<INDArray> open = new ArrayList<>();
        try {
            INDArray x = keep(open, Nd4j.create(inputs, new long[] {rows, d}, 'c'));
            INDArray k = keep(open, x.mmul(matrix(open, w, p + ".key.weight", d, d)))
                    .addiRowVector(matrix(open, w, p + ".key.bias", 1, d));
            INDArray v = keep(open, x.mmul(matrix(open, w, p + ".value.weight", d, d)))
                    .addiRowVector(matrix(open, w, p + ".value.bias", 1, d));
            INDArray wq = matrix(open, w, p + ".query.weight", d, d);
            INDArray bq = matrix(open, w, p + ".query.bias", d, 1);
            INDArray wo = matrix(open, w, p + ".output.weight", d, d);
            INDArray scorer = matrix(open, w, ParamLayout.SCORER_WEIGHT, 1, d);
            for (int hh = 0; hh < h; hh++) {
                INDArrayIndex cols = NDArrayIndex.interval((long) hh * dh, (long) (hh + 1) * dh);
                INDArray kh = keep(open, k.get(NDArrayIndex.all(), cols).dup('c')); // [rows, dh]
                INDArray kq = keep(
                        open,
                        kh.mmul(keep(
                                open,
                                wq.get(NDArrayIndex.all(), cols).transpose().dup('c'))));
                INDArray beta = keep(
                        open,
                        kh.mmul(keep(open, bq.get(cols, NDArrayIndex.all()).dup('c'))));
                INDArray vh = keep(open, v.get(NDArrayIndex.all(), cols).dup('c'));
                INDArray vo = keep(
                        open,
                        vh.mmul(keep(open, wo.get(cols, NDArrayIndex.all()).dup('c'))));
                vo.muliRowVector(scorer); // [rows, d]
                place(hh, h, t, d, counts, slots, scale, Arrays2.toFloats(kq), Arrays2.toFloats(beta), keys);
                place(hh, h, t, d, counts, slots, Arrays2.toFloats(vo), values);
            }
        } finally {
            for (INDArray a : open) {
                if (!a.wasClosed()) {
                    a.close();
                }
            }
        }
        float[] bo = w.data(p + ".output.bias");
        float[] sw = w.data(ParamLayout.SCORER_WEIGHT);
        float[] outBias = new float[d];
        for (int i = 0; i < d; i++) {
            outBias[i] = sw[i] * bo[i];
        }
        return new CrossTables(h, t, d, keys, values, outBias, counts);
    }

    /** Keys of head hh: slot s ≥ 1 of item i is {@code scale · [kq_s - kq_0, β_s - β_0]} (rows of kq {@code [N+1 · T, d]}). */
    private static void place(
            int hh,
            int h,
            int t,
            int d,
            int[] counts,
            int[] slots,
            float scale,
            float[] kq,
            float[] beta,
            float[] keys) {
        int width = d + 1;
        for (int i = 0; i < counts.length; i++) {
            int base = i * t + slots[i * t];
            for (int s = 1; s < counts[i]; s++) {
                int src = i * t + slots[i * t + s];
                int to = ((i * h + hh) * t + s) * width;
                for (int k = 0; k < d; k++) {
                    keys[to + k] = (kq[src * d + k] - kq[base * d + k]) * scale;
                }
                keys[to + d] = (beta[src] - beta[base]) * scale;
            }
        }
    }

    /** Values of head hh: slot s of item i is {@code [vo_s, 0]}. */
    private static void place(int hh, int h, int t, int d, int[] counts, int[] slots, float[] vo, float[] values) {
        for (int i = 0; i < counts.length; i++) {
            for (int s = 0; s < counts[i]; s++) {
                System.arraycopy(vo, (i * t + slots[i * t + s]) * d, values, ((i * h + hh) * t + s) * (d + 1), d);
            }
        }
    }

    private static INDArray matrix(List<INDArray> open, Weights w, String name, int rows, int cols) {
        return keep(open, Nd4j.create(w.data(name), new long[] {rows, cols}, 'c'));
    }

    private static INDArray keep(List<INDArray> open, INDArray a) {
        open.add(a);
        return a;
    }
}
