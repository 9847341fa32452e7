package dev.recsys.eval.download;

import java.net.URI;

/**
 * The official GroupLens MovieLens archives with the MD5 checksums GroupLens publishes next to them
 * ({@code <archive>.zip.md5} at files.grouplens.org). The ml-latest archives change over time and
 * have no fixed checksum, so they are not in this list; download them yourself and use
 * {@link dev.recsys.eval.data.MovieLens#read20m}.
 */
public enum MovieLensArchive {
    /** ML-100k: 100,000 ratings, 943 users, 1,682 movies. */
    ML_100K("ml-100k", "0e33842e24a9c977be4e0107933c0723", "ml-100k"),
    /** ML-1M: 1,000,209 ratings, 6,040 users, 3,706 rated movies. */
    ML_1M("ml-1m", "c4d9eecfca2ab87c1945afe126590906", "ml-1m"),
    /** ML-10M: 10,000,054 ratings, 69,878 users, 10,677 movies. */
    ML_10M("ml-10m", "ce571fd55effeba0271552578f2648bd", "ml-10M100K"),
    /** ML-20M: 20,000,263 ratings. */
    ML_20M("ml-20m", "cd245b17a1ae2cc31bb14903e1204af3", "ml-20m"),
    /** ML-25M: 25,000,095 ratings. */
    ML_25M("ml-25m", "6b51fb2759a8657d3bfcbfc42b592ada", "ml-25m");

    /** Base address of the GroupLens files. */
    public static final String BASE = "https://files.grouplens.org/datasets/movielens/";

    private final String id;
    private final String md5;
    private final String folder;

    MovieLensArchive(String id, String md5, String folder) {
        this.id = id;
        this.md5 = md5;
        this.folder = folder;
    }

    /** The spec at the official address. */
    public ArchiveSpec spec() {
        return new ArchiveSpec(id, URI.create(BASE + id + ".zip"), md5, folder);
    }

    /** The spec at another base address (a mirror), same checksum. */
    public ArchiveSpec spec(URI base) {
        String b = base.toString().endsWith("/") ? base.toString() : base + "/";
        return new ArchiveSpec(id, URI.create(b + id + ".zip"), md5, folder);
    }

    /** The archive named {@code id} (e.g. {@code ml-1m}). */
    public static MovieLensArchive byId(String id) {
        for (MovieLensArchive a : values()) {
            if (a.id.equals(id)) {
                return a;
            }
        }
        StringBuilder known = new StringBuilder();
        for (MovieLensArchive a : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(a.id);
        }
        throw new IllegalArgumentException("unknown MovieLens archive '" + id + "'; known: " + known);
    }

    /** Short name, e.g. {@code ml-1m}. */
    public String id() {
        return id;
    }
}
