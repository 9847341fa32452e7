package dev.recsys.backend.dl4j;

import dev.recsys.api.data.SeqBatch;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Stage 2 of a MEAN-pooled model from a user encoding and the {@link CrossTables}, one user at a
 * time: per head two matrix products and one exp in ND4J, the sums in Java on the values read back
 * (docs/MODEL.md; the same maths as {@link SdCrossAttention#meanPooledScores}).
 *
 * <p>For a row with {@code n} valid positions (padding positions weigh 0 in the mean and are left out)
 * and its candidates (in groups whose products stay under a float budget), per head: gather the
 * candidates' key rows (tokens 1.., the marker's score being 0) and value rows (tokens 0..), token-major
 * over the candidates sorted by their number of tokens, most first (so token s's rows are those of a
 * prefix of that order and every pass runs over contiguous candidates); {@code E = exp([U, 1] K^T)} and
 * {@code G = [U, 1] V^T} in ND4J; in Java, per position and candidate,
 * {@code (G_0 + Σ_{t≥1} E_t G_t) / (1 + Σ_{t≥1} E_t)}, summed over the positions. Then
 * {@code ŷ = that / n + mean_j U[j] · (w ⊙ bo) + b + s1}.
 *
 * <p>The scores are shifted by the marker's instead of by their maximum: the denominator is then at
 * least 1, and a sum that is not finite (a token scoring more than ≈ 88 above the marker) is recomputed
 * in Java with the maximum's shift, in double precision ({@link #exact}).
 *
 * <p>Why: the graph form spent most of a recommendation's stage 2 in libnd4j's softmax over the
 * {@code [L, C, T]} scores (≈ 15 ns per element on one thread, 3.4 ms at L 200, C 100, T 12; its exp
 * is ≈ 2 ns per element) and in the candidates' key and value projections. Not thread-safe: one per
 * scoring session.
 */
final class CrossScorer implements AutoCloseable {
    private final NativeBuffer uFlat = new NativeBuffer(); // [n, d+1] the row's valid user vectors and a 1
    private final NativeBuffer kFlat = new NativeBuffer(); // [key rows, d+1]
    private final NativeBuffer vFlat = new NativeBuffer(); // [value rows, d+1]
    private final NativeBuffer eFlat = new NativeBuffer(); // [n, key rows]
    private final NativeBuffer gFlat = new NativeBuffer(); // [n, value rows]
    private float[] u = new float[0];
    private float[] rows = new float[0];
    private float[] e = new float[0];
    private float[] g = new float[0];
    private float[] num = new float[0];
    private float[] den = new float[0];
    private int[] sorted = new int[0];
    private int[] perSlot = new int[0];
    private int[] start = new int[0];

    /**
     * Stage-2 scores {@code [B, C]}.
     *
     * @param encoded     the user encoding {@code [B·L, d]} of the batch
     * @param candidates  {@code [B·C]} item ids
     * @param itemVectors {@code [N+1, d]} (stage 1)
     * @param bias        the scorer bias
     * @param maxFloats   the most floats of one product (candidates are split into groups that fit)
     */
    float[] scores(
            SeqBatch batch,
            float[] encoded,
            int c,
            int[] candidates,
            float[] itemVectors,
            CrossTables tables,
            float bias,
            long maxFloats) {
        int len = batch.length();
        int d = tables.dim;
        int width = tables.width();
        float[] out = new float[batch.size() * c];
        double[] acc = new double[c];
        u = grow(u, padded(len, USER_ROW_STEP) * width);
        for (int b = 0; b < batch.size(); b++) {
            int n = 0;
            double constant = 0;
            for (int j = 0; j < len; j++) {
                if (batch.items()[b * len + j] != 0) {
                    int from = (b * len + j) * d;
                    System.arraycopy(encoded, from, u, n * width, d);
                    u[n * width + d] = 1f;
                    for (int k = 0; k < d; k++) {
                        constant += encoded[from + k] * tables.outBias[k];
                    }
                    n++;
                }
            }
            int count = Math.max(n, 1);
            Arrays.fill(acc, 0);
            if (n > 0) {
                int rowsP = padded(n, USER_ROW_STEP);
                Arrays.fill(u, n * width, rowsP * width, 0f);
                uFlat.ensure((long) rowsP * width).write(u, rowsP * width);
                int group = (int) Math.max(1, Math.min(c, maxFloats / ((long) tables.keyLen * n)));
                for (int c0 = 0; c0 < c; c0 += group) {
                    int cc = Math.min(group, c - c0);
                    for (int h = 0; h < tables.heads; h++) {
                        head(candidates, b * c + c0, cc, h, n, tables, acc, c0);
                    }
                }
            }
            int last = (b * len + len - 1) * d;
            for (int k = 0; k < c; k++) {
                int item = candidates[b * c + k];
                float s1 = 0f;
                for (int i = 0; i < d; i++) {
                    s1 += itemVectors[item * d + i] * encoded[last + i];
                }
                out[b * c + k] = (float) ((acc[k] + constant) / count + bias + s1);
            }
        }
        return out;
    }

    /** Adds head h's {@code Σ_j Σ_t P·G} of the cc candidates from {@code candidates[from]} to {@code acc[c0..]}. */
    private void head(int[] candidates, int from, int cc, int h, int n, CrossTables tables, double[] acc, int c0) {
        int t = tables.keyLen;
        int width = tables.width();
        order(candidates, from, cc, tables.counts, t);
        int valueRows = 0;
        for (int s = 0; s < t; s++) {
            valueRows += perSlot[s];
        }
        int keyRows = valueRows - cc;
        // the products run on shapes padded to steps (zero rows, their results never read): ND4J keeps
        // every shape it has seen in a cache that is never emptied, and exact shapes (one per history
        // length and candidate set) grew a server's resident memory without end
        int rowsP = padded(n, USER_ROW_STEP);
        int keysP = padded(keyRows, TABLE_ROW_STEP);
        int valuesP = padded(valueRows, TABLE_ROW_STEP);
        gather(kFlat, tables.keys, candidates, from, h, tables, 1, keyRows, keysP);
        gather(vFlat, tables.values, candidates, from, h, tables, 0, valueRows, valuesP);
        eFlat.ensure((long) rowsP * keysP);
        gFlat.ensure((long) rowsP * valuesP);
        INDArray uv = uFlat.view(rowsP, width);
        if (keyRows > 0) {
            INDArray ev = eFlat.view(rowsP, keysP);
            Nd4j.matmul(uv, kFlat.view(keysP, width), ev, false, true, false);
            Nd4j.exec(new Exp(ev, ev));
            e = grow(e, rowsP * keysP);
            eFlat.read(e, rowsP * keysP);
        }
        Nd4j.matmul(uv, vFlat.view(valuesP, width), gFlat.view(rowsP, valuesP), false, true, false);
        g = grow(g, rowsP * valuesP);
        gFlat.read(g, rowsP * valuesP);
        for (int j = 0; j < n; j++) {
            int ej = j * keysP;
            int gj = j * valuesP;
            System.arraycopy(g, gj, num, 0, cc); // token 0: weight exp(0) = 1
            Arrays.fill(den, 0, cc, 1f);
            for (int s = 1, q = 0; s < t; q += perSlot[s], s++) {
                int qg = q + cc;
                for (int k = 0; k < perSlot[s]; k++) {
                    float w = e[ej + q + k];
                    num[k] += w * g[gj + qg + k];
                    den[k] += w;
                }
            }
            for (int k = 0; k < cc; k++) {
                float r = num[k] / den[k];
                acc[c0 + sorted[k]] += Float.isFinite(r) && Float.isFinite(den[k])
                        ? r
                        : exact(j, candidates[from + sorted[k]], h, tables);
            }
        }
    }

    /** Writes the token-major rows of tokens {@code first..} of the group's candidates (in {@link #sorted} order) into a native buffer. */
    private void gather(
            NativeBuffer into,
            float[] table,
            int[] candidates,
            int from,
            int h,
            CrossTables tables,
            int first,
            int count,
            int padTo) {
        int t = tables.keyLen;
        int width = tables.width();
        rows = grow(rows, padTo * width);
        Arrays.fill(rows, count * width, padTo * width, 0f);
        int row = 0;
        for (int s = first; s < t; s++) {
            for (int k = 0; k < perSlot[s]; k++, row++) {
                int src = (candidates[from + sorted[k]] * tables.heads + h) * t + s;
                System.arraycopy(table, src * width, rows, row * width, width);
            }
        }
        into.ensure((long) padTo * width).write(rows, padTo * width);
    }

    /**
     * {@code Σ_t P_t G_t} of valid position j (row j of {@link #u}) and one item under head h, with
     * the softmax shifted by its maximum, in double precision: for sums that overflowed.
     */
    private double exact(int j, int item, int h, CrossTables tables) {
        int t = tables.keyLen;
        int width = tables.width();
        int count = tables.counts[item];
        double[] s = new double[count];
        double max = 0; // token 0's score
        for (int tok = 1; tok < count; tok++) {
            s[tok] = dot(j, tables.keys, ((item * tables.heads + h) * t + tok) * width, width);
            max = Math.max(max, s[tok]);
        }
        double sum = 0;
        double weighted = 0;
        for (int tok = 0; tok < count; tok++) {
            double p = Math.exp(s[tok] - max);
            sum += p;
            weighted += p * dot(j, tables.values, ((item * tables.heads + h) * t + tok) * width, width);
        }
        return weighted / sum;
    }

    private double dot(int j, float[] table, int at, int width) {
        double x = 0;
        for (int k = 0; k < width; k++) {
            x += (double) u[j * width + k] * table[at + k];
        }
        return x;
    }

    /**
     * {@link #sorted}: the group's candidates (indices from 0) by their token count, most first
     * (a counting sort, stable); {@link #perSlot}: per slot s, how many have more than s tokens.
     */
    private void order(int[] candidates, int from, int cc, int[] counts, int t) {
        sorted = grow(sorted, cc);
        perSlot = grow(perSlot, t + 1);
        start = grow(start, t + 1);
        num = grow(num, cc);
        den = grow(den, cc);
        Arrays.fill(perSlot, 0);
        for (int k = 0; k < cc; k++) {
            perSlot[counts[candidates[from + k]]]++; // histogram of the counts, for now
        }
        for (int m = t, pos = 0; m >= 0; m--) {
            start[m] = pos;
            pos += perSlot[m];
        }
        for (int k = 0; k < cc; k++) {
            sorted[start[counts[candidates[from + k]]]++] = k;
        }
        for (int s = t - 1, above = perSlot[t]; s >= 0; s--) {
            int exactlyS = perSlot[s];
            perSlot[s] = above;
            above += exactlyS;
        }
    }

    private static float[] grow(float[] a, int size) {
        return a.length >= size ? a : new float[size];
    }

    private static int[] grow(int[] a, int size) {
        return a.length >= size ? a : new int[size];
    }

    /** Rows of the user side are padded to a multiple of this (at most 13 shapes for histories of 200). */
    static final int USER_ROW_STEP = 16;

    /** Rows of the gathered item tables are padded to a multiple of this. */
    static final int TABLE_ROW_STEP = 64;

    /** {@code n} rounded up to a multiple of {@code step}, at least one step. */
    static int padded(int n, int step) {
        return Math.max(step, (n + step - 1) / step * step);
    }

    @Override
    public void close() {
        for (NativeBuffer a : new NativeBuffer[] {uFlat, kFlat, vFlat, eFlat, gFlat}) {
            a.close();
        }
    }
}
