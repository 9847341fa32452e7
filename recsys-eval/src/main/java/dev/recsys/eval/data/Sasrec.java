package dev.recsys.eval.data;

import dev.recsys.api.DataException;
import dev.recsys.api.data.IdMap;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reader for SASRec's preprocessed sequence files ({@code data/ml-1m.txt} of kang205/SASRec): one
 * {@code user item} pair per line, space separated, each user's items in time order. The file's ids
 * are already dense, so they are kept as they are: dense user id = file user id, dense item id = file
 * item id, N = the largest item id (published SASRec numbers use exactly this numbering).
 *
 * <p>Item content: an optional item-id map ({@code sas_id original_id} per line, e.g.
 * {@code sas_to_original_items.txt}) and an optional movies file ({@code movies.dat} of ML-1M, or a
 * {@code movies.csv}) attach titles, years and genres. Without a map, file item ids are taken to be
 * the movies file's ids.
 */
public final class Sasrec {
    private static final Logger LOG = LoggerFactory.getLogger(Sasrec.class);

    private Sasrec() {}

    /**
     * Reads a SASRec sequence file.
     *
     * @param txt     the {@code user item} file
     * @param itemMap {@code sas_id original_id} lines, or null
     * @param movies  {@code movies.dat} or {@code movies.csv}, or null
     */
    public static Dataset read(Path txt, Path itemMap, Path movies) throws IOException {
        DataPaths.requireFile(txt, "a SASRec sequence file (one 'user item' pair per line)");
        long t0 = System.nanoTime();
        int[] us = new int[1 << 20];
        int[] is = new int[1 << 20];
        int n = 0;
        int maxUser = 0;
        int maxItem = 0;
        try (InputStream in = Files.newInputStream(txt);
                LineScanner s = new LineScanner(in, txt.toString(), StandardCharsets.UTF_8)) {
            while (s.next()) {
                if (s.splitWhitespace() == 0) {
                    continue;
                }
                if (s.fieldCount() != 2) {
                    throw s.error("expected 'user item' (2 fields), found " + s.fieldCount() + " fields");
                }
                int u = s.intField(0, "user id");
                int i = s.intField(1, "item id");
                if (u <= 0 || i <= 0) {
                    throw s.error("SASRec ids start at 1, found user " + u + ", item " + i);
                }
                if (n == us.length) {
                    us = Arrays.copyOf(us, n * 2);
                    is = Arrays.copyOf(is, n * 2);
                }
                us[n] = u;
                is[n] = i;
                n++;
                maxUser = Math.max(maxUser, u);
                maxItem = Math.max(maxItem, i);
            }
        }
        if (n == 0) {
            throw new DataException(txt + ": no interactions");
        }
        DatasetBuilder b = new DatasetBuilder(IdMap.identity(maxUser), IdMap.identity(maxItem), false, false, false);
        for (int k = 0; k < n; k++) {
            b.add(us[k], is[k], 0f, 0L, 0);
        }
        ItemMeta meta = null;
        if (movies != null) {
            meta = itemMeta(maxItem, itemMap, movies);
        } else if (itemMap != null) {
            LOG.warn("an item map was given without a movies file; ignoring {}", itemMap);
        }
        Dataset d = b.build(name(txt), meta);
        LOG.info("read {} in {} ms", d, (System.nanoTime() - t0) / 1_000_000);
        return d;
    }

    /** The data set's name: {@code sasrec-} and the file's name without {@code .txt}. */
    public static String name(Path txt) {
        String fileName = txt.getFileName().toString();
        return "sasrec-" + (fileName.endsWith(".txt") ? fileName.substring(0, fileName.length() - 4) : fileName);
    }

    /**
     * The titles, years and genres of items 1..numItems (the sequence file's item ids) from the
     * movies file, through the item-id map when one is given (else the ids are the movies' ids).
     */
    public static ItemMeta itemMeta(int numItems, Path itemMap, Path movies) throws IOException {
        long[] original = new long[numItems + 1];
        if (itemMap != null) {
            Arrays.fill(original, -1);
            try (LineScanner s = new LineScanner(itemMap, StandardCharsets.UTF_8)) {
                while (s.next()) {
                    if (s.splitWhitespace() == 0) {
                        continue;
                    }
                    s.requireFields(2, "sas_id original_id");
                    int sas = s.intField(0, "SASRec item id");
                    long orig = s.longField(1, "original item id");
                    if (sas < 1 || sas > numItems) {
                        throw s.error("SASRec item id must be in 1.." + numItems
                                + " (the sequence file's items), found " + sas);
                    }
                    if (original[sas] >= 0) {
                        throw s.error("SASRec item id " + sas + " is mapped twice");
                    }
                    original[sas] = orig;
                }
            }
        } else {
            for (int i = 1; i <= numItems; i++) {
                original[i] = i;
            }
        }
        boolean csv = movies.getFileName().toString().endsWith(".csv");
        MetaTable t = csv ? MovieLens.readMoviesCsv(movies) : MovieLens.readMoviesDat(movies);
        ItemMeta meta = t.attach(numItems, i -> original[i]);
        if (t.lastMatched < numItems) {
            LOG.warn("{} of {} SASRec items have no title/genres in {}", numItems - t.lastMatched, numItems, movies);
        }
        return meta;
    }
}
