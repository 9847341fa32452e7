package dev.recsys.eval.split;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The cold-start items protocol: a part of the catalogue is held out as <em>cold</em>. Every
 * interaction with a cold item is removed from training and from every history, so cold items
 * can only be targets; a model meets them first at evaluation, through their content alone.
 * Evaluation ranks the whole catalogue, cold items included, and reports users whose target is
 * warm, users whose target is cold, and all users apart ({@link GroupedResult}).
 *
 * <p>Two rules pick the cold items: {@code random:F} (or plain {@code F}) a seeded uniform
 * fraction F of the catalogue; {@code newest:F} the fraction F of items whose first interaction
 * is latest (data with timestamps only; ties broken by the smaller id). The number of cold items
 * is {@code round(F * numItems)}, at least 1.
 *
 * @param numItems catalogue size N
 * @param items    the cold items' dense ids, increasing
 * @param rule     how they were chosen, e.g. {@code random:0.1} or {@code newest:0.1}
 * @param seed     the seed of a random rule (0 for {@code newest})
 */
public record ColdItems(int numItems, int[] items, String rule, long seed) {
    public ColdItems {
        items = items.clone();
        for (int i = 0; i < items.length; i++) {
            if (items[i] < 1 || items[i] > numItems || (i > 0 && items[i] <= items[i - 1])) {
                throw new IllegalArgumentException("cold items must be increasing ids in 1.." + numItems + ", found "
                        + items[i] + " at position " + i);
            }
        }
    }

    /**
     * Parses the command line's {@code --cold-items} value ({@code F}, {@code random:F} or
     * {@code newest:F} with 0 &lt; F &lt; 1) and picks the items of {@code data}.
     */
    public static ColdItems parse(String spec, Dataset data, long seed) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        String kind = "random";
        int colon = s.indexOf(':');
        if (colon >= 0) {
            kind = s.substring(0, colon);
            s = s.substring(colon + 1);
        }
        double f;
        try {
            f = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new DataException(
                    "--cold-items " + spec + ": expected a fraction F, random:F or newest:F with 0 < F < 1");
        }
        if (!(f > 0 && f < 1)) {
            throw new DataException("--cold-items " + spec + ": the fraction must be in (0, 1), found " + f);
        }
        return switch (kind) {
            case "random" -> random(data.numItems(), f, seed);
            case "newest" -> {
                if (!data.hasTimestamps()) {
                    throw new DataException(
                            "--cold-items " + spec + ": " + data.name() + " has no timestamps; use random:" + f);
                }
                yield newest(data, f);
            }
            default ->
                throw new DataException(
                        "--cold-items " + spec + ": unknown rule '" + kind + "'; known: random, newest");
        };
    }

    /** A seeded uniform fraction of items 1..numItems. */
    public static ColdItems random(int numItems, double fraction, long seed) {
        int n = count(numItems, fraction);
        int[] ids = new int[numItems];
        for (int i = 0; i < numItems; i++) {
            ids[i] = i + 1;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) { // partial Fisher-Yates: the first n are a uniform sample
            int j = i + r.nextInt(numItems - i);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        int[] cold = Arrays.copyOf(ids, n);
        Arrays.sort(cold);
        return new ColdItems(numItems, cold, "random:" + fraction, seed);
    }

    /** The fraction of items whose first interaction is latest (never-seen items count as newest). */
    public static ColdItems newest(Dataset d, double fraction) {
        if (!d.hasTimestamps()) {
            throw new IllegalArgumentException(d.name() + " has no timestamps");
        }
        long[] first = new long[d.numItems() + 1];
        Arrays.fill(first, Long.MAX_VALUE);
        for (int k = 0; k < d.numInteractions(); k++) {
            int i = d.item(k);
            first[i] = Math.min(first[i], d.timestamp(k));
        }
        Integer[] order = new Integer[d.numItems()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i + 1;
        }
        Arrays.sort(order, (a, b) -> first[a] != first[b] ? Long.compare(first[b], first[a]) : Integer.compare(a, b));
        int n = count(d.numItems(), fraction);
        int[] cold = new int[n];
        for (int i = 0; i < n; i++) {
            cold[i] = order[i];
        }
        Arrays.sort(cold);
        return new ColdItems(d.numItems(), cold, "newest:" + fraction, 0L);
    }

    private static int count(int numItems, double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("the cold fraction must be in (0, 1), found " + fraction);
        }
        return Math.max(1, (int) Math.round(fraction * numItems));
    }

    /** Dense flags {@code [N+1]}: true for a cold item. */
    public boolean[] mask() {
        boolean[] m = new boolean[numItems + 1];
        for (int i : items) {
            m[i] = true;
        }
        return m;
    }

    /** Whether {@code item} is cold. */
    public boolean isCold(int item) {
        return Arrays.binarySearch(items, item) >= 0;
    }

    /**
     * Sets the cold items' rows of the item id embedding to zero: they were never trained (a cold
     * item is in no sequence), so their rows hold their random initialisation, or what sampled
     * negatives pushed into them; zero leaves a content model's vector to the item's content and
     * gives an ids-only model no opinion. Returns whether anything changed (false for a model
     * without item ids).
     */
    public boolean zeroIdRows(dev.recsys.api.model.Weights w) {
        String name = dev.recsys.api.model.ParamLayout.ITEM_EMBEDDING;
        if (!w.contains(name)) {
            return false;
        }
        dev.recsys.api.model.Weights.Tensor t = w.get(name);
        if (t.shape()[0] != numItems + 1) {
            throw new IllegalArgumentException(
                    name + " has " + t.shape()[0] + " rows, expected numItems + 1 = " + (numItems + 1));
        }
        int d = t.shape()[1];
        boolean changed = false;
        for (int i : items) {
            for (int j = i * d; j < (i + 1) * d; j++) {
                changed |= t.data()[j] != 0f;
                t.data()[j] = 0f;
            }
        }
        return changed;
    }

    /** A short fingerprint of the cold list (rule, seed and ids), saved with every result. */
    public String fingerprint() {
        return dev.recsys.api.io.Provenance.fingerprint(
                items, new int[] {numItems}, new int[] {(int) seed, (int) (seed >>> 32)});
    }

    /**
     * The split of the protocol: training sequences without any cold item; targets as they were
     * (a cold target stays a target). Histories never hold a cold item: for test, a cold
     * validation item is not appended, so the test split has that user's validation entry empty.
     */
    public ColdStartSplit apply(Split s) {
        if (s.numItems() != numItems) {
            throw new IllegalArgumentException(
                    "cold items were chosen for " + numItems + " items, the split has " + s.numItems());
        }
        boolean[] cold = mask();
        int[][] train = new int[s.numUsers() + 1][];
        int[][] events = s.trainEvents() == null ? null : new int[s.numUsers() + 1][];
        float[][] ratings = s.trainRatings() == null ? null : new float[s.numUsers() + 1][];
        train[0] = new int[0];
        for (int u = 1; u <= s.numUsers(); u++) {
            int[] t = s.train()[u];
            List<Integer> keep = new ArrayList<>(t.length);
            for (int j = 0; j < t.length; j++) {
                if (!cold[t[j]]) {
                    keep.add(j);
                }
            }
            train[u] = new int[keep.size()];
            if (events != null) {
                events[u] = new int[keep.size()];
            }
            if (ratings != null) {
                ratings[u] = new float[keep.size()];
            }
            for (int q = 0; q < keep.size(); q++) {
                int j = keep.get(q);
                train[u][q] = t[j];
                if (events != null) {
                    events[u][q] = s.trainEvents()[u] == null ? 0 : s.trainEvents()[u][j];
                }
                if (ratings != null) {
                    ratings[u][q] = s.trainRatings()[u] == null ? 0f : s.trainRatings()[u][j];
                }
            }
        }
        String name = s.name() + "+cold(" + rule + ")";
        Split validation = new Split(
                name,
                s.dataset(),
                s.numUsers(),
                s.numItems(),
                train,
                events,
                ratings,
                s.validation(),
                s.validationEvent(),
                s.test(),
                s.testEvent());
        int[] valForTest = s.validation().clone();
        for (int u = 1; u <= s.numUsers(); u++) {
            if (cold[valForTest[u]] && valForTest[u] != 0) {
                valForTest[u] = 0;
            }
        }
        Split test = new Split(
                name,
                s.dataset(),
                s.numUsers(),
                s.numItems(),
                train,
                events,
                ratings,
                valForTest,
                s.validationEvent(),
                s.test(),
                s.testEvent());
        return new ColdStartSplit(validation, test, this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColdItems c
                && c.numItems == numItems
                && c.seed == seed
                && c.rule.equals(rule)
                && Arrays.equals(c.items, items);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(items) + rule.hashCode();
    }

    @Override
    public String toString() {
        return "ColdItems[" + rule + ", " + items.length + " of " + numItems + " items, seed " + seed + "]";
    }
}
