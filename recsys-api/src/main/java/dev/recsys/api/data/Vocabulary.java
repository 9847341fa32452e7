package dev.recsys.api.data;

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

    private final List<String> tokens;
    private final Map<String, Integer> ids;

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

    /** Id of {@code token}, or {@link #UNK} when it is not in the table. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? UNK : id;
    }

    /** True when {@code token} has its own id. */
    public boolean contains(String token) {
        return ids.containsKey(token);
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

    /** Ids of {@code words}, unknown ones as {@link #UNK}. */
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
        return "Vocabulary[size=" + tokens.size() + "]";
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
            if (token.equals(PAD_TOKEN) || token.equals(ITEM_TOKEN) || token.equals(UNK_TOKEN)) {
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
            if (minCount < 1) {
                throw new IllegalArgumentException("minCount must be >= 1, found " + minCount);
            }
            if (maxSize < RESERVED) {
                throw new IllegalArgumentException(
                        "maxSize must be >= " + RESERVED + " (the reserved ids), found " + maxSize);
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
            for (int i = 0; i < kept.size() && list.size() < maxSize; i++) {
                list.add(kept.get(i).getKey());
            }
            return new Vocabulary(list);
        }

        /** Freezes with no size limit. */
        public Vocabulary build(long minCount) {
            return build(minCount, Integer.MAX_VALUE);
        }
    }
}
