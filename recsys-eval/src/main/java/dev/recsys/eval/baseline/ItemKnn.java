package dev.recsys.eval.baseline;

import dev.recsys.api.recommend.TopK;
import dev.recsys.eval.protocol.BatchScorer;
import dev.recsys.eval.split.Split;
import java.util.stream.IntStream;

/**
 * Item-based k-nearest-neighbour baseline (Sarwar et al., WWW 2001; Deshpande &amp; Karypis, TOIS
 * 2004). Similarity is the cosine of binary user vectors: {@code sim(i, j) = co(i, j) / sqrt(n_i n_j)},
 * with {@code co(i, j)} the number of training users who interacted with both and {@code n_i} the
 * number with i. Each item keeps its {@code neighbours} most similar items (ties by lower id). A
 * user's score of item j is {@code sum over distinct history items h of sim(h, j)} restricted to
 * j among h's neighbours. Fitted on training sequences only; the neighbour lists are computed one
 * item row at a time in parallel, so memory stays O(N * neighbours).
 */
public final class ItemKnn implements BatchScorer, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int numItems;
    private final int neighbours;
    private final int[] nbrItem;
    private final float[] nbrSim;
    private final int[] nbrCount;

    private ItemKnn(int numItems, int neighbours, int[] nbrItem, float[] nbrSim, int[] nbrCount) {
        this.numItems = numItems;
        this.neighbours = neighbours;
        this.nbrItem = nbrItem;
        this.nbrSim = nbrSim;
        this.nbrCount = nbrCount;
    }

    /** Fits on {@code split}'s training sequences with {@code neighbours} neighbours per item. */
    public static ItemKnn fit(Split split, int neighbours) {
        return fit(split.numItems(), split.train(), neighbours);
    }

    /** Fits on {@code sequences} over items 1..numItems. */
    public static ItemKnn fit(int numItems, int[][] sequences, int neighbours) {
        if (neighbours < 1) {
            throw new IllegalArgumentException("neighbours must be >= 1, found " + neighbours);
        }
        int stride = numItems + 1;
        // distinct items per user
        int[][] sets = new int[sequences.length][];
        int[] seen = new int[stride];
        int[] n = new int[stride];
        for (int u = 0; u < sequences.length; u++) {
            int[] seq = sequences[u] == null ? new int[0] : sequences[u];
            int[] tmp = new int[seq.length];
            int c = 0;
            for (int i : seq) {
                if (seen[i] != u + 1) {
                    seen[i] = u + 1;
                    tmp[c++] = i;
                    n[i]++;
                }
            }
            sets[u] = java.util.Arrays.copyOf(tmp, c);
        }
        // inverted index item -> users
        int[] start = new int[stride + 1];
        for (int[] s : sets) {
            for (int i : s) {
                start[i + 1]++;
            }
        }
        for (int i = 1; i <= stride; i++) {
            start[i] += start[i - 1];
        }
        int[] usersOf = new int[start[stride]];
        int[] cur = java.util.Arrays.copyOf(start, stride);
        for (int u = 0; u < sets.length; u++) {
            for (int i : sets[u]) {
                usersOf[cur[i]++] = u;
            }
        }
        int k = Math.min(neighbours, Math.max(1, numItems - 1));
        int[] nbrItem = new int[stride * k];
        float[] nbrSim = new float[stride * k];
        int[] nbrCount = new int[stride];
        ThreadLocal<int[]> rows = ThreadLocal.withInitial(() -> new int[stride]);
        ThreadLocal<TopK.Selector> selectors = ThreadLocal.withInitial(() -> new TopK.Selector(k));
        ThreadLocal<int[]> best = ThreadLocal.withInitial(() -> new int[k]);
        IntStream.rangeClosed(1, numItems).parallel().forEach(a -> {
            if (n[a] == 0) {
                return;
            }
            int[] row = rows.get();
            int[] touched = new int[64];
            int nt = 0;
            for (int p = start[a]; p < start[a + 1]; p++) {
                for (int b : sets[usersOf[p]]) {
                    if (b == a) {
                        continue;
                    }
                    if (row[b]++ == 0) {
                        if (nt == touched.length) {
                            touched = java.util.Arrays.copyOf(touched, nt * 2);
                        }
                        touched[nt++] = b;
                    }
                }
            }
            // top k by cosine, ties by lower id
            TopK.Selector sel = selectors.get();
            double na = n[a];
            for (int q = 0; q < nt; q++) {
                int b = touched[q];
                sel.offer((float) (row[b] / Math.sqrt(na * n[b])), b);
            }
            int[] top = best.get();
            int size = sel.drainTo(top);
            for (int p = 0; p < size; p++) {
                int b = top[p];
                nbrItem[a * k + p] = b;
                nbrSim[a * k + p] = (float) (row[b] / Math.sqrt(na * n[b]));
            }
            for (int q = 0; q < nt; q++) {
                row[touched[q]] = 0;
            }
            nbrCount[a] = size;
        });
        return new ItemKnn(numItems, k, nbrItem, nbrSim, nbrCount);
    }

    /** Similarity of {@code b} to {@code a} if b is among a's neighbours, else 0. */
    public float similarity(int a, int b) {
        for (int q = 0; q < nbrCount[a]; q++) {
            if (nbrItem[a * neighbours + q] == b) {
                return nbrSim[a * neighbours + q];
            }
        }
        return 0f;
    }

    @Override
    public void score(int[] users, int[][] histories, float[] out) {
        int stride = numItems + 1;
        int[] seen = new int[stride];
        for (int r = 0; r < users.length; r++) {
            int base = r * stride;
            java.util.Arrays.fill(out, base, base + stride, 0f);
            for (int h : histories[r]) {
                if (seen[h] == r + 1) {
                    continue;
                }
                seen[h] = r + 1;
                int off = h * neighbours;
                for (int q = 0; q < nbrCount[h]; q++) {
                    out[base + nbrItem[off + q]] += nbrSim[off + q];
                }
            }
        }
    }

    @Override
    public boolean threadSafe() {
        return true;
    }

    @Override
    public String toString() {
        return "ItemKnn(k=" + neighbours + ")";
    }
}
