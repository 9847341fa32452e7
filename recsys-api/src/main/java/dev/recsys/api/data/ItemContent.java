package dev.recsys.api.data;

/**
 * The content tokens of every item, as one table {@code [numItems+1, contentLen]}: row i holds
 * item i's tokens, starting with the item marker (token 1), then the item's tokens, then padding
 * (0). Row 0 (the padding item) is the marker alone.
 *
 * @param numItems   catalogue size N
 * @param contentLen tokens per item
 * @param tokens     {@code [(N+1) * contentLen]}
 */
public record ItemContent(int numItems, int contentLen, int[] tokens) {
    /** Token that starts every item's content. */
    public static final int MARKER = 1;
    /** Padding token. */
    public static final int PAD = 0;

    public ItemContent {
        if (numItems <= 0 || contentLen <= 0) {
            throw new IllegalArgumentException("numItems and contentLen must be > 0");
        }
        if (tokens == null || tokens.length != (numItems + 1) * contentLen) {
            throw new IllegalArgumentException("tokens must hold (numItems+1)*contentLen = "
                    + (numItems + 1) * contentLen + " ids, found " + (tokens == null ? "null" : tokens.length));
        }
        for (int i = 0; i <= numItems; i++) {
            if (tokens[i * contentLen] != MARKER) {
                throw new IllegalArgumentException("item " + i
                        + "'s content must start with the item marker token 1, found " + tokens[i * contentLen]);
            }
        }
    }

    /** Builds the table from per-item token lists (without the marker), truncating to contentLen - 1 tokens. */
    public static ItemContent of(int numItems, int contentLen, int[][] perItem) {
        int[] t = new int[(numItems + 1) * contentLen];
        for (int i = 0; i <= numItems; i++) {
            t[i * contentLen] = MARKER;
            int[] src = i < perItem.length && perItem[i] != null ? perItem[i] : new int[0];
            int n = Math.min(src.length, contentLen - 1);
            System.arraycopy(src, 0, t, i * contentLen + 1, n);
        }
        return new ItemContent(numItems, contentLen, t);
    }

    /** Largest token id used, for checks against the vocabulary size. */
    public int maxToken() {
        int m = 0;
        for (int v : tokens) {
            m = Math.max(m, v);
        }
        return m;
    }
}
