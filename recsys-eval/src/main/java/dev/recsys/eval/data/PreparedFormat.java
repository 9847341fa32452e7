package dev.recsys.eval.data;

import dev.recsys.api.DataException;
import dev.recsys.api.io.Json;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.TemporalSplit;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The on-disk format of a prepared data set (written by {@code recsys spark prepare}, read by
 * {@link PreparedReader} and by the Spark jobs), one folder:
 *
 * <pre>
 * DIR/prepared.json       the manifest ({@link Manifest}): sizes, columns, filters, split, statistics
 * DIR/items/part-*        one line per item:  dense TAB external TAB title TAB genre|genre TAB year
 * DIR/sequences/part-*    one line per user:  dense TAB external TAB items [TAB timestamps] [TAB ratings] [TAB events]
 * </pre>
 *
 * <p>Text is UTF-8, one record per line, fields separated by a tab; a list (items, timestamps,
 * ratings, event type ids) is its values separated by single spaces, in the user's time order.
 * Dense ids are 1..U and 1..N as in a {@link Dataset}: users and items are numbered in order of
 * their first appearance in the log, as the single-JVM readers do. External ids and titles escape
 * backslash, tab and line breaks as {@code \\}, {@code \t}, {@code \n}, {@code \r}; an empty title
 * is an unknown one and year 0 an unknown year. The shards ({@code part-*}) hold disjoint users (or
 * items) in any order; a reader may read them one at a time, so the raw log is never needed again.
 */
public final class PreparedFormat {
    /** The manifest's file name. */
    public static final String MANIFEST = "prepared.json";
    /** The folder of item lines. */
    public static final String ITEMS = "items";
    /** The folder of user sequence lines. */
    public static final String SEQUENCES = "sequences";
    /** The manifest's {@code format} value. */
    public static final String FORMAT = "recsys-prepared";
    /** The version this code writes and reads. */
    public static final int VERSION = 1;

    private PreparedFormat() {}

    /**
     * The manifest.
     *
     * @param format       always {@link #FORMAT}
     * @param version      always {@link #VERSION}
     * @param name         data set name
     * @param source       what it was prepared from, e.g. {@code csv:/data/log.csv}
     * @param userIdType   {@code long} or {@code string}: how external user ids compare
     * @param itemIdType   {@code long} or {@code string}
     * @param users        U
     * @param items        N
     * @param interactions interactions kept
     * @param timestamps   whether sequence lines carry timestamps
     * @param ratings      whether sequence lines carry ratings
     * @param eventTypes   event type names (dense ids 1..E in order), or null when there are none
     * @param filters      what was filtered out
     * @param split        the evaluation split the data was prepared for
     * @param badRows      unparsable rows that were skipped
     * @param stats        statistics as {@code recsys data stats} prints them
     */
    public record Manifest(
            String format,
            int version,
            String name,
            String source,
            String userIdType,
            String itemIdType,
            int users,
            int items,
            long interactions,
            boolean timestamps,
            boolean ratings,
            List<String> eventTypes,
            Filters filters,
            SplitSpec split,
            long badRows,
            DatasetStats stats)
            implements Serializable {
        public Manifest {
            if (!FORMAT.equals(format)) {
                throw new IllegalArgumentException("format must be " + FORMAT + ", found " + format);
            }
            if (version != VERSION) {
                throw new IllegalArgumentException("version " + version + " is not supported; this recsys reads "
                        + VERSION + " (prepare the data again with this version)");
            }
            if (users < 1 || items < 1) {
                throw new IllegalArgumentException("users and items must be >= 1, found " + users + ", " + items);
            }
            keyType(userIdType, "userIdType");
            keyType(itemIdType, "itemIdType");
            if (split == null) {
                throw new IllegalArgumentException("split must be given");
            }
        }

        /** Whether sequence lines carry event types. */
        public boolean events() {
            return eventTypes != null;
        }

        /** The split of {@code d} this manifest names. */
        public Split split(Dataset d) {
            return split.apply(d);
        }
    }

    /**
     * Filters applied before the ids were numbered.
     *
     * @param minRating  interactions rated below it were dropped (null: none)
     * @param minPerUser iterated k-core minimum per user (1: none)
     * @param minPerItem iterated k-core minimum per item (1: none)
     */
    public record Filters(Float minRating, int minPerUser, int minPerItem) implements Serializable {
        public Filters {
            if (minPerUser < 1 || minPerItem < 1) {
                throw new IllegalArgumentException(
                        "k-core minimums must be >= 1, found users " + minPerUser + ", items " + minPerItem);
            }
        }

        /** No filter. */
        public static Filters none() {
            return new Filters(null, 1, 1);
        }
    }

    /**
     * The evaluation split: {@code leave-one-out} (per user, by time) or {@code temporal} (global
     * cut-offs {@code t1 <= t2}, the quantiles of {@link TemporalSplit}).
     *
     * @param kind         {@link LeaveOneOut#NAME} or {@link TemporalSplit#NAME}
     * @param valFraction  temporal: share of interactions in the validation period
     * @param testFraction temporal: share in the test period
     * @param t1           temporal: first validation timestamp
     * @param t2           temporal: first test timestamp
     */
    public record SplitSpec(String kind, double valFraction, double testFraction, long t1, long t2)
            implements Serializable {
        public SplitSpec {
            if (!LeaveOneOut.NAME.equals(kind) && !TemporalSplit.NAME.equals(kind)) {
                throw new IllegalArgumentException(
                        "split kind must be " + LeaveOneOut.NAME + " or " + TemporalSplit.NAME + ", found " + kind);
            }
        }

        /** Leave-one-out. */
        public static SplitSpec leaveOneOut() {
            return new SplitSpec(LeaveOneOut.NAME, 0, 0, 0, 0);
        }

        /** Splits {@code d} (a whole data set, or the users of one shard). */
        public Split apply(Dataset d) {
            if (kind.equals(LeaveOneOut.NAME)) {
                return LeaveOneOut.split(d);
            }
            return TemporalSplit.split(d, t1, t2, name());
        }

        /** The split's name, as its {@link Split#name()}. */
        public String name() {
            return kind.equals(LeaveOneOut.NAME)
                    ? LeaveOneOut.NAME
                    : TemporalSplit.NAME + "(" + valFraction + "," + testFraction + ")";
        }
    }

    /**
     * One user's line.
     *
     * @param user       dense id
     * @param external   external id
     * @param items      dense item ids, time order
     * @param timestamps aligned timestamps, or null
     * @param ratings    aligned ratings, or null
     * @param events     aligned event type ids (1..E), or null
     */
    public record UserLine(int user, String external, int[] items, long[] timestamps, float[] ratings, int[] events) {
        /** The line (without a line break). */
        public String format() {
            StringBuilder sb = new StringBuilder(16 + items.length * 8);
            sb.append(user).append('\t').append(escape(external)).append('\t');
            join(sb, items.length, k -> sb.append(items[k]));
            if (timestamps != null) {
                sb.append('\t');
                join(sb, timestamps.length, k -> sb.append(timestamps[k]));
            }
            if (ratings != null) {
                sb.append('\t');
                join(sb, ratings.length, k -> sb.append(ratings[k]));
            }
            if (events != null) {
                sb.append('\t');
                join(sb, events.length, k -> sb.append(events[k]));
            }
            return sb.toString();
        }

        /**
         * Parses a line written by {@link #format()} for {@code m}'s columns; {@code where} names
         * the file and line for the error.
         */
        public static UserLine parse(String line, Manifest m, String where) {
            String[] f = line.split("\t", -1);
            int expected = 3 + (m.timestamps() ? 1 : 0) + (m.ratings() ? 1 : 0) + (m.events() ? 1 : 0);
            if (f.length != expected) {
                throw new DataException(where + ": expected " + expected + " tab-separated fields "
                        + "(user, external id, items" + (m.timestamps() ? ", timestamps" : "")
                        + (m.ratings() ? ", ratings" : "") + (m.events() ? ", events" : "") + "), found " + f.length);
            }
            try {
                int user = Integer.parseInt(f[0]);
                if (user < 1 || user > m.users()) {
                    throw new DataException(where + ": user " + user + " is outside 1.." + m.users());
                }
                int[] items = ints(f[2]);
                for (int it : items) {
                    if (it < 1 || it > m.items()) {
                        throw new DataException(where + ": item " + it + " is outside 1.." + m.items());
                    }
                }
                int c = 3;
                long[] ts = null;
                if (m.timestamps()) {
                    ts = longs(f[c++]);
                    checkAligned(ts.length, items.length, "timestamps", where);
                }
                float[] r = null;
                if (m.ratings()) {
                    r = floats(f[c++]);
                    checkAligned(r.length, items.length, "ratings", where);
                }
                int[] ev = null;
                if (m.events()) {
                    ev = ints(f[c]);
                    checkAligned(ev.length, items.length, "events", where);
                }
                return new UserLine(user, unescape(f[1]), items, ts, r, ev);
            } catch (NumberFormatException e) {
                throw new DataException(where + ": not a number: " + e.getMessage());
            }
        }
    }

    /**
     * One item's line.
     *
     * @param item     dense id
     * @param external external id
     * @param title    title, or null when unknown
     * @param genres   genre names (never null)
     * @param year     year, 0 when unknown
     */
    public record ItemLine(int item, String external, String title, String[] genres, int year) {
        /** The line (without a line break). */
        public String format() {
            return item + "\t" + escape(external) + "\t" + (title == null ? "" : escape(title)) + "\t"
                    + escape(String.join("|", genres)) + "\t" + year;
        }

        /** Parses a line written by {@link #format()}. */
        public static ItemLine parse(String line, int numItems, String where) {
            String[] f = line.split("\t", -1);
            if (f.length != 5) {
                throw new DataException(where + ": expected 5 tab-separated fields (item, external id, title, genres, "
                        + "year), found " + f.length);
            }
            try {
                int item = Integer.parseInt(f[0]);
                if (item < 1 || item > numItems) {
                    throw new DataException(where + ": item " + item + " is outside 1.." + numItems);
                }
                String g = unescape(f[3]);
                return new ItemLine(
                        item,
                        unescape(f[1]),
                        f[2].isEmpty() ? null : unescape(f[2]),
                        g.isEmpty() ? new String[0] : g.split("\\|"),
                        Integer.parseInt(f[4]));
            } catch (NumberFormatException e) {
                throw new DataException(where + ": not a number: " + e.getMessage());
            }
        }
    }

    /** Reads and checks {@code dir}'s manifest. */
    public static Manifest readManifest(Path dir) throws IOException {
        DataPaths.requireFolder(
                dir, "a prepared data folder (holding " + MANIFEST + ", written by recsys spark prepare)");
        Path f = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(f)) {
            throw new DataException(
                    dir + " holds no " + MANIFEST + "; expected a folder written by recsys spark prepare");
        }
        return parseManifest(Files.readString(f, StandardCharsets.UTF_8), f.toString());
    }

    /** Parses and checks a manifest's text; {@code where} names the file. */
    public static Manifest parseManifest(String json, String where) {
        try {
            return Json.read(json, Manifest.class, where);
        } catch (IllegalArgumentException e) {
            throw new DataException(e.getMessage());
        }
    }

    /** The manifest as JSON. */
    public static String toJson(Manifest m) {
        return Json.pretty(m) + "\n";
    }

    /** The key type of an external id type name. */
    public static dev.recsys.api.data.IdMap.KeyType keyType(String name, String field) {
        if ("long".equals(name)) {
            return dev.recsys.api.data.IdMap.KeyType.LONG;
        }
        if ("string".equals(name)) {
            return dev.recsys.api.data.IdMap.KeyType.STRING;
        }
        throw new IllegalArgumentException(field + " must be long or string, found " + name);
    }

    /** Escapes backslash, tab and line breaks. */
    public static String escape(String s) {
        if (s.indexOf('\\') < 0 && s.indexOf('\t') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Undoes {@link #escape}. */
    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(
                        switch (n) {
                            case 't' -> '\t';
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            default -> n;
                        });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static void checkAligned(int found, int expected, String what, String where) {
        if (found != expected) {
            throw new DataException(where + ": " + found + " " + what + " for " + expected + " items");
        }
    }

    private static void join(StringBuilder sb, int n, java.util.function.IntConsumer each) {
        for (int k = 0; k < n; k++) {
            if (k > 0) {
                sb.append(' ');
            }
            each.accept(k);
        }
    }

    private static String[] fields(String s) {
        return s.isEmpty() ? new String[0] : s.split(" ");
    }

    private static int[] ints(String s) {
        String[] f = fields(s);
        int[] v = new int[f.length];
        for (int k = 0; k < f.length; k++) {
            v[k] = Integer.parseInt(f[k]);
        }
        return v;
    }

    private static long[] longs(String s) {
        String[] f = fields(s);
        long[] v = new long[f.length];
        for (int k = 0; k < f.length; k++) {
            v[k] = Long.parseLong(f[k]);
        }
        return v;
    }

    private static float[] floats(String s) {
        String[] f = fields(s);
        float[] v = new float[f.length];
        for (int k = 0; k < f.length; k++) {
            v[k] = Float.parseFloat(f[k]);
        }
        return v;
    }
}
