package dev.recsys.eval.data;

import dev.recsys.api.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the MovieLens releases keep their ratings and movies, and how the ratings lines are cut,
 * for readers other than {@link MovieLens} (the Spark preparation reads the ratings in parallel and
 * the movies here, through {@link MovieLens}'s own parsers).
 *
 * @param ratings   the ratings file
 * @param delimiter its field separator ({@code \t}, {@code ::} or {@code ,})
 * @param header    whether its first line is a header
 * @param movies    the movies file, or null when the folder has none
 * @param format    the release, one of {@link #FORMATS}
 */
public record MovieLensFiles(Path ratings, String delimiter, boolean header, Path movies, String format) {
    /** The releases known here. */
    public static final List<String> FORMATS = List.of("ml-100k", "ml-1m", "ml-10m", "ml-20m", "ml-25m", "ml-latest");

    /**
     * The files of release {@code format} in folder {@code dir}. Every ratings file holds
     * {@code user, item, rating, timestamp} in this order, with numeric ids.
     */
    public static MovieLensFiles of(String format, Path dir) {
        DataPaths.requireFolder(dir, "the " + format + " folder");
        return switch (format) {
            case "ml-100k" ->
                new MovieLensFiles(
                        DataPaths.requireFile(dir.resolve("u.data"), "the ML-100k ratings file u.data"),
                        "\t",
                        false,
                        existing(dir.resolve("u.item")),
                        format);
            case "ml-1m", "ml-10m" ->
                new MovieLensFiles(
                        DataPaths.requireFile(
                                dir.resolve("ratings.dat"), "the " + format + " ratings file ratings.dat"),
                        "::",
                        false,
                        existing(dir.resolve("movies.dat")),
                        format);
            case "ml-20m", "ml-25m", "ml-latest" ->
                new MovieLensFiles(
                        DataPaths.requireFile(dir.resolve("ratings.csv"), "the MovieLens ratings file ratings.csv"),
                        ",",
                        true,
                        existing(dir.resolve("movies.csv")),
                        format);
            default -> throw new DataException("unknown MovieLens release '" + format + "'; known: " + FORMATS);
        };
    }

    /**
     * The movies' metadata for a catalogue whose dense item i has the MovieLens id
     * {@code movieIds[i - 1]}; null when the folder has no movies file.
     */
    public ItemMeta meta(long[] movieIds) throws IOException {
        if (movies == null) {
            return null;
        }
        MetaTable table = switch (format) {
            case "ml-100k" -> MovieLens.readUItem(movies, MovieLens.readGenreNames(movies.resolveSibling("u.genre")));
            case "ml-1m", "ml-10m" -> MovieLens.readMoviesDat(movies);
            default -> MovieLens.readMoviesCsv(movies);
        };
        return table.attach(movieIds.length, i -> movieIds[i - 1]);
    }

    private static Path existing(Path p) {
        return Files.exists(p) ? p : null;
    }
}
