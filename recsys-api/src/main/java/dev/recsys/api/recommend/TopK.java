package dev.recsys.api.recommend;

/**
 * Partial top-K selection with a bounded min-heap: O(n log k), no boxing. Ties are broken towards
 * the smaller index so results are deterministic. {@link #select} picks from a score array;
 * {@link Selector} takes (score, id) pairs one at a time, for candidates that are not one range.
 */
public final class TopK {
    private TopK() {}

    /**
     * Offsets (relative to {@code from}) of the k largest scores among {@code scores[from..to)} whose
     * mask entry is false, best first. NaN and negative-infinity scores are skipped like masked entries.
     *
     * @param mask optional; {@code mask[i]} true excludes index i
     */
    public static int[] select(float[] scores, int from, int to, int k, boolean[] mask) {
        Selector sel = new Selector(Math.max(0, Math.min(k, to - from)));
        for (int i = from; i < to; i++) {
            float s = scores[i];
            if ((mask != null && mask[i - from]) || Float.isNaN(s) || s == Float.NEGATIVE_INFINITY) {
                continue;
            }
            sel.offer(s, i - from);
        }
        int[] out = new int[sel.size()];
        sel.drainTo(out);
        return out;
    }

    /**
     * The best {@code capacity} (score, id) pairs among those offered: higher score first, equal
     * scores by smaller id, NaN below every number (NaNs among themselves by smaller id); negative
     * infinity is an ordinary score here. Reusable: {@link #drainTo} empties it. Not thread-safe.
     */
    public static final class Selector {
        private final int capacity;
        private final float[] score;
        private final int[] id;
        private int size;

        /** An empty selector keeping at most {@code capacity} pairs. */
        public Selector(int capacity) {
            if (capacity < 0) {
                throw new IllegalArgumentException("capacity must be >= 0, found " + capacity);
            }
            this.capacity = capacity;
            this.score = new float[capacity];
            this.id = new int[capacity];
        }

        /** The most pairs kept. */
        public int capacity() {
            return capacity;
        }

        /** Pairs kept so far. */
        public int size() {
            return size;
        }

        /** Forgets every pair. */
        public void clear() {
            size = 0;
        }

        /** Offers a pair; it is kept while it is among the best {@code capacity} offered so far. */
        public void offer(float s, int item) {
            if (size < capacity) {
                int c = size++;
                score[c] = s;
                id[c] = item;
                siftUp(c);
            } else if (capacity > 0 && better(s, item, score[0], id[0])) {
                score[0] = s;
                id[0] = item;
                siftDown(0);
            }
        }

        /**
         * Writes the kept ids to {@code out[0..size)}, best first, and empties the selector.
         *
         * @return the number of ids written
         */
        public int drainTo(int[] out) {
            int n = size;
            if (out.length < n) {
                throw new IllegalArgumentException("out must hold " + n + " ids, found length " + out.length);
            }
            for (int p = n - 1; p >= 0; p--) {
                out[p] = id[0];
                size--;
                score[0] = score[size];
                id[0] = id[size];
                siftDown(0);
            }
            return n;
        }

        /** (s1, i1) ranks above (s2, i2). */
        private static boolean better(float s1, int i1, float s2, int i2) {
            if (s1 > s2) {
                return true;
            }
            if (s1 < s2) {
                return false;
            }
            boolean n1 = Float.isNaN(s1);
            boolean n2 = Float.isNaN(s2);
            return n1 == n2 ? i1 < i2 : n2;
        }

        private void siftUp(int c) {
            while (c > 0) {
                int p = (c - 1) >>> 1;
                if (!better(score[p], id[p], score[c], id[c])) {
                    return;
                }
                swap(c, p);
                c = p;
            }
        }

        private void siftDown(int c) {
            while (true) {
                int l = 2 * c + 1;
                if (l >= size) {
                    return;
                }
                int r = l + 1;
                int w = r < size && better(score[l], id[l], score[r], id[r]) ? r : l;
                if (!better(score[c], id[c], score[w], id[w])) {
                    return;
                }
                swap(w, c);
                c = w;
            }
        }

        private void swap(int a, int b) {
            float ts = score[a];
            score[a] = score[b];
            score[b] = ts;
            int ti = id[a];
            id[a] = id[b];
            id[b] = ti;
        }
    }
}
