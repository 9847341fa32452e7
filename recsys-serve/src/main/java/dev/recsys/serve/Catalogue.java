package dev.recsys.serve;

import dev.recsys.api.DataException;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.eval.data.Dataset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The items of a model as the API sees them: external id &harr; the model's dense id, titles, and
 * (with a data set) the users' histories translated into the model's dense ids. The data set is
 * matched to the model by external item id when the checkpoint saved its item ids, else by dense
 * id (then both must have the same number of items). Immutable; shared by request threads.
 */
final class Catalogue {
    private final List<String> ids;
    private final Map<String, Integer> dense;
    /** {@link #numericIndex} of the ids, or null: the dense id of every numeric id, read without hashing. */
    private final int[] byNumber;

    private final String[] titles;
    private final Dataset data;
    private final int[] dataToModel;

    private Catalogue(List<String> ids, Map<String, Integer> dense, String[] titles, Dataset data, int[] dataToModel) {
        this(ids, dense, numericIndex(ids), titles, data, dataToModel);
    }

    private Catalogue(
            List<String> ids,
            Map<String, Integer> dense,
            int[] byNumber,
            String[] titles,
            Dataset data,
            int[] dataToModel) {
        this.ids = ids;
        this.dense = dense;
        this.byNumber = byNumber;
        this.titles = titles;
        this.data = data;
        this.dataToModel = dataToModel;
    }

    /**
     * @param data the data set for users' histories and titles, or null
     * @throws DataException when the data set does not fit the model
     */
    static Catalogue of(CheckpointData cd, Dataset data) {
        int n = cd.config().numItems();
        List<String> ids = cd.itemIds();
        if (ids == null) {
            List<String> l = new ArrayList<>(n + 1);
            l.add("");
            for (int i = 1; i <= n; i++) {
                l.add(Integer.toString(i));
            }
            ids = List.copyOf(l);
        }
        Map<String, Integer> dense = new HashMap<>(2 * n);
        for (int i = 1; i <= n; i++) {
            dense.put(ids.get(i), i);
        }
        String[] titles = new String[n + 1];
        int[] dataToModel = null;
        if (data != null) {
            dataToModel = new int[data.numItems() + 1];
            if (cd.itemIds() != null) {
                int matched = 0;
                for (int d = 1; d <= data.numItems(); d++) {
                    Integer m = dense.get(data.itemIds().external(d));
                    dataToModel[d] = m == null ? 0 : m;
                    matched += m == null ? 0 : 1;
                }
                if (matched == 0) {
                    throw new DataException(
                            "data set " + data.name() + " shares no item id with the model's catalogue of " + n
                                    + " items: serve the model with the data it was trained on");
                }
            } else {
                if (data.numItems() != n) {
                    throw new DataException("the model has " + n + " items and no saved item ids, but data set "
                            + data.name() + " has " + data.numItems() + ": serve it with the data it was trained on");
                }
                for (int d = 1; d <= n; d++) {
                    dataToModel[d] = d;
                }
            }
            if (data.hasMeta()) {
                for (int d = 1; d <= data.numItems(); d++) {
                    if (dataToModel[d] > 0) {
                        titles[dataToModel[d]] = data.meta().title(d);
                    }
                }
            }
        }
        // a HashMap, not Map.copyOf: the immutable map's probe loop showed in the serving profile
        // (up to 200 lookups per request)
        return new Catalogue(ids, java.util.Collections.unmodifiableMap(dense), titles, data, dataToModel);
    }

    /**
     * This catalogue's titles carried over to {@code next} (a catalogue of the same model with items
     * added), with {@code titles} (dense id → title) set on top: the items added before keep theirs.
     */
    Catalogue withTitlesOf(Catalogue next, java.util.Map<Integer, String> titles) {
        String[] t = next.titles.clone();
        for (int i = 1; i < Math.min(this.titles.length, t.length); i++) {
            if (t[i] == null) {
                t[i] = this.titles[i];
            }
        }
        titles.forEach((item, title) -> t[item] = title);
        return new Catalogue(next.ids, next.dense, next.byNumber, t, next.data, next.dataToModel);
    }

    /** The largest number an id may have for {@link #numericIndex} (the table's size), given n items. */
    static int maxNumber(int n) {
        return Math.max(1 << 20, 64 * n);
    }

    /**
     * Dense id by number ({@code [max id + 1]}, 0 where none) when every id {@code ids[1..]} is a canonical
     * non-negative decimal ({@link #number}) of at most {@link #maxNumber}, else null. Reading the up to 200 ids
     * of a request through a {@code HashMap<String, Integer>} (hash, probe, equals) was 3 % of a scoring
     * worker's time under load (recsys-serve/README.md, stop 21).
     */
    static int[] numericIndex(List<String> ids) {
        int max = 0;
        for (int i = 1; i < ids.size(); i++) {
            int v = number(ids.get(i));
            if (v < 0 || v > maxNumber(ids.size())) {
                return null;
            }
            max = Math.max(max, v);
        }
        int[] t = new int[max + 1];
        for (int i = 1; i < ids.size(); i++) {
            t[number(ids.get(i))] = i;
        }
        return t;
    }

    /** The value of a canonical decimal ("0" or digits without a leading zero, at most 9), else -1. */
    static int number(String s) {
        int len = s.length();
        if (len == 0 || len > 9 || (len > 1 && s.charAt(0) == '0')) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    int numItems() {
        return ids.size() - 1;
    }

    /** The model's dense id of an external item id, 0 when unknown. */
    int item(String external) {
        if (byNumber != null) {
            // every id is a canonical number: a string that is not one is no id of this catalogue
            int v = number(external);
            return v >= 0 && v < byNumber.length ? byNumber[v] : 0;
        }
        Integer d = dense.get(external);
        return d == null ? 0 : d;
    }

    /** External id of a dense id. */
    String external(int item) {
        return ids.get(item);
    }

    /** Title of a dense id, or null. */
    String title(int item) {
        return titles[item];
    }

    boolean hasUsers() {
        return data != null;
    }

    String dataName() {
        return data == null ? null : data.name();
    }

    /**
     * A user's history in the model's dense ids (items the model does not know are left out),
     * with the aligned event types when the data set has them.
     *
     * @return null when the user is unknown
     */
    History history(String user) {
        int u = data.userIds().get(user);
        if (u <= 0) {
            return null;
        }
        int[] h = data.history(u);
        int[] ev = data.hasEvents() ? data.eventHistory(u) : null;
        int[] items = new int[h.length];
        int[] events = ev == null ? null : new int[h.length];
        int m = 0;
        for (int i = 0; i < h.length; i++) {
            int it = dataToModel[h[i]];
            if (it > 0) {
                if (events != null) {
                    events[m] = ev[i];
                }
                items[m++] = it;
            }
        }
        return new History(
                java.util.Arrays.copyOf(items, m), events == null ? null : java.util.Arrays.copyOf(events, m));
    }

    /** A history in dense ids with optional aligned event types. */
    record History(int[] items, int[] events) {}
}
