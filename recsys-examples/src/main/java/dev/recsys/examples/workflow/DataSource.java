package dev.recsys.examples.workflow;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DelimitedReader;
import dev.recsys.eval.data.MovieLens;
import dev.recsys.eval.data.PreparedReader;
import dev.recsys.eval.data.Sasrec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves the command line's {@code --data FORMAT:PATH} into a {@link Dataset}. Formats:
 * {@code ml-100k}, {@code ml-1m}, {@code ml-10m}, {@code ml-20m}, {@code ml-25m}, {@code ml-latest}
 * (a folder, or for ml-1m also a ratings file), {@code sasrec} (the SASRec {@code user item} file;
 * content through {@code --item-map} and {@code --movies}), {@code csv} (a delimited file with a
 * header naming {@code user}, {@code item} and optionally {@code rating}, {@code timestamp},
 * {@code event}), {@code prepared} (a folder written by {@code recsys spark prepare}), and {@code synthetic} (optionally {@code synthetic:users=…,items=…,seed=…}).
 */
public final class DataSource {
    public static final List<String> FORMATS = List.of(
            "ml-100k", "ml-1m", "ml-10m", "ml-20m", "ml-25m", "ml-latest", "sasrec", "csv", "prepared", "synthetic");

    /** {@code --item-map identity}: the sasrec item ids are the ids of the movies file. */
    public static final String IDENTITY = "identity";

    private DataSource() {}

    public static Dataset load(String spec, Path itemMap, Path movies) {
        if (spec == null || spec.isBlank()) {
            throw new DataException("--data is required: FORMAT:PATH with FORMAT one of " + FORMATS + ", or synthetic");
        }
        String s = spec.trim();
        int colon = s.indexOf(':');
        String format = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? "" : s.substring(colon + 1);
        if (!FORMATS.contains(format)) {
            throw new DataException("unknown data format '" + format + "' in --data " + spec + "; known: " + FORMATS);
        }
        if (format.equals("synthetic")) {
            return Synthetic.generate(options(rest, spec));
        }
        if (rest.isEmpty()) {
            throw new DataException("--data " + spec + " needs a path: " + format + ":PATH");
        }
        Path p = Path.of(rest);
        if (!Files.exists(p)) {
            throw new DataException("data not found: " + p + " (from --data " + spec + ")");
        }
        if ((itemMap != null || movies != null) && !format.equals("sasrec")) {
            throw new DataException("--item-map and --movies only apply to --data sasrec:PATH");
        }
        boolean identity = itemMap != null && itemMap.toString().equals(IDENTITY);
        if (format.equals("sasrec") && movies != null && itemMap == null) {
            throw new DataException("--movies with sasrec data needs --item-map FILE (lines 'sasrec_id movie_id', e.g. "
                    + "sas_to_original_items.txt), or --item-map " + IDENTITY
                    + " when the sasrec item ids are the movies' ids");
        }
        if (identity && movies == null) {
            throw new DataException("--item-map " + IDENTITY + " only applies with --movies");
        }
        try {
            return switch (format) {
                case "ml-100k" -> MovieLens.read100k(p);
                case "ml-1m" -> Files.isDirectory(p) ? MovieLens.read1m(p) : MovieLens.read1m(p, siblingMovies(p));
                case "ml-10m" -> MovieLens.read10m(p);
                case "ml-20m", "ml-25m", "ml-latest" -> MovieLens.read20m(p).withName(format);
                case "sasrec" -> {
                    if (itemMap != null && !identity && !Files.isRegularFile(itemMap)) {
                        throw new DataException("--item-map file not found: " + itemMap);
                    }
                    if (movies != null && !Files.isRegularFile(movies)) {
                        throw new DataException("--movies file not found: " + movies);
                    }
                    yield Sasrec.read(p, identity ? null : itemMap, movies);
                }
                case "csv" -> csv(p);
                case "prepared" -> PreparedReader.read(p);
                default -> throw new IllegalStateException(format);
            };
        } catch (NoSuchFileException e) {
            throw new DataException("file not found: " + e.getFile() + " (reading --data " + spec + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static Path siblingMovies(Path ratings) {
        Path m = ratings.resolveSibling("movies.dat");
        return Files.exists(m) ? m : null;
    }

    private static Dataset csv(Path p) throws IOException {
        return DelimitedReader.namedColumns(p)
                .name(p.getFileName().toString())
                .build()
                .read(p);
    }

    /** {@code users=100,items=50,seed=3} to a map; unknown keys are checked by the generator. */
    static Map<String, String> options(String rest, String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        if (rest.isBlank()) {
            return m;
        }
        for (String kv : rest.split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new DataException("--data " + spec + ": options must look like key=value, found '" + kv + "'");
            }
            m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return m;
    }
}
