package dev.recsys.eval.data;

import dev.recsys.api.data.IdMap;
import java.util.Arrays;

/**
 * Collects interactions into growable primitive arrays (no object per line), then groups them by
 * user into a {@link Dataset}. Users and items get dense ids in order of first appearance
 * (through {@link #userIds()} / {@link #itemIds()}); within a user, interactions keep their input
 * order, stably sorted by timestamp when timestamps are kept. Not thread-safe.
 */
public final class DatasetBuilder {
    private final IdMap userIds;
    private final IdMap itemIds;
    private final boolean withRatings;
    private final boolean withTimestamps;
    private final boolean withEvents;
    private final IdMap eventTypes;
    private int[] users = new int[1024];
    private int[] items = new int[1024];
    private float[] ratings;
    private long[] timestamps;
    private int[] events;
    private int size;

    /**
     * @param userIds        user id map (fresh, or pre-filled to fix the numbering)
     * @param itemIds        item id map (fresh, or pre-filled)
     * @param withRatings    keep a rating per interaction
     * @param withTimestamps keep a timestamp per interaction (and sort each user's history by it)
     * @param withEvents     keep an event type per interaction (names in {@link #eventTypes()})
     */
    public DatasetBuilder(
            IdMap userIds, IdMap itemIds, boolean withRatings, boolean withTimestamps, boolean withEvents) {
        this.userIds = userIds;
        this.itemIds = itemIds;
        this.withRatings = withRatings;
        this.withTimestamps = withTimestamps;
        this.withEvents = withEvents;
        this.eventTypes = withEvents ? IdMap.ofStrings() : null;
        ratings = withRatings ? new float[1024] : null;
        timestamps = withTimestamps ? new long[1024] : null;
        events = withEvents ? new int[1024] : null;
    }

    /** A builder with numeric external ids. */
    public static DatasetBuilder numeric(boolean withRatings, boolean withTimestamps) {
        return new DatasetBuilder(IdMap.ofLongs(), IdMap.ofLongs(), withRatings, withTimestamps, false);
    }

    /** The user id map being filled. */
    public IdMap userIds() {
        return userIds;
    }

    /** The item id map being filled. */
    public IdMap itemIds() {
        return itemIds;
    }

    /** Event type names (dense ids 1..E), or null without events. */
    public IdMap eventTypes() {
        return eventTypes;
    }

    /** Number of interactions so far. */
    public int size() {
        return size;
    }

    /**
     * Adds one interaction by dense ids (from {@link #userIds()} / {@link #itemIds()}). Values for
     * fields the builder does not keep are ignored.
     */
    public void add(int user, int item, float rating, long timestamp, int event) {
        if (user <= 0 || item <= 0) {
            throw new IllegalArgumentException("dense ids must be >= 1, found user " + user + ", item " + item);
        }
        if (size == users.length) {
            int n = users.length * 2;
            users = Arrays.copyOf(users, n);
            items = Arrays.copyOf(items, n);
            if (ratings != null) {
                ratings = Arrays.copyOf(ratings, n);
            }
            if (timestamps != null) {
                timestamps = Arrays.copyOf(timestamps, n);
            }
            if (events != null) {
                events = Arrays.copyOf(events, n);
            }
        }
        users[size] = user;
        items[size] = item;
        if (ratings != null) {
            ratings[size] = rating;
        }
        if (timestamps != null) {
            timestamps[size] = timestamp;
        }
        if (events != null) {
            events[size] = event;
        }
        size++;
    }

    /** Groups by user (stable), sorts each user's interactions by timestamp (stable) and freezes. */
    public Dataset build(String name, ItemMeta meta) {
        int nu = userIds.size();
        int[] offsets = new int[nu + 2];
        for (int k = 0; k < size; k++) {
            offsets[users[k] + 1]++;
        }
        for (int u = 1; u <= nu + 1; u++) {
            offsets[u] += offsets[u - 1];
        }
        // offsets[u] is now the start of user u (counts were stored one slot up)
        int[] cursor = Arrays.copyOf(offsets, nu + 2);
        int[] order = new int[size];
        for (int k = 0; k < size; k++) {
            order[cursor[users[k]]++] = k;
        }
        if (timestamps != null) {
            int[] tmp = new int[size];
            for (int u = 1; u <= nu; u++) {
                sortRangeByTime(order, tmp, offsets[u], offsets[u + 1]);
            }
        }
        int[] it = new int[size];
        float[] r = ratings == null ? null : new float[size];
        long[] ts = timestamps == null ? null : new long[size];
        int[] ev = events == null ? null : new int[size];
        for (int p = 0; p < size; p++) {
            int k = order[p];
            it[p] = items[k];
            if (r != null) {
                r[p] = ratings[k];
            }
            if (ts != null) {
                ts[p] = timestamps[k];
            }
            if (ev != null) {
                ev[p] = events[k];
            }
        }
        ItemMeta m = meta;
        return new Dataset(name, userIds, itemIds, offsets, it, r, ts, ev, eventTypes, m, null);
    }

    /** Stable merge sort of order[from, to) by timestamps[order[.]]; skips already sorted ranges. */
    private void sortRangeByTime(int[] order, int[] tmp, int from, int to) {
        boolean sorted = true;
        for (int p = from + 1; p < to; p++) {
            if (timestamps[order[p]] < timestamps[order[p - 1]]) {
                sorted = false;
                break;
            }
        }
        if (!sorted) {
            mergeSort(order, tmp, from, to);
        }
    }

    private void mergeSort(int[] a, int[] tmp, int from, int to) {
        if (to - from < 16) {
            for (int i = from + 1; i < to; i++) {
                int v = a[i];
                long key = timestamps[v];
                int j = i - 1;
                while (j >= from && timestamps[a[j]] > key) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid);
        mergeSort(a, tmp, mid, to);
        if (timestamps[a[mid - 1]] <= timestamps[a[mid]]) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        int o = from;
        while (i < mid && j < to) {
            a[o++] = timestamps[tmp[j]] < timestamps[tmp[i]] ? tmp[j++] : tmp[i++];
        }
        while (i < mid) {
            a[o++] = tmp[i++];
        }
        while (j < to) {
            a[o++] = tmp[j++];
        }
    }
}
