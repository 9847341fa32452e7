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
            throw new IllegalArgumentException("events must match items: " + items.length + " expected, found " + events.length);
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
}
