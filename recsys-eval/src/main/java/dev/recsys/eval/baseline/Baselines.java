package dev.recsys.eval.baseline;

import dev.recsys.api.DataException;
import dev.recsys.api.data.ItemContent;
import dev.recsys.eval.data.LineScanner;
import dev.recsys.eval.protocol.BatchScorer;
import java.util.List;
import java.util.Locale;

/**
 * The baselines by name, as {@code recsys evaluate --baseline} and {@code recsys spark evaluate
 * --baseline} know them, and how each is fitted: the names, their aliases and the fitting
 * parameters are here once.
 */
public final class Baselines {
    /** The canonical names. */
    public static final List<String> NAMES = List.of("mostpop", "itemknn", "markov", "contentknn", "random");

    /** Neighbours per item of {@code itemknn}. */
    public static final int ITEMKNN_NEIGHBOURS = 100;

    private static final String KNOWN = "mostpop (alias popular), itemknn, markov, contentknn, random";

    private Baselines() {}

    /** The canonical name of {@code name} or of one of its aliases (any case); an unknown one fails in one line. */
    public static String canonical(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "mostpop", "popular", "most-popular", "pop" -> "mostpop";
            case "itemknn", "item-knn", "knn" -> "itemknn";
            case "markov" -> "markov";
            case "random" -> "random";
            case "contentknn" -> "contentknn";
            default -> throw new DataException("unknown baseline " + LineScanner.quote(name) + "; known: " + KNOWN);
        };
    }

    /** Whether baseline {@code canonical} is fitted on the training sequences (else on counts, content or nothing). */
    public static boolean fitsOnSequences(String canonical) {
        return canonical.equals("mostpop") || canonical.equals("itemknn") || canonical.equals("markov");
    }

    /**
     * Fits baseline {@code canonical}.
     *
     * @param numItems N
     * @param train    training sequences by dense user ({@code [U+1][]}, index 0 empty); needed when
     *                 {@link #fitsOnSequences}, else may be null
     * @param content  the item content table; needed by {@code contentknn}, else may be null
     * @param seed     the seed of {@code random}
     * @param dataName the data set's name, for the message when content is missing
     */
    public static BatchScorer fit(
            String canonical, int numItems, int[][] train, ItemContent content, long seed, String dataName) {
        return switch (canonical) {
            case "mostpop" -> MostPopular.fit(numItems, train);
            case "itemknn" -> ItemKnn.fit(numItems, train, ITEMKNN_NEIGHBOURS);
            case "markov" -> Markov.fit(numItems, train);
            case "random" -> new RandomScorer(numItems, seed);
            case "contentknn" -> {
                if (content == null) {
                    throw new DataException("--baseline contentknn needs item content: " + dataName
                            + " has no titles (with sasrec data give --item-map and --movies)");
                }
                yield ContentKnn.fit(content);
            }
            default -> throw new IllegalArgumentException("not a canonical baseline name: " + canonical);
        };
    }
}
