package dev.recsys.eval.baseline;

import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Vocabulary;
import dev.recsys.eval.protocol.BatchScorer;

/**
 * Content-KNN: the content baseline of the cold-start items protocol, which needs no interaction
 * with an item to score it. Each item is a TF-IDF vector over its content tokens (the same tokens
 * the model reads: genres, year, decade, title words; the reserved padding, item-marker and
 * unknown tokens are left out), normalised to unit length; a user's profile is the mean of the
 * vectors of the items in the history; an item's score is the cosine between profile and item.
 *
 * <p>{@code tf} is the token's count in the item's row, {@code idf(t) = ln((1 + N) / (1 + df(t))) + 1}
 * over the N items of the catalogue (the smoothed form of scikit-learn's {@code TfidfVectorizer}).
 * Content is side information known for every item, so the idf counts cold items too; no
 * interaction is used. An item without tokens scores 0; so does every item for a history whose
 * items have none.
 */
public final class ContentKnn implements BatchScorer, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int numItems;
    /** Inverted index (CSR by token): items and weights of each token's postings. */
    private final int[] postStart;

    private final int[] postItem;
    private final float[] postWeight;
    /** Forward index (CSR by item): the tokens and weights of each item's unit vector. */
    private final int[] itemStart;

    private final int[] itemToken;
    private final float[] itemWeight;
    private final int vocab;

    private ContentKnn(int numItems, int vocab, int[] itemStart, int[] itemToken, float[] itemWeight) {
        this.numItems = numItems;
        this.vocab = vocab;
        this.itemStart = itemStart;
        this.itemToken = itemToken;
        this.itemWeight = itemWeight;
        int[] df = new int[vocab + 1];
        for (int t : itemToken) {
            df[t + 1]++;
        }
        for (int t = 0; t < vocab; t++) {
            df[t + 1] += df[t];
        }
        this.postStart = df.clone();
        this.postItem = new int[itemToken.length];
        this.postWeight = new float[itemToken.length];
        int[] fill = df;
        for (int i = 1; i <= numItems; i++) {
            for (int k = itemStart[i]; k < itemStart[i + 1]; k++) {
                int p = fill[itemToken[k]]++;
                postItem[p] = i;
                postWeight[p] = itemWeight[k];
            }
        }
    }

    /** Builds the item vectors from a content table. */
    public static ContentKnn fit(ItemContent content) {
        int n = content.numItems();
        int len = content.contentLen();
        int[] tokens = content.tokens();
        int vocab = Math.max(Vocabulary.RESERVED, content.maxToken() + 1);
        int[] df = new int[vocab];
        int[] itemStart = new int[n + 2];
        int[] tf = new int[vocab];
        int[] seen = new int[len];
        // pass 1: distinct tokens per item and document frequencies
        for (int i = 1; i <= n; i++) {
            int d = countTokens(tokens, i, len, tf, seen);
            for (int q = 0; q < d; q++) {
                df[seen[q]]++;
                tf[seen[q]] = 0;
            }
            itemStart[i + 1] = itemStart[i] + d;
        }
        int[] itemToken = new int[itemStart[n + 1]];
        float[] itemWeight = new float[itemStart[n + 1]];
        double[] idf = new double[vocab];
        for (int t = 0; t < vocab; t++) {
            idf[t] = Math.log((1.0 + n) / (1.0 + df[t])) + 1.0;
        }
        // pass 2: tf-idf, normalised per item
        for (int i = 1; i <= n; i++) {
            int d = countTokens(tokens, i, len, tf, seen);
            double norm = 0;
            for (int q = 0; q < d; q++) {
                double w = tf[seen[q]] * idf[seen[q]];
                norm += w * w;
            }
            norm = Math.sqrt(norm);
            for (int q = 0; q < d; q++) {
                int k = itemStart[i] + q;
                itemToken[k] = seen[q];
                itemWeight[k] = (float) (tf[seen[q]] * idf[seen[q]] / norm);
                tf[seen[q]] = 0;
            }
        }
        return new ContentKnn(n, vocab, itemStart, itemToken, itemWeight);
    }

    /**
     * Counts item i's content tokens (reserved ones left out) into tf and lists the distinct ones
     * in seen; returns how many there are. The caller resets tf of those tokens to 0.
     */
    private static int countTokens(int[] tokens, int i, int len, int[] tf, int[] seen) {
        int d = 0;
        for (int j = 0; j < len; j++) {
            int t = tokens[i * len + j];
            if (t >= Vocabulary.RESERVED && tf[t]++ == 0) {
                seen[d++] = t;
            }
        }
        return d;
    }

    @Override
    public void score(int[] users, int[][] histories, float[] out) {
        int stride = numItems + 1;
        float[] profile = new float[vocab];
        int[] touched = new int[vocab];
        for (int r = 0; r < users.length; r++) {
            int base = r * stride;
            java.util.Arrays.fill(out, base, base + stride, 0f);
            int[] h = histories[r];
            int nt = 0;
            for (int item : h) {
                for (int k = itemStart[item]; k < itemStart[item + 1]; k++) {
                    int t = itemToken[k];
                    if (profile[t] == 0f) {
                        touched[nt++] = t;
                    }
                    profile[t] += itemWeight[k];
                }
            }
            double norm = 0;
            for (int q = 0; q < nt; q++) {
                norm += (double) profile[touched[q]] * profile[touched[q]];
            }
            if (norm > 0) {
                float inv = (float) (1.0 / Math.sqrt(norm)); // the mean's 1/|h| cancels in the cosine
                for (int q = 0; q < nt; q++) {
                    int t = touched[q];
                    float w = profile[t] * inv;
                    for (int p = postStart[t]; p < postStart[t + 1]; p++) {
                        out[base + postItem[p]] += w * postWeight[p];
                    }
                }
            }
            for (int q = 0; q < nt; q++) {
                profile[touched[q]] = 0f;
            }
        }
    }

    @Override
    public boolean threadSafe() {
        return true;
    }

    @Override
    public String toString() {
        return "ContentKnn";
    }
}
