package dev.recsys.eval.data;

import dev.recsys.api.DataException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readers for the GroupLens MovieLens releases. Interactions are streamed into primitive arrays
 * ({@link DatasetBuilder}); users and items get dense ids in order of first appearance; each user's
 * history is sorted by timestamp, ties kept in file order. Item metadata (title without year, year,
 * genres) is attached for items that have ratings.
 *
 * <ul>
 *   <li>ML-100k: {@code u.data} ({@code user TAB item TAB rating TAB timestamp}) and {@code u.item}
 *       (ISO-8859-1, {@code id|title|release date|video date|url|19 genre flags}, genre names from
 *       {@code u.genre}; the "unknown" flag is not a genre).</li>
 *   <li>ML-1M / ML-10M: {@code ratings.dat} ({@code user::item::rating::timestamp}) and
 *       {@code movies.dat} (ISO-8859-1 in ML-1M, {@code id::Title (year)::G1|G2}).</li>
 *   <li>ML-20M / ML-25M / ml-latest: {@code ratings.csv} and {@code movies.csv} (UTF-8, header
 *       line, RFC 4180 quoting for titles with commas).</li>
 * </ul>
 * Files declared ISO-8859-1 are checked with {@link TextEncoding#latin1OrUtf8(Path)}; UTF-8 files
 * are decoded strictly, so a wrongly encoded byte fails with file and line.
 */
public final class MovieLens {
    private static final Logger LOG = LoggerFactory.getLogger(MovieLens.class);
    private static final byte[] COLONS = {':', ':'};
    private static final byte[] PIPE = {'|'};
    private static final byte[] COMMA = {','};
    /** The 19 ML-100k genre flags, in u.item column order (used when u.genre is absent). */
    public static final List<String> ML100K_GENRES = List.of(
            "unknown",
            "Action",
            "Adventure",
            "Animation",
            "Children's",
            "Comedy",
            "Crime",
            "Documentary",
            "Drama",
            "Fantasy",
            "Film-Noir",
            "Horror",
            "Musical",
            "Mystery",
            "Romance",
            "Sci-Fi",
            "Thriller",
            "War",
            "Western");

    private MovieLens() {}

    /** Reads ML-100k from a folder holding {@code u.data} and (optionally) {@code u.item}. */
    public static Dataset read100k(Path dir) throws IOException {
        DataPaths.requireFolder(dir, "the ML-100k folder (holding u.data)");
        Path data = DataPaths.requireFile(dir.resolve("u.data"), "the ML-100k ratings file u.data");
        long t0 = System.nanoTime();
        DatasetBuilder b = DatasetBuilder.numeric(true, true);
        try (LineScanner s = new LineScanner(data, StandardCharsets.UTF_8)) {
            while (s.next()) {
                if (s.isBlank()) {
                    continue;
                }
                s.split((byte) '\t');
                s.requireFields(4, "user TAB item TAB rating TAB timestamp");
                addRating(b, s);
            }
        }
        ItemMeta meta = null;
        Path item = dir.resolve("u.item");
        if (Files.exists(item)) {
            List<String> genres = readGenreNames(dir.resolve("u.genre"));
            MetaTable table = readUItem(item, genres);
            meta = attach(table, b, item);
        }
        Dataset d = b.build("ml-100k", meta);
        LOG.info("read {} in {} ms", d, (System.nanoTime() - t0) / 1_000_000);
        return d;
    }

    /** Reads ML-1M from a folder holding {@code ratings.dat} and (optionally) {@code movies.dat}. */
    public static Dataset read1m(Path dir) throws IOException {
        return readDat(dir, "ml-1m");
    }

    /**
     * Reads ML-1M-format files given explicitly, e.g. a partial ratings file such as
     * {@code ratings.partial-users-0001-2999.dat}. {@code movies} may be null.
     */
    public static Dataset read1m(Path ratings, Path movies) throws IOException {
        String name = "ml-1m";
        String file = ratings.getFileName().toString();
        if (!file.equals("ratings.dat")) {
            name = "ml-1m:" + file;
        }
        return readDat(ratings, movies, name);
    }

    /** Reads ML-10M (folder {@code ml-10M100K}: {@code ratings.dat}, {@code movies.dat}). */
    public static Dataset read10m(Path dir) throws IOException {
        return readDat(dir, "ml-10m");
    }

    /** Reads ML-20M, ML-25M or ml-latest(-small): {@code ratings.csv} and (optionally) {@code movies.csv}. */
    public static Dataset read20m(Path dir) throws IOException {
        DataPaths.requireFolder(dir, "a MovieLens folder (holding ratings.csv)");
        Path ratings = DataPaths.requireFile(dir.resolve("ratings.csv"), "the MovieLens ratings file ratings.csv");
        Path movies = dir.resolve("movies.csv");
        String name = dir.toAbsolutePath().normalize().getFileName() == null
                ? "movielens"
                : dir.toAbsolutePath().normalize().getFileName().toString();
        return readCsv(ratings, Files.exists(movies) ? movies : null, name);
    }

    /** Reads a {@code ratings.csv} ({@code userId,movieId,rating,timestamp} with header) and optional {@code movies.csv}. */
    public static Dataset readCsv(Path ratings, Path movies, String name) throws IOException {
        DataPaths.requireFile(ratings, "a MovieLens ratings file (userId,movieId,rating,timestamp)");
        long t0 = System.nanoTime();
        DatasetBuilder b = DatasetBuilder.numeric(true, true);
        try (LineScanner s = new LineScanner(ratings, StandardCharsets.UTF_8)) {
            boolean first = true;
            while (s.next()) {
                if (s.isBlank()) {
                    continue;
                }
                s.split(COMMA, false);
                if (first) {
                    first = false;
                    if (!s.isInteger(0)) {
                        continue; // header
                    }
                }
                s.requireFields(4, "userId,movieId,rating,timestamp");
                addRating(b, s);
            }
        }
        ItemMeta meta = null;
        if (movies != null) {
            meta = attach(readMoviesCsv(movies), b, movies);
        }
        Dataset d = b.build(name, meta);
        LOG.info("read {} in {} ms", d, (System.nanoTime() - t0) / 1_000_000);
        return d;
    }

    private static Dataset readDat(Path dir, String name) throws IOException {
        DataPaths.requireFolder(dir, "the " + name + " folder (holding ratings.dat)");
        Path ratings = dir.resolve("ratings.dat");
        if (!Files.exists(ratings)) {
            List<String> partial = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "ratings*.dat")) {
                ds.forEach(p -> partial.add(p.getFileName().toString()));
            }
            throw new DataException(ratings + " not found; expected the " + name + " folder to hold ratings.dat"
                    + (partial.isEmpty()
                            ? ""
                            : "; the folder holds " + partial
                                    + ": to read such a file, pass it explicitly with MovieLens.read1m(ratingsFile, moviesFile)"
                                    + " (a partial file is not the full dataset)"));
        }
        Path movies = dir.resolve("movies.dat");
        return readDat(ratings, Files.exists(movies) ? movies : null, name);
    }

    private static Dataset readDat(Path ratings, Path movies, String name) throws IOException {
        DataPaths.requireFile(ratings, "a MovieLens ratings file (UserID::MovieID::Rating::Timestamp)");
        long t0 = System.nanoTime();
        DatasetBuilder b = DatasetBuilder.numeric(true, true);
        try (LineScanner s = new LineScanner(ratings, StandardCharsets.UTF_8)) {
            while (s.next()) {
                if (s.isBlank()) {
                    continue;
                }
                s.split(COLONS, false);
                s.requireFields(4, "UserID::MovieID::Rating::Timestamp");
                addRating(b, s);
            }
        }
        ItemMeta meta = null;
        if (movies != null) {
            meta = attach(readMoviesDat(movies), b, movies);
        }
        Dataset d = b.build(name, meta);
        LOG.info("read {} in {} ms", d, (System.nanoTime() - t0) / 1_000_000);
        return d;
    }

    private static void addRating(DatasetBuilder b, LineScanner s) {
        long user = s.longField(0, "user id");
        long item = s.longField(1, "item id");
        float rating = s.floatField(2, "rating");
        long ts = s.longField(3, "timestamp");
        b.add(b.userIds().add(user), b.itemIds().add(item), rating, ts, 0);
    }

    private static ItemMeta attach(MetaTable table, DatasetBuilder b, Path file) {
        ItemMeta m = table.attach(b.itemIds().size(), i -> b.itemIds().externalLong(i));
        int missing = b.itemIds().size() - table.lastMatched;
        if (missing > 0) {
            LOG.warn(
                    "{}: {} of {} rated items have no metadata",
                    file,
                    missing,
                    b.itemIds().size());
        }
        return m;
    }

    /** Reads {@code movies.dat} ({@code id::Title (year)::G1|G2}), checking its encoding. */
    static MetaTable readMoviesDat(Path movies) throws IOException {
        return readMovies(movies, false);
    }

    /** Reads {@code movies.csv} ({@code movieId,title,genres} with header, UTF-8, quoted titles). */
    static MetaTable readMoviesCsv(Path movies) throws IOException {
        return readMovies(movies, true);
    }

    /** A movies file in the {@code movies.csv} or the {@code movies.dat} layout ({@link ItemFile}). */
    private static MetaTable readMovies(Path movies, boolean csv) throws IOException {
        MetaTable t = new MetaTable();
        ItemFile.scan(
                movies,
                csv,
                false,
                (s, c) -> t.put(
                        s.longField(c.id(), "movie id"),
                        s.stringField(c.title(), "title"),
                        splitGenres(s.stringField(c.genres(s), "genres")),
                        0));
        return t;
    }

    /** Reads ML-100k {@code u.item}: genre flags in columns 6..24, release date "01-Jan-1995" as year fallback. */
    static MetaTable readUItem(Path item, List<String> genreNames) throws IOException {
        Charset cs = TextEncoding.latin1OrUtf8(item);
        MetaTable t = new MetaTable();
        try (LineScanner s = new LineScanner(item, cs)) {
            while (s.next()) {
                if (s.isBlank()) {
                    continue;
                }
                s.split(PIPE, false);
                s.requireFields(
                        5 + genreNames.size(),
                        "id|title|release date|video release date|url|" + genreNames.size() + " genre flags");
                long id = s.longField(0, "movie id");
                String title = s.stringField(1, "title");
                String date = s.stringField(2, "release date");
                int year = 0;
                if (date.length() >= 4
                        && date.substring(date.length() - 4).chars().allMatch(Character::isDigit)) {
                    year = Integer.parseInt(date.substring(date.length() - 4));
                }
                List<String> g = new ArrayList<>();
                for (int k = 0; k < genreNames.size(); k++) {
                    int flag = s.intField(5 + k, "genre flag " + genreNames.get(k));
                    if (flag != 0 && flag != 1) {
                        throw s.error("genre flag " + genreNames.get(k) + " must be 0 or 1, found " + flag);
                    }
                    if (flag == 1 && !genreNames.get(k).equals("unknown")) {
                        g.add(genreNames.get(k));
                    }
                }
                t.put(id, "unknown".equals(title) ? null : title, g.toArray(new String[0]), year);
            }
        }
        return t;
    }

    static List<String> readGenreNames(Path genreFile) throws IOException {
        if (!Files.exists(genreFile)) {
            return ML100K_GENRES;
        }
        List<String> names = new ArrayList<>();
        try (LineScanner s = new LineScanner(genreFile, StandardCharsets.ISO_8859_1)) {
            while (s.next()) {
                if (s.isBlank()) {
                    continue;
                }
                s.split(PIPE, false);
                s.requireFields(2, "name|index");
                int idx = s.intField(1, "genre index");
                if (idx != names.size()) {
                    throw s.error("genre index must be " + names.size() + " (in order), found " + idx);
                }
                names.add(s.stringField(0, "genre name"));
            }
        }
        return names;
    }

    static String[] splitGenres(String g) {
        if (g == null || g.isBlank() || g.equals("(no genres listed)")) {
            return new String[0];
        }
        String[] parts = g.split("\\|");
        List<String> out = new ArrayList<>(parts.length);
        for (String p : parts) {
            if (!p.isBlank()) {
                out.add(p.strip());
            }
        }
        return out.toArray(new String[0]);
    }
}
