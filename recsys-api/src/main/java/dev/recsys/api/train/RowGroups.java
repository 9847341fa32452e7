package dev.recsys.api.train;

import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import java.util.Arrays;

/**
 * Rows of a training batch split into groups of similar length, each encoded with its own
 * left-padding trimmed off (the batch itself is unchanged: same rows, same targets, same loss).
 *
 * <p>Why: the user encoder is independent per row, and a row's outputs at its real positions do not
 * depend on the padding columns before them (padding keys get an additive {@code -1e9}, a weight of
 * exactly 0). Padding every row of a batch to its longest one makes the encoder pay for columns that
 * nobody reads: on ML-1M at {@code maxLen} 200, 46 % of the positions of a random batch of 128 are
 * padding, and the {@code [B, L, L]} attention pays for them quadratically. Encoding rows by groups of
 * similar length removes most of that work at the price of more, smaller engine calls.
 *
 * <p>The split minimises a cost model by dynamic programming over the rows sorted by length
 * (groups are runs of that order; each group pays its longest row): a row of length {@code l}
 * costs {@code l + l² / QUADRATIC} (position-wise layers, then attention), a group
 * {@code overhead} more (its engine calls). Rows that hold no counted position are not encoded.
 *
 * <p>Engine-free: the backends use it to shape their training step (DJL by one engine call per
 * group; DL4J by one cached graph per group shape).
 */
public final class RowGroups {
    /** The length at which a row's attention costs as much as its position-wise layers (d = 64 on one thread). */
    public static final double QUADRATIC = 170;

    /** The default cost of one more group, in row positions (about 4 ms of engine calls on one thread). */
    public static final double DEFAULT_OVERHEAD = 600;

    private final int[][] rows;
    private final int[] lengths;
    private final int[] padded;

    private RowGroups(int[][] rows, int[] lengths, int[] padded) {
        this.rows = rows;
        this.lengths = lengths;
        this.padded = padded;
    }

    /**
     * Each row's encoded length: the columns from its first item or target to the end for a row that
     * holds one of the counted positions, 0 for the others.
     *
     * @param in        the batch input (left-padded rows)
     * @param targets   the per-position targets {@code [B * L]} (0: none)
     * @param positions the counted positions, flat indices {@code row * L + column}
     */
    public static int[] encodedLengths(SeqBatch in, int[] targets, int[] positions) {
        int full = in.length();
        int[] length = new int[in.size()];
        for (int flat : positions) {
            int r = flat / full;
            if (length[r] == 0) {
                int j = 0;
                while (j < full - 1 && in.items()[r * full + j] == 0 && targets[r * full + j] == 0) {
                    j++;
                }
                length[r] = full - j;
            }
        }
        return length;
    }

    /**
     * The groups of a batch.
     *
     * @param length   each row's encoded length (columns from its first item or target to the end),
     *                 0 for a row that is not encoded at all
     * @param overhead the cost of one more group, in row positions (0: a group per distinct length;
     *                 {@link Double#POSITIVE_INFINITY}: one group)
     */
    public static RowGroups split(int[] length, double overhead) {
        return split(length, overhead, Integer.MAX_VALUE, 0);
    }

    /**
     * The groups of a batch for an engine with a graph per shape: a group holds at most {@code
     * groupRows} rows and runs as exactly {@code groupRows} rows (its own, then empty ones), so its
     * shape is its length alone: with lengths in the training length buckets ({@link #bucketed}), at
     * most {@value Batcher#LENGTH_BUCKETS} shapes whatever the batches. The cost model charges the
     * empty rows.
     *
     * @param groupRows the rows every group runs as (at least 1)
     */
    public static RowGroups splitFixedRows(int[] length, double overhead, int groupRows) {
        if (groupRows < 1) {
            throw new IllegalArgumentException("groupRows must be >= 1, found " + groupRows);
        }
        return split(length, overhead, groupRows, groupRows);
    }

    /** The split by dynamic programming: groups of at most maxRows rows, each run as fixedRows rows (0: its own). */
    private static RowGroups split(int[] length, double overhead, int maxRows, int fixedRows) {
        if (!(overhead >= 0)) {
            throw new IllegalArgumentException("overhead must be >= 0, found " + overhead);
        }
        // an infinite overhead (one group) stays finite where groups are capped: more groups than needed then cost more
        double extra = Math.min(overhead, 1e250);
        int n = 0;
        for (int l : length) {
            if (l < 0) {
                throw new IllegalArgumentException("row lengths must be >= 0, found " + l);
            }
            if (l > 0) {
                n++;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0, k = 0; i < length.length; i++) {
            if (length[i] > 0) {
                order[k++] = i;
            }
        }
        Arrays.sort(order, (a, b) -> length[a] != length[b] ? length[b] - length[a] : a - b);
        // best[j]: the cost of rows order[j..n) split into groups; next[j]: where the first group ends
        double[] best = new double[n + 1];
        int[] next = new int[n + 1];
        for (int j = n - 1; j >= 0; j--) {
            int l = length[order[j]];
            double perRow = l + (double) l * l / QUADRATIC;
            best[j] = Double.POSITIVE_INFINITY;
            for (int e = (int) Math.min(n, (long) j + maxRows); e > j; e--) { // the longest first group wins a tie
                double cost = runRows(e - j, fixedRows) * perRow + best[e] + (e < n ? extra : 0);
                if (cost < best[j]) {
                    best[j] = cost;
                    next[j] = e;
                }
            }
        }
        int count = 0;
        for (int j = 0; j < n; j = next[j]) {
            count++;
        }
        int[][] rows = new int[count][];
        int[] lengths = new int[count];
        int[] padded = new int[count];
        int g = 0;
        for (int j = 0; j < n; j = next[j], g++) {
            rows[g] = new int[next[j] - j];
            for (int k = j; k < next[j]; k++) {
                rows[g][k - j] = order[k];
            }
            Arrays.sort(rows[g]);
            lengths[g] = length[order[j]];
            padded[g] = runRows(rows[g].length, fixedRows);
        }
        return new RowGroups(rows, lengths, padded);
    }

    private static int runRows(int rows, int fixedRows) {
        return fixedRows > 0 ? fixedRows : rows;
    }

    /**
     * Each row's length rounded up to its training length bucket (a multiple of
     * {@code ceil(maxLen / }{@value Batcher#LENGTH_BUCKETS}{@code )}, at most {@code cap}), 0 kept:
     * an engine with a graph per shape then sees few group lengths.
     */
    public static int[] bucketed(int[] length, int maxLen, int cap) {
        int[] out = new int[length.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = length[i] == 0 ? 0 : Math.min(cap, Batcher.bucketLength(length[i], maxLen));
        }
        return out;
    }

    /** The number of groups. */
    public int count() {
        return rows.length;
    }

    /** The batch rows of group g, in batch order. */
    public int[] rows(int g) {
        return rows[g];
    }

    /** The encoded length of group g (its longest row's). */
    public int length(int g) {
        return lengths[g];
    }

    /** The rows group g runs as ({@link #splitFixedRows}: its rows and the empty ones after them). */
    public int paddedRows(int g) {
        return padded[g];
    }

    /**
     * Group g of a next-item batch as a batch of its own: its rows in batch order, then empty rows
     * (no item, no target) up to {@link #paddedRows}, each row's last {@link #length} columns, with
     * the rows' targets and negatives (an empty row repeats the group's first row's negatives
     * shared by row, so every id stays valid; it has no target, so they count nowhere). The loss
     * over the group's batch is the mean over the group's counted positions.
     */
    public TrainBatch.NextItem batch(TrainBatch.NextItem batch, int g) {
        SeqBatch in = batch.input();
        int full = in.length();
        int len = lengths[g];
        int[] rs = rows[g];
        int n = padded[g];
        int[] items = new int[n * len];
        int[] events = in.events() == null ? null : new int[n * len];
        int[] targets = new int[n * len];
        copyColumns(in.items(), rs, full, len, 1, items);
        copyColumns(batch.targets(), rs, full, len, 1, targets);
        if (events != null) {
            copyColumns(in.events(), rs, full, len, 1, events);
        }
        Negatives neg = batch.negatives();
        Negatives sub = neg;
        if (neg instanceof Negatives.PerPosition p) {
            int c = p.perRow();
            sub = new Negatives.PerPosition(
                    copyColumns(p.candidates(), rs, full, len, c, new int[n * len * c]),
                    c,
                    p.logQ() == null ? null : copyColumns(p.logQ(), rs, full, len, c, new float[n * len * c]));
        } else if (neg instanceof Negatives.Shared s) {
            float[] targetLogQ =
                    s.targetLogQ() == null ? null : copyColumns(s.targetLogQ(), rs, full, len, 1, new float[n * len]);
            sub = s instanceof Negatives.SharedByRow r
                    ? new Negatives.SharedByRow(
                            rowBlocks(r.ids(), rs, r.k(), n, new int[n * r.k()]),
                            r.k(),
                            targetLogQ,
                            r.logQ() == null ? null : rowBlocks(r.logQ(), rs, r.k(), n, new float[n * r.k()]))
                    : new Negatives.SharedByBatch(s.ids(), targetLogQ, s.logQ());
        }
        return new TrainBatch.NextItem(new SeqBatch(n, len, items, events), targets, sub, batch.droppedIds());
    }

    /** Each of {@code rows}' last {@code len} columns of {@code width} values into {@code out} (an array), in order. */
    private static <T> T copyColumns(T src, int[] rows, int full, int len, int width, T out) {
        for (int k = 0; k < rows.length; k++) {
            System.arraycopy(src, (rows[k] * full + full - len) * width, out, k * len * width, len * width);
        }
        return out;
    }

    /** Each row's block of {@code k} values, then the first row's block again for every empty row up to n. */
    private static <T> T rowBlocks(T src, int[] rows, int k, int n, T out) {
        for (int r = 0; r < n; r++) {
            System.arraycopy(src, rows[r < rows.length ? r : 0] * k, out, r * k, k);
        }
        return out;
    }
}
