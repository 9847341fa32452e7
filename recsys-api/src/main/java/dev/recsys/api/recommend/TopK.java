package dev.recsys.api.recommend;

/**
 * Partial top-K selection over a score array with a bounded min-heap: O(n log k), no boxing.
 * Ties are broken towards the smaller index so results are deterministic.
 */
public final class TopK {
    private TopK() {
    }

    /**
     * Offsets (relative to {@code from}) of the k largest scores among {@code scores[from..to)} whose
     * mask entry is false, best first. NaN and negative-infinity scores are skipped like masked entries.
     *
     * @param mask optional; {@code mask[i]} true excludes index i
     */
    public static int[] select(float[] scores, int from, int to, int k, boolean[] mask) {
        int cap = Math.max(0, Math.min(k, to - from));
        int[] heap = new int[cap];
        int size = 0;
        for (int i = from; i < to; i++) {
            float s = scores[i];
            if ((mask != null && mask[i - from]) || Float.isNaN(s) || s == Float.NEGATIVE_INFINITY) {
                continue;
            }
            if (size < cap) {
                heap[size] = i;
                siftUp(scores, heap, size++);
            } else if (cap > 0 && better(scores, i, heap[0])) {
                heap[0] = i;
                siftDown(scores, heap, size);
            }
        }
        int[] out = new int[size];
        for (int n = size; n > 0; n--) {
            out[n - 1] = heap[0] - from;
            heap[0] = heap[n - 1];
            siftDown(scores, heap, n - 1);
        }
        return out;
    }

    /** a ranks above b: higher score, or equal score and smaller index. */
    private static boolean better(float[] s, int a, int b) {
        return s[a] > s[b] || (s[a] == s[b] && a < b);
    }

    private static void siftUp(float[] s, int[] h, int i) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (better(s, h[p], h[i])) {
                int t = h[p];
                h[p] = h[i];
                h[i] = t;
                i = p;
            } else {
                return;
            }
        }
    }

    private static void siftDown(float[] s, int[] h, int n) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) {
                return;
            }
            int w = l;
            int r = l + 1;
            if (r < n && better(s, h[l], h[r])) {
                w = r;
            }
            if (better(s, h[i], h[w])) {
                int t = h[i];
                h[i] = h[w];
                h[w] = t;
                i = w;
            } else {
                return;
            }
        }
    }
}
