package dev.recsys.eval.data;

import dev.recsys.api.DataException;
import dev.recsys.api.data.NewItem;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Item files: catalogue entries with their content, in the formats the readers of item metadata
 * take, so that items can be added to a trained model in the form its training data had.
 *
 * <ul>
 *   <li>{@code .dat} (ML-1M {@code movies.dat}): {@code id::Title (year)::Genre|Genre}, ISO-8859-1
 *       (a UTF-8 copy is recognised, {@link TextEncoding#latin1OrUtf8});</li>
 *   <li>{@code .csv} (UTF-8, RFC 4180 quoting): either MovieLens {@code movies.csv}
 *       ({@code movieId,title,genres}, header optional), or any header naming an id column
 *       ({@code id}, {@code item}, {@code itemId}, {@code item_id} or {@code movieId}), a
 *       {@code title} column and optionally {@code genres} ({@code |}-separated) and {@code year}.
 *       A header line is one whose first field is not an integer.</li>
 * </ul>
 * Titles may end with "(year)" ({@link Titles}); a {@code year} column wins over it when both are
 * given. Blank lines are skipped. A malformed line, an empty id, an id given twice or (for
 * {@link #read}) a column the model cannot read fails with the file and the line.
 */
public final class ItemFile {
    private static final byte[] COLONS = {':', ':'};
    private static final byte[] COMMA = {','};
    private static final List<String> ID_COLUMNS = List.of("id", "item", "itemid", "item_id", "movieid");

    private ItemFile() {}

    /**
     * One item of a file.
     *
     * @param id     external id, as written (trimmed)
     * @param title  title without a trailing "(year)"; may be empty
     * @param genres genre names (never null)
     * @param year   release year, 0 when unknown
     * @param source {@code file:line}, for messages
     */
    public record Entry(String id, String title, String[] genres, int year, String source) {
        public Entry {
            genres = genres == null ? new String[0] : genres.clone();
        }

        /** The item with its content tokens made by the training rules ({@link ContentBuilder#itemTokens}). */
        public NewItem toNewItem() {
            return new NewItem(id, ContentBuilder.itemTokens(title, genres, year), source);
        }

        /** {@code Title (year)}, or the title alone when the year is unknown. */
        public String displayTitle() {
            return year > 0 ? title + " (" + year + ")" : title;
        }
    }

    /** Reads every item of {@code file} ({@code .csv} or else the {@code .dat} format). */
    public static List<Entry> read(Path file) throws IOException {
        DataPaths.requireFile(
                file,
                "an items file (movies.dat lines 'id::Title (year)::Genre|Genre', or a .csv with id,title[,genres][,year])");
        List<Entry> out = new ArrayList<>();
        Map<String, Long> seen = new HashMap<>();
        boolean csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
        scan(file, csv, true, (s, c) -> {
            String id = s.stringField(c.id(), "item id").strip();
            if (id.isEmpty()) {
                throw s.error("the item id (field " + (c.id() + 1) + ") is empty");
            }
            Long first = seen.putIfAbsent(id, s.lineNumber());
            if (first != null) {
                throw s.error("item id '" + id + "' is given twice (first on line " + first + ")");
            }
            Titles.TitleYear ty = Titles.split(s.stringField(c.title(), "title"));
            String[] genres =
                    c.genres(s) >= 0 ? MovieLens.splitGenres(s.stringField(c.genres(s), "genres")) : new String[0];
            int year = ty.year();
            if (c.year() >= 0 && !s.stringField(c.year(), "year").isBlank()) {
                year = s.intField(c.year(), "year");
                if (year < 0) {
                    throw s.error("year must be >= 0, found " + year);
                }
            }
            out.add(new Entry(id, ty.title() == null ? "" : ty.title(), genres, year, s.file() + ":" + s.lineNumber()));
        });
        if (out.isEmpty()) {
            throw new DataException(file + ": no items (an items file has one item per line)");
        }
        return out;
    }

    /** Reads {@code file} and makes every entry a {@link NewItem} (content tokens by the training rules). */
    public static List<NewItem> readNewItems(Path file) throws IOException {
        return read(file).stream().map(Entry::toNewItem).toList();
    }

    /** Column positions of an item line. {@code genres == LAST} means the last field (movies.dat). */
    record Columns(int id, int title, int genres, int year, int required, String format) {
        static final int LAST = Integer.MIN_VALUE;

        int genres(LineScanner s) {
            return genres == LAST ? s.fieldCount() - 1 : genres;
        }
    }

    private static final Columns DAT = new Columns(0, 1, Columns.LAST, -1, 3, "MovieID::Title::Genres");
    private static final Columns MOVIES_CSV = new Columns(0, 1, 2, -1, 3, "movieId,title,genres");

    /** Receives each item line, split, with its columns. */
    @FunctionalInterface
    interface Row {
        void accept(LineScanner s, Columns c);
    }

    /**
     * Reads the item lines of a {@code .dat} or {@code .csv} item file (see the class comment) and
     * hands each to {@code row}, split and checked for its number of fields.
     *
     * @param csv    the CSV layouts (else {@code movies.dat})
     * @param strict refuse header columns that are not known (an item file for a model); the
     *               MovieLens readers ignore them
     */
    static void scan(Path file, boolean csv, boolean strict, Row row) throws IOException {
        Charset cs = csv ? StandardCharsets.UTF_8 : TextEncoding.latin1OrUtf8(file);
        try (LineScanner s = new LineScanner(file, cs)) {
            Columns cols = csv ? null : DAT;
            while (s.next()) {
                if (s.isBlank()) {
                    continue;
                }
                if (csv) {
                    s.split(COMMA, true);
                    if (cols == null) {
                        if (!s.isInteger(0)) {
                            cols = header(s, strict);
                            continue;
                        }
                        cols = MOVIES_CSV;
                    }
                } else {
                    s.split(COLONS, false);
                }
                s.requireFields(cols.required(), cols.format());
                row.accept(s, cols);
            }
        }
    }

    private static Columns header(LineScanner s, boolean strict) {
        int id = -1;
        int title = -1;
        int genres = -1;
        int year = -1;
        List<String> names = new ArrayList<>();
        for (int k = 0; k < s.fieldCount(); k++) {
            String n = s.stringField(k, "column name").strip();
            names.add(n);
            String low = n.toLowerCase(Locale.ROOT);
            if (ID_COLUMNS.contains(low) && id < 0) {
                id = k;
            } else if (low.equals("title") && title < 0) {
                title = k;
            } else if (low.equals("genres") && genres < 0) {
                genres = k;
            } else if (low.equals("year") && year < 0) {
                year = k;
            } else if (strict) {
                throw s.error("unknown column '" + n + "' in the header " + LineScanner.quote(s.lineText())
                        + "; an items file has an id column (id, item, itemId, item_id or movieId), title,"
                        + " and optionally genres and year");
            }
        }
        if (!strict) {
            return MOVIES_CSV; // the MovieLens readers take movieId,title,genres whatever the header says
        }
        if (id < 0 || title < 0) {
            throw s.error("the header must name an id column (id, item, itemId, item_id or movieId) and a title"
                    + " column, found " + names);
        }
        int required = Math.max(Math.max(id, title), Math.max(genres, year)) + 1;
        return new Columns(id, title, genres, year, required, String.join(",", names));
    }
}
