package dev.recsys.backend.dl4j;

import java.util.Arrays;

/**
 * The Java side of embedding lookups: rows of a table gathered into a graph input, and the
 * input's gradient scatter-added back into the table's gradient (SameDiff never differentiates a
 * gather, see docs/ENGINES.md; the cost is O(rows·d)).
 */
final class Gathers {

    private Gathers() {}

    /** Row of item {@code id} in a table: the id itself, or {@code local[id]} for a table of some items. */
    static int row(int[] local, int id) {
        return local == null ? id : local[id];
    }

    /** Input {@code name} {@code [ids, d]}: the table's row of each id. */
    static void gatherRows(Graph g, String name, int[] ids, float[] table, int[] local, int d) {
        float[] buf = g.buffer(name, ids.length * d);
        for (int k = 0; k < ids.length; k++) {
            System.arraycopy(table, row(local, ids[k]) * d, buf, k * d, d);
        }
        g.setVariable(name, buf);
    }

    /** {@code target[row] += src[srcRow]}, rows of {@code width}. */
    static void addRow(float[] target, int row, float[] src, int srcRow, int width) {
        int to = row * width;
        int from = srcRow * width;
        for (int i = 0; i < width; i++) {
            target[to + i] += src[from + i];
        }
    }

    /** {@code target += src} (src null: nothing). */
    static void addInto(float[] target, float[] src) {
        if (src == null) {
            return;
        }
        for (int i = 0; i < target.length; i++) {
            target[i] += src[i];
        }
    }

    /** The distinct values of the arrays (null ones skipped), in order of first appearance. */
    static int[] distinct(int[]... arrays) {
        int max = 0;
        for (int[] a : arrays) {
            if (a != null) {
                for (int v : a) {
                    max = Math.max(max, v);
                }
            }
        }
        boolean[] seen = new boolean[max + 1];
        int[] out = new int[16];
        int n = 0;
        for (int[] a : arrays) {
            if (a == null) {
                continue;
            }
            for (int v : a) {
                if (!seen[v]) {
                    seen[v] = true;
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = v;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** {@code start, start + 1, ..., start + n - 1}. */
    static int[] rangeFrom(int start, int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = start + i;
        }
        return r;
    }
}
