package dev.recsys.api.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A frozen token &harr; id table for item content. Ids 0, 1 and 2 are reserved:
 * {@value #PAD_TOKEN} (0, padding), {@value #ITEM_TOKEN} (1, the item marker that starts every
 * item's content, see {@link ItemContent#MARKER}) and {@value #UNK_TOKEN} (2, any token that is
 * not in the table). Real tokens get ids 3, 4, ... in order of decreasing count, ties broken by
 * the token's natural (UTF-16) order, so that the same counts always give the same table.
 *
 * <p><b>Out-of-vocabulary tokens.</b> A vocabulary may end with B hashed buckets, the tokens
 * {@code [OOV:0]} .. {@code [OOV:B-1]} (built with {@link Builder#build(long, int, int)}). Then a
 * token that is not in the table gets the id of bucket {@link #bucketOf(String, int)}
 * ({@code FNV-1a-64(UTF-8 bytes) mod B}) instead of {@link #UNK}: at training time the tokens that
 * missed the table (fewer than {@code minCount} items) are encoded the same way, so the bucket rows
 * are trained on rare words, and a word first seen after training lands on a trained row rather
 * than on an error. A vocabulary without buckets (B = 0, every checkpoint written before buckets
 * existed) maps unknown tokens to {@link #UNK}, as before. The buckets are part of the token list,
 * so the exported list alone says how a checkpoint encodes unknown words.
 *
 * <p>Export with {@link #tokens()} (index = id) and import with {@link #fromTokens(List)}; that is
 * the form stored in a checkpoint's model description. Instances are immutable and thread-safe.
 */
public final class Vocabulary {
    /** Padding id. */
    public static final int PAD = 0;
    /** Item marker id. */
    public static final int ITEM = 1;
    /** Unknown-token id. */
    public static final int UNK = 2;
    /** Number of reserved ids. */
    public static final int RESERVED = 3;

    public static final String PAD_TOKEN = "[PAD]";
    public static final String ITEM_TOKEN = "[ITEM]";
    public static final String UNK_TOKEN = "[UNK]";
    /** Prefix of the hashed out-of-vocabulary bucket tokens {@code [OOV:k]}. */
    public static final String OOV_PREFIX = "[OOV:";

    private final List<String> tokens;
    private final Map<String, Integer> ids;
    /** Number of hashed buckets B (the last B ids); 0 = unknown tokens are {@link #UNK}. */
    private final int buckets;

    private Vocabulary(List<String> tokens) {
        this.tokens = Collections.unmodifiableList(new ArrayList<>(tokens));
        Map<String, Integer> m = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < tokens.size(); i++) {
            Integer prev = m.put(tokens.get(i), i);
            if (prev != null) {
                throw new IllegalArgumentException(
                        "duplicate token '" + tokens.get(i) + "' at ids " + prev + " and " + i);
            }
        }
        this.ids = m;
        this.buckets = countBuckets(this.tokens);
    }

    /** The bucket token of bucket {@code k}: {@code [OOV:k]}. */
    public static String bucketToken(int k) {
        return OOV_PREFIX + k + "]";
    }

    /**
     * The trailing {@code [OOV:0]..[OOV:B-1]} run of a token list (B), checking that bucket tokens
     * appear only there and in order.
     */
    private static int countBuckets(List<String> tokens) {
        int first = tokens.size();
        while (first > RESERVED && tokens.get(first - 1).startsWith(OOV_PREFIX)) {
            first--;
        }
        int b = tokens.size() - first;
        for (int k = 0; k < b; k++) {
            if (!tokens.get(first + k).equals(bucketToken(k))) {
                throw new IllegalArgumentException("out-of-vocabulary buckets must be the last tokens, in order "
                        + bucketToken(0) + ".." + bucketToken(b - 1) + ", found '" + tokens.get(first + k)
                        + "' at id " + (first + k));
            }
        }
        for (int i = 0; i < first; i++) {
            if (tokens.get(i).startsWith(OOV_PREFIX)) {
                throw new IllegalArgumentException("'" + tokens.get(i) + "' at id " + i
                        + " looks like an out-of-vocabulary bucket but is not in the trailing run of buckets");
            }
        }
        return b;
    }

    /**
     * The bucket of an out-of-vocabulary token among {@code buckets}: FNV-1a (64 bit) of its UTF-8
     * bytes, unsigned, modulo {@code buckets}. Fixed by this definition, never by a JVM's hash codes.
     */
    public static int bucketOf(String token, int buckets) {
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets must be >= 1, found " + buckets);
        }
        long h = 0xcbf29ce484222325L;
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return (int) Long.remainderUnsigned(h, buckets);
    }

    /**
     * Rebuilds a vocabulary from its export: index = id, and the first three entries must be
     * {@code [PAD]}, {@code [ITEM]}, {@code [UNK]}.
     */
    public static Vocabulary fromTokens(List<String> tokens) {
        if (tokens == null || tokens.size() < RESERVED) {
            throw new IllegalArgumentException("a vocabulary list needs at least the " + RESERVED
                    + " reserved tokens, found " + (tokens == null ? "null" : tokens.size() + " entries"));
        }
        if (!PAD_TOKEN.equals(tokens.get(PAD))
                || !ITEM_TOKEN.equals(tokens.get(ITEM))
                || !UNK_TOKEN.equals(tokens.get(UNK))) {
            throw new IllegalArgumentException(
                    "a vocabulary list must start with [PAD], [ITEM], [UNK], found " + tokens.subList(0, RESERVED));
        }
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) == null || tokens.get(i).isEmpty()) {
                throw new IllegalArgumentException("token " + i + " is null or empty");
            }
        }
        return new Vocabulary(tokens);
    }

    /** A vocabulary with only the reserved tokens. */
    public static Vocabulary empty() {
        return new Vocabulary(List.of(PAD_TOKEN, ITEM_TOKEN, UNK_TOKEN));
    }

    /** A new builder that counts tokens. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Id of {@code token}; a token that is not in the table gets its hashed bucket's id when the
     * vocabulary has buckets, otherwise {@link #UNK}.
     */
    public int id(String token) {
        Integer id = ids.get(token);
        if (id != null) {
            return id;
        }
        return buckets == 0 ? UNK : tokens.size() - buckets + bucketOf(token, buckets);
    }

    /** True when {@code token} has its own id (a bucket is not its own id). */
    public boolean contains(String token) {
        return ids.containsKey(token) && !token.startsWith(OOV_PREFIX);
    }

    /** Number of hashed out-of-vocabulary buckets (0: unknown tokens are {@link #UNK}). */
    public int oovBuckets() {
        return buckets;
    }

    /** Token of {@code id}. */
    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("token id must be in 0.." + (tokens.size() - 1) + ", found " + id);
        }
        return tokens.get(id);
    }

    /** Number of ids, reserved ones included (the embedding table's row count). */
    public int size() {
        return tokens.size();
    }

    /** All tokens, index = id (unmodifiable); the export form. */
    public List<String> tokens() {
        return tokens;
    }

    /** Ids of {@code words}, unknown ones as {@link #id(String)} says (a bucket, or {@link #UNK}). */
    public int[] encode(List<String> words) {
        int[] out = new int[words.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(words.get(i));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && v.tokens.equals(tokens);
    }

    @Override
    public int hashCode() {
        return tokens.hashCode();
    }

    @Override
    public String toString() {
        return "Vocabulary[size=" + tokens.size() + (buckets > 0 ? ", oovBuckets=" + buckets : "") + "]";
    }

    /** Counts tokens, then freezes them into a {@link Vocabulary}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, long[]> counts = new HashMap<>();

        private Builder() {}

        /** Counts one occurrence of {@code token}. Reserved token strings are refused. */
        public Builder add(String token) {
            return add(token, 1);
        }

        /** Counts {@code n} occurrences of {@code token}. */
        public Builder add(String token, long n) {
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException(
                        "token must be non-empty, found " + (token == null ? "null" : "\"\""));
            }
            if (token.equals(PAD_TOKEN)
                    || token.equals(ITEM_TOKEN)
                    || token.equals(UNK_TOKEN)
                    || token.startsWith(OOV_PREFIX)) {
                throw new IllegalArgumentException("'" + token + "' is a reserved token and cannot be counted");
            }
            if (n < 0) {
                throw new IllegalArgumentException("count must be >= 0, found " + n);
            }
            counts.computeIfAbsent(token, k -> new long[1])[0] += n;
            return this;
        }

        /** Counts every token of {@code tokens}. */
        public Builder addAll(Iterable<String> tokens) {
            for (String t : tokens) {
                add(t);
            }
            return this;
        }

        /** Count of {@code token} so far. */
        public long count(String token) {
            long[] c = counts.get(token);
            return c == null ? 0 : c[0];
        }

        /**
         * Freezes: keeps tokens seen at least {@code minCount} times, the most frequent first,
         * at most {@code maxSize} ids in all (reserved ones included).
         */
        public Vocabulary build(long minCount, int maxSize) {
            return build(minCount, maxSize, 0);
        }

        /**
         * Freezes as {@link #build(long, int)}, followed by {@code oovBuckets} hashed buckets
         * {@code [OOV:0]..}: tokens that miss the table then map to a bucket instead of {@link #UNK}.
         * {@code maxSize} counts the buckets too.
         */
        public Vocabulary build(long minCount, int maxSize, int oovBuckets) {
            if (oovBuckets < 0) {
                throw new IllegalArgumentException("oovBuckets must be >= 0, found " + oovBuckets);
            }
            if (minCount < 1) {
                throw new IllegalArgumentException("minCount must be >= 1, found " + minCount);
            }
            if (maxSize < RESERVED + (long) oovBuckets) {
                throw new IllegalArgumentException("maxSize must be >= " + RESERVED + " (the reserved ids) + "
                        + oovBuckets + " (the buckets), found " + maxSize);
            }
            List<Map.Entry<String, long[]>> kept = new ArrayList<>();
            for (Map.Entry<String, long[]> e : counts.entrySet()) {
                if (e.getValue()[0] >= minCount) {
                    kept.add(e);
                }
            }
            kept.sort((a, b) -> {
                int c = Long.compare(b.getValue()[0], a.getValue()[0]);
                return c != 0 ? c : a.getKey().compareTo(b.getKey());
            });
            List<String> list = new ArrayList<>(Math.min(kept.size(), maxSize - RESERVED) + RESERVED);
            list.add(PAD_TOKEN);
            list.add(ITEM_TOKEN);
            list.add(UNK_TOKEN);
            for (int i = 0; i < kept.size() && list.size() < maxSize - oovBuckets; i++) {
                list.add(kept.get(i).getKey());
            }
            for (int k = 0; k < oovBuckets; k++) {
                list.add(bucketToken(k));
            }
            return new Vocabulary(list);
        }

        /** Freezes with no size limit. */
        public Vocabulary build(long minCount) {
            return build(minCount, Integer.MAX_VALUE);
        }
    }
}
