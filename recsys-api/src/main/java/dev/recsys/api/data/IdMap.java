package dev.recsys.api.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * External id &harr; dense id map: external ids (numeric {@code long}s or {@code String}s) get dense
 * ids 1..n in order of first {@link #add}; 0 is reserved for padding and means "absent" in
 * {@link #get}. Storage is primitive: the keys live in a {@code long[]} (or {@code String[]})
 * indexed by dense id, and lookups go through an open-addressing table of dense ids (linear
 * probing, load factor at most 1/2), so a long-keyed map never boxes.
 *
 * <p>Export with {@link #toList()} (index i holds dense id i+1's external id as text) and import
 * with {@link #fromList(KeyType, List)}. A map is mutable until {@link #freeze()}; a frozen map is
 * immutable and safe to share between threads. A mutable map is not thread-safe.
 */
public final class IdMap {
    /** The kind of external id. */
    public enum KeyType {
        /** Numeric ids ({@code long}). */
        LONG,
        /** Text ids. */
        STRING
    }

    private final KeyType type;
    private long[] longKeys;
    private String[] stringKeys;
    private int size;
    private int[] table;
    private boolean frozen;

    private IdMap(KeyType type, int expected) {
        this.type = type;
        int cap = Math.max(4, expected + 1);
        if (type == KeyType.LONG) {
            longKeys = new long[cap];
        } else {
            stringKeys = new String[cap];
        }
        table = new int[tableSizeFor(expected)];
    }

    /** An empty map for numeric external ids. */
    public static IdMap ofLongs() {
        return new IdMap(KeyType.LONG, 16);
    }

    /** An empty map for numeric external ids, sized for {@code expected} ids. */
    public static IdMap ofLongs(int expected) {
        return new IdMap(KeyType.LONG, Math.max(0, expected));
    }

    /** An empty map for text external ids. */
    public static IdMap ofStrings() {
        return new IdMap(KeyType.STRING, 16);
    }

    /** An empty map of the given key type. */
    public static IdMap of(KeyType type) {
        return new IdMap(type, 16);
    }

    /** A frozen long-keyed map where external id k is dense id k, for k = 1..n. */
    public static IdMap identity(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, found " + n);
        }
        IdMap m = new IdMap(KeyType.LONG, n);
        for (int k = 1; k <= n; k++) {
            m.add(k);
        }
        return m.freeze();
    }

    /** A frozen long-keyed map where {@code external[i]} is dense id i+1. Duplicates are refused. */
    public static IdMap fromLongs(long[] external) {
        IdMap m = new IdMap(KeyType.LONG, external.length);
        for (int i = 0; i < external.length; i++) {
            if (m.add(external[i]) != i + 1) {
                throw new IllegalArgumentException("duplicate external id " + external[i] + " at index " + i);
            }
        }
        return m.freeze();
    }

    /**
     * Rebuilds a frozen map from its {@link #toList()} export: entry i is dense id i+1.
     * For {@link KeyType#LONG} every entry must be a decimal long.
     */
    public static IdMap fromList(KeyType type, List<String> external) {
        IdMap m = new IdMap(type, external.size());
        for (int i = 0; i < external.size(); i++) {
            String s = external.get(i);
            int id;
            if (type == KeyType.LONG) {
                long v;
                try {
                    v = Long.parseLong(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "entry " + i + " of a LONG id list must be a decimal long, found '" + s + "'", e);
                }
                id = m.add(v);
            } else {
                id = m.add(s);
            }
            if (id != i + 1) {
                throw new IllegalArgumentException("duplicate external id '" + s + "' at index " + i);
            }
        }
        return m.freeze();
    }

    /** The key type. */
    public KeyType keyType() {
        return type;
    }

    /** Number of ids n (dense ids are 1..n). */
    public int size() {
        return size;
    }

    /** True once {@link #freeze()} was called. */
    public boolean isFrozen() {
        return frozen;
    }

    /** Makes the map immutable and returns it. */
    public IdMap freeze() {
        frozen = true;
        return this;
    }

    /** Dense id of {@code key}, added as the next dense id when new. Long-keyed maps only. */
    public int add(long key) {
        requireType(KeyType.LONG);
        int h = slot(mix(key));
        int mask = table.length - 1;
        while (true) {
            int id = table[h];
            if (id == 0) {
                break;
            }
            if (longKeys[id] == key) {
                return id;
            }
            h = (h + 1) & mask;
        }
        requireMutable(key);
        int id = ++size;
        if (id >= longKeys.length) {
            longKeys = Arrays.copyOf(longKeys, grow(longKeys.length));
        }
        longKeys[id] = key;
        table[h] = id;
        maybeRehash();
        return id;
    }

    /** Dense id of {@code key}, added as the next dense id when new. Text-keyed maps only. */
    public int add(String key) {
        requireType(KeyType.STRING);
        if (key == null) {
            throw new IllegalArgumentException("external id must not be null");
        }
        int h = slot(mix(key.hashCode()));
        int mask = table.length - 1;
        while (true) {
            int id = table[h];
            if (id == 0) {
                break;
            }
            if (stringKeys[id].equals(key)) {
                return id;
            }
            h = (h + 1) & mask;
        }
        requireMutable(key);
        int id = ++size;
        if (id >= stringKeys.length) {
            stringKeys = Arrays.copyOf(stringKeys, grow(stringKeys.length));
        }
        stringKeys[id] = key;
        table[h] = id;
        maybeRehash();
        return id;
    }

    /** Dense id of a numeric key, 0 when absent. On a text-keyed map, looks up its decimal form. */
    public int get(long key) {
        if (type == KeyType.STRING) {
            return get(Long.toString(key));
        }
        int mask = table.length - 1;
        int h = slot(mix(key));
        while (true) {
            int id = table[h];
            if (id == 0) {
                return 0;
            }
            if (longKeys[id] == key) {
                return id;
            }
            h = (h + 1) & mask;
        }
    }

    /** Dense id of a text key, 0 when absent. On a long-keyed map, parses the text (non-numbers are absent). */
    public int get(String key) {
        if (key == null) {
            return 0;
        }
        if (type == KeyType.LONG) {
            long v;
            try {
                v = Long.parseLong(key.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
            return get(v);
        }
        int mask = table.length - 1;
        int h = slot(mix(key.hashCode()));
        while (true) {
            int id = table[h];
            if (id == 0) {
                return 0;
            }
            if (stringKeys[id].equals(key)) {
                return id;
            }
            h = (h + 1) & mask;
        }
    }

    /** External numeric id of dense id {@code dense} (1..n). Long-keyed maps only. */
    public long externalLong(int dense) {
        requireType(KeyType.LONG);
        checkDense(dense);
        return longKeys[dense];
    }

    /** External id of dense id {@code dense} (1..n), as text. */
    public String external(int dense) {
        checkDense(dense);
        return type == KeyType.LONG ? Long.toString(longKeys[dense]) : stringKeys[dense];
    }

    /** The external ids in dense order, as text: entry i is dense id i+1. */
    public List<String> toList() {
        List<String> out = new ArrayList<>(size);
        for (int i = 1; i <= size; i++) {
            out.add(external(i));
        }
        return out;
    }

    /**
     * A new frozen map holding only the given old dense ids, renumbered: {@code oldIds[j]} becomes
     * dense id j+1. Used when filtering compacts the id space.
     */
    public IdMap select(int[] oldIds) {
        IdMap m = new IdMap(type, oldIds.length);
        for (int j = 0; j < oldIds.length; j++) {
            checkDense(oldIds[j]);
            int id = type == KeyType.LONG ? m.add(longKeys[oldIds[j]]) : m.add(stringKeys[oldIds[j]]);
            if (id != j + 1) {
                throw new IllegalArgumentException("old dense id " + oldIds[j] + " is selected twice");
            }
        }
        return m.freeze();
    }

    @Override
    public String toString() {
        return "IdMap[" + type + ", size=" + size + (frozen ? ", frozen" : "") + "]";
    }

    private void checkDense(int dense) {
        if (dense < 1 || dense > size) {
            throw new IllegalArgumentException("dense id must be in 1.." + size + ", found " + dense);
        }
    }

    private void requireType(KeyType t) {
        if (type != t) {
            throw new IllegalStateException("this map has " + type + " keys, a " + t + " key was given");
        }
    }

    private void requireMutable(Object key) {
        if (frozen) {
            throw new IllegalStateException("this id map is frozen; cannot add new external id " + key);
        }
    }

    private int slot(int hash) {
        return hash & (table.length - 1);
    }

    private void maybeRehash() {
        if (size * 2 < table.length) {
            return;
        }
        int[] t = new int[table.length * 2];
        int mask = t.length - 1;
        for (int id = 1; id <= size; id++) {
            int h = (type == KeyType.LONG ? mix(longKeys[id]) : mix(stringKeys[id].hashCode())) & mask;
            while (t[h] != 0) {
                h = (h + 1) & mask;
            }
            t[h] = id;
        }
        table = t;
    }

    private static int grow(int len) {
        int n = len + (len >> 1) + 1;
        if (n < 0) {
            throw new IllegalStateException("id map is full");
        }
        return n;
    }

    private static int tableSizeFor(int expected) {
        int cap = 16;
        while (cap < 2L * (expected + 1) + 1) {
            cap <<= 1;
        }
        return cap;
    }

    private static int mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return (int) x;
    }

    private static int mix(int x) {
        return mix((long) x);
    }
}
