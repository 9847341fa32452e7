package dev.recsys.api.data;

/**
 * A batch of user histories, left-padded: row b holds its items in the last positions of
 * {@code items[b*length .. (b+1)*length)}, 0 = padding. Positions are right-aligned, so the last
 * real item of every row sits at index {@code length-1} and its positional slot is
 * {@code maxLen-1} whatever the batch length.
 *
 * @param size   rows B
 * @param length positions L (at most the model's maxLen)
 * @param items  item ids {@code [B*L]}, 0 = padding
 * @param events event types {@code [B*L]} (0 where padding), or null when the model has none
 */
public record SeqBatch(int size, int length, int[] items, int[] events) {
    public SeqBatch {
        if (size <= 0 || length <= 0) {
            throw new IllegalArgumentException("batch size and length must be > 0, found " + size + " x " + length);
        }
        if (items == null || items.length != size * length) {
            throw new IllegalArgumentException("items must hold size*length = " + size * length + " ids, found "
                    + (items == null ? "null" : items.length));
        }
        if (events != null && events.length != items.length) {
            throw new IllegalArgumentException(
                    "events must match items: " + items.length + " expected, found " + events.length);
        }
    }

    /** Item at row b, position j. */
    public int item(int b, int j) {
        return items[b * length + j];
    }

    /** Number of real (non-padding) items of row b. */
    public int validCount(int b) {
        int n = 0;
        for (int j = 0; j < length; j++) {
            if (items[b * length + j] != 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * The length of a batch of windows that end (exclusive) at {@code ends[r]}: the longest window,
     * at most {@code maxLen} (older items are dropped) and at least 1.
     */
    public static int windowLength(int[] ends, int maxLen) {
        int len = 1;
        for (int end : ends) {
            len = Math.max(len, Math.min(maxLen, end));
        }
        return len;
    }

    /**
     * Windows of rows left-padded into one array {@code [B * length]}: the last
     * {@code n = min(length, ends[r])} slots of row r hold {@code rows[r][ends[r] - n + shift, ends[r] + shift)},
     * the slots before them 0 (padding). {@code shift = 1} gives each position's next item (the
     * next-item targets of the window ending at {@code ends[r]}).
     */
    public static int[] leftPad(int[][] rows, int[] ends, int length, int shift) {
        int[] out = new int[rows.length * length];
        for (int r = 0; r < rows.length; r++) {
            int n = Math.min(length, ends[r]);
            System.arraycopy(rows[r], ends[r] - n + shift, out, r * length + length - n, n);
        }
        return out;
    }

    /**
     * The batch of the windows of {@code length} items that end (exclusive) at {@code ends[r]} of
     * each history, left-padded ({@link #leftPad}).
     *
     * @param items  the histories
     * @param events their event types (same lengths), or null for a batch without events
     */
    public static SeqBatch leftPadded(int[][] items, int[][] events, int[] ends, int length) {
        return new SeqBatch(
                items.length,
                length,
                leftPad(items, ends, length, 0),
                events == null ? null : leftPad(events, ends, length, 0));
    }
}
