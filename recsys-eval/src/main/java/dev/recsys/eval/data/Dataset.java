package dev.recsys.eval.data;

import dev.recsys.api.data.IdMap;
import java.util.Arrays;

/**
 * An interaction log in compact primitive storage, grouped by user. Users have dense ids 1..U and
 * items dense ids 1..N (0 is padding in both); the interactions of user u are the index range
 * {@code [start(u), end(u))} of parallel arrays (item, and optionally rating, timestamp, event type),
 * in the user's time order: input order, stably sorted by timestamp when timestamps exist.
 *
 * <p>Instances are immutable (arrays are never handed out without copying) and thread-safe.
 * Build one with {@link DatasetBuilder} or a reader ({@link MovieLens}, {@link Sasrec},
 * {@link DelimitedReader}).
 */
public final class Dataset {
    private final String name;
    private final IdMap userIds;
    private final IdMap itemIds;
    private final int[] offsets;
    private final int[] items;
    private final float[] ratings;
    private final long[] timestamps;
    private final int[] events;
    private final IdMap eventTypes;
    private final ItemMeta meta;
    private final PreparedFormat.SplitSpec split;

    Dataset(
            String name,
            IdMap userIds,
            IdMap itemIds,
            int[] offsets,
            int[] items,
            float[] ratings,
            long[] timestamps,
            int[] events,
            IdMap eventTypes,
            ItemMeta meta,
            PreparedFormat.SplitSpec split) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a dataset needs a name");
        }
        int u = userIds.size();
        if (offsets.length != u + 2) {
            throw new IllegalArgumentException(
                    "offsets must have numUsers+2 = " + (u + 2) + " entries, found " + offsets.length);
        }
        int n = offsets[u + 1];
        if (items.length != n) {
            throw new IllegalArgumentException("items must hold " + n + " interactions, found " + items.length);
        }
        checkLength("ratings", ratings == null ? -1 : ratings.length, n);
        checkLength("timestamps", timestamps == null ? -1 : timestamps.length, n);
        checkLength("events", events == null ? -1 : events.length, n);
        if (meta != null && meta.numItems() != itemIds.size()) {
            throw new IllegalArgumentException(
                    "item metadata must cover numItems = " + itemIds.size() + " items, found " + meta.numItems());
        }
        if ((events == null) != (eventTypes == null)) {
            throw new IllegalArgumentException("events and eventTypes must be given together");
        }
        this.name = name;
        this.userIds = userIds.freeze();
        this.itemIds = itemIds.freeze();
        this.offsets = offsets;
        this.items = items;
        this.ratings = ratings;
        this.timestamps = timestamps;
        this.events = events;
        this.eventTypes = eventTypes == null ? null : eventTypes.freeze();
        this.meta = meta;
        this.split = split;
    }

    private static void checkLength(String what, int found, int expected) {
        if (found >= 0 && found != expected) {
            throw new IllegalArgumentException(what + " must hold " + expected + " values, found " + found);
        }
    }

    /** Name, e.g. {@code ml-1m} or {@code sasrec-ml-1m}. */
    public String name() {
        return name;
    }

    /** Number of users U (dense ids 1..U). */
    public int numUsers() {
        return userIds.size();
    }

    /** Number of items N (dense ids 1..N). */
    public int numItems() {
        return itemIds.size();
    }

    /** Number of interactions. */
    public int numInteractions() {
        return items.length;
    }

    /** External &harr; dense user ids. */
    public IdMap userIds() {
        return userIds;
    }

    /** External &harr; dense item ids. */
    public IdMap itemIds() {
        return itemIds;
    }

    /** First interaction index of user {@code u} (1..U). */
    public int start(int u) {
        return offsets[u];
    }

    /** One past the last interaction index of user {@code u}. */
    public int end(int u) {
        return offsets[u + 1];
    }

    /** Number of interactions of user {@code u}. */
    public int length(int u) {
        return offsets[u + 1] - offsets[u];
    }

    /** Dense item id of interaction {@code k}. */
    public int item(int k) {
        return items[k];
    }

    /** True when ratings are present. */
    public boolean hasRatings() {
        return ratings != null;
    }

    /** Rating of interaction {@code k} (requires {@link #hasRatings()}). */
    public float rating(int k) {
        if (ratings == null) {
            throw new IllegalStateException("dataset " + name + " has no ratings");
        }
        return ratings[k];
    }

    /** True when timestamps are present. */
    public boolean hasTimestamps() {
        return timestamps != null;
    }

    /** Timestamp of interaction {@code k} (requires {@link #hasTimestamps()}). */
    public long timestamp(int k) {
        if (timestamps == null) {
            throw new IllegalStateException("dataset " + name + " has no timestamps");
        }
        return timestamps[k];
    }

    /** True when event types are present. */
    public boolean hasEvents() {
        return events != null;
    }

    /** Event type (1..E) of interaction {@code k} (requires {@link #hasEvents()}). */
    public int event(int k) {
        if (events == null) {
            throw new IllegalStateException("dataset " + name + " has no event types");
        }
        return events[k];
    }

    /** Event type names (dense ids 1..E), or null when there are no events. */
    public IdMap eventTypes() {
        return eventTypes;
    }

    /** True when item metadata (titles, genres, years) is present. */
    public boolean hasMeta() {
        return meta != null;
    }

    /** Item metadata, or null. */
    public ItemMeta meta() {
        return meta;
    }

    /** User {@code u}'s items in time order (a copy). */
    public int[] history(int u) {
        return Arrays.copyOfRange(items, offsets[u], offsets[u + 1]);
    }

    /** User {@code u}'s event types in time order (a copy), or null. */
    public int[] eventHistory(int u) {
        return events == null ? null : Arrays.copyOfRange(events, offsets[u], offsets[u + 1]);
    }

    /** User {@code u}'s ratings in time order (a copy), or null. */
    public float[] ratingHistory(int u) {
        return ratings == null ? null : Arrays.copyOfRange(ratings, offsets[u], offsets[u + 1]);
    }

    /** User {@code u}'s timestamps in time order (a copy), or null. */
    public long[] timestampHistory(int u) {
        return timestamps == null ? null : Arrays.copyOfRange(timestamps, offsets[u], offsets[u + 1]);
    }

    /** Number of interactions per item, {@code [N+1]} (index 0 is 0). */
    public int[] itemCounts() {
        int[] c = new int[numItems() + 1];
        for (int it : items) {
            c[it]++;
        }
        return c;
    }

    /** A copy with another name. */
    public Dataset withName(String newName) {
        return new Dataset(
                newName, userIds, itemIds, offsets, items, ratings, timestamps, events, eventTypes, meta, split);
    }

    /** A copy with other item metadata (null removes it). */
    public Dataset withMeta(ItemMeta newMeta) {
        return new Dataset(
                name, userIds, itemIds, offsets, items, ratings, timestamps, events, eventTypes, newMeta, split);
    }

    /**
     * The evaluation split this data was prepared for ({@link PreparedReader} reads it from a
     * prepared folder's manifest), or null for the default, leave-one-out. Every split of the data
     * ({@link dev.recsys.eval.pipeline.Prepared#of}) follows it.
     */
    public PreparedFormat.SplitSpec split() {
        return split;
    }

    /** A copy that is split by {@code newSplit} (null: leave-one-out). */
    public Dataset withSplit(PreparedFormat.SplitSpec newSplit) {
        return new Dataset(
                name, userIds, itemIds, offsets, items, ratings, timestamps, events, eventTypes, meta, newSplit);
    }

    /**
     * Keeps the interactions with {@code keep[k]}, then drops users and items left with no
     * interaction and renumbers both densely (in their old order). Metadata follows the items.
     */
    public Dataset filter(boolean[] keep, String newName) {
        if (keep.length != items.length) {
            throw new IllegalArgumentException(
                    "keep must have one flag per interaction (" + items.length + "), found " + keep.length);
        }
        int nu = numUsers();
        int ni = numItems();
        int[] userCount = new int[nu + 1];
        boolean[] itemUsed = new boolean[ni + 1];
        int total = 0;
        for (int u = 1; u <= nu; u++) {
            for (int k = offsets[u]; k < offsets[u + 1]; k++) {
                if (keep[k]) {
                    userCount[u]++;
                    itemUsed[items[k]] = true;
                    total++;
                }
            }
        }
        int[] newItem = new int[ni + 1];
        int keptItems = 0;
        for (int i = 1; i <= ni; i++) {
            if (itemUsed[i]) {
                newItem[i] = ++keptItems;
            }
        }
        int[] oldItems = new int[keptItems];
        for (int i = 1; i <= ni; i++) {
            if (itemUsed[i]) {
                oldItems[newItem[i] - 1] = i;
            }
        }
        int keptUsers = 0;
        for (int u = 1; u <= nu; u++) {
            if (userCount[u] > 0) {
                keptUsers++;
            }
        }
        int[] oldUsers = new int[keptUsers];
        int[] off = new int[keptUsers + 2];
        int[] it = new int[total];
        float[] r = ratings == null ? null : new float[total];
        long[] ts = timestamps == null ? null : new long[total];
        int[] ev = events == null ? null : new int[total];
        int p = 0;
        int nuIdx = 0;
        for (int u = 1; u <= nu; u++) {
            if (userCount[u] == 0) {
                continue;
            }
            oldUsers[nuIdx++] = u;
            off[nuIdx] = p;
            for (int k = offsets[u]; k < offsets[u + 1]; k++) {
                if (keep[k]) {
                    it[p] = newItem[items[k]];
                    if (r != null) {
                        r[p] = ratings[k];
                    }
                    if (ts != null) {
                        ts[p] = timestamps[k];
                    }
                    if (ev != null) {
                        ev[p] = events[k];
                    }
                    p++;
                }
            }
        }
        off[keptUsers + 1] = p;
        return new Dataset(
                newName,
                userIds.select(oldUsers),
                itemIds.select(oldItems),
                off,
                it,
                r,
                ts,
                ev,
                eventTypes,
                meta == null ? null : meta.select(oldItems),
                split);
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ": " + numUsers() + " users, " + numItems() + " items, " + numInteractions()
                + " interactions"
                + (hasRatings() ? ", ratings" : "") + (hasTimestamps() ? ", timestamps" : "")
                + (hasEvents() ? ", events" : "")
                + (hasMeta() ? ", item metadata" : "") + "]";
    }
}
