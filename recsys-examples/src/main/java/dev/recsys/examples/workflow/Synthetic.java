package dev.recsys.examples.workflow;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetBuilder;
import dev.recsys.eval.synthetic.SyntheticMovieLens;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code --data synthetic[:users=…,items=…,length=…,series=…,seed=…]}: the embedded generator
 * ({@link SyntheticMovieLens}, lengths uniform in [length/2, 3·length/2]).
 *
 * <p>{@code synthetic:users=31000,items=23700,medianLength=6[,lengthSpread=0.85,minLength=5]}: the
 * shape of public short-sequence data sets (many users with a handful of items, a few with dozens).
 * Each user's length is {@code max(minLength, round(medianLength · exp(lengthSpread · z)))} with z
 * standard normal (a log-normal with that median, cut below like a 5-core filter): the median length
 * is {@code medianLength} and the 99th percentile about {@code medianLength · exp(2.33 · lengthSpread)}
 * (6 and 0.85: median 6, p99 about 43, mean about 9). The sequences are the first that many items of
 * the generator's sequences, generated with {@code length = min(16 · medianLength, items / 3)} (so the
 * longest tail is cut at that generated length, at least {@code 8 · medianLength} and at most {@code 24 · medianLength}). Every item of the
 * catalogue is kept, interacted with or not. The lengths come from their own stream of the seed, so
 * the same options always give the same data.
 */
final class Synthetic {
    /** Default spread of the log-normal lengths (median 6 gives p99 about 43). */
    static final double LENGTH_SPREAD = 0.85;
    /** Default shortest sequence of the short-tailed shape (public sets are filtered to 5 or more per user). */
    static final int MIN_LENGTH = 5;

    private Synthetic() {}

    static Dataset generate(Map<String, String> options) {
        SyntheticMovieLens.Config d = SyntheticMovieLens.Config.defaults();
        int users = d.users();
        int items = d.items();
        int length = d.meanLength();
        double series = d.pSeries();
        long seed = d.seed();
        int median = 0;
        double spread = LENGTH_SPREAD;
        int min = MIN_LENGTH;
        for (Map.Entry<String, String> e : options.entrySet()) {
            try {
                switch (e.getKey()) {
                    case "users" -> users = Integer.parseInt(e.getValue());
                    case "items" -> items = Integer.parseInt(e.getValue());
                    case "length" -> length = Integer.parseInt(e.getValue());
                    case "series" -> series = Double.parseDouble(e.getValue());
                    case "seed" -> seed = Long.parseLong(e.getValue());
                    case "medianLength" -> median = Integer.parseInt(e.getValue());
                    case "lengthSpread" -> spread = Double.parseDouble(e.getValue());
                    case "minLength" -> min = Integer.parseInt(e.getValue());
                    default ->
                        throw new DataException("unknown synthetic option '" + e.getKey()
                                + "'; known: users, items, length, series, seed, medianLength, lengthSpread, "
                                + "minLength");
                }
            } catch (NumberFormatException ex) {
                throw new DataException("synthetic option " + e.getKey() + "=" + e.getValue() + " is not a number");
            }
        }
        boolean shaped = options.containsKey("medianLength");
        if (!shaped && (options.containsKey("lengthSpread") || options.containsKey("minLength"))) {
            throw new DataException("--data synthetic: lengthSpread and minLength need medianLength");
        }
        if (shaped && options.containsKey("length")) {
            throw new DataException("--data synthetic: give length (uniform lengths) or medianLength "
                    + "(short-tailed lengths), not both");
        }
        if (shaped) {
            if (min < 4 || median < min) {
                throw new DataException("--data synthetic: need minLength >= 4 (a validation item, a test item and"
                        + " 2 to train on) and medianLength >= minLength, found minLength " + min
                        + ", medianLength " + median);
            }
            if (!(spread >= 0 && spread <= 3)) {
                throw new DataException("--data synthetic: lengthSpread must be in [0, 3], found " + spread);
            }
            length = Math.min(16 * median, items / 3);
        }
        Dataset base;
        try {
            base = SyntheticMovieLens.generate(new SyntheticMovieLens.Config(users, items, length, series, seed));
        } catch (IllegalArgumentException ex) {
            throw new DataException("--data synthetic: " + ex.getMessage());
        }
        return shaped ? shortTailed(base, median, spread, min, seed) : base;
    }

    /** The first {@code max(min, round(median · exp(spread · z)))} items of each sequence; every item kept. */
    static Dataset shortTailed(Dataset d, int median, double spread, int min, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5407_7a11_ed5eL);
        DatasetBuilder b = new DatasetBuilder(d.userIds(), d.itemIds(), d.hasRatings(), d.hasTimestamps(), false);
        for (int u = 1; u <= d.numUsers(); u++) {
            double drawn = Math.rint(median * Math.exp(spread * r.nextGaussian()));
            int n = (int) Math.min(d.length(u), Math.max(min, Math.min(Integer.MAX_VALUE, drawn)));
            for (int k = d.start(u); k < d.start(u) + n; k++) {
                b.add(u, d.item(k), d.hasRatings() ? d.rating(k) : 0f, d.hasTimestamps() ? d.timestamp(k) : 0L, 0);
            }
        }
        return b.build(
                "synthetic-short(seed=" + seed + ", medianLength=" + median + ", lengthSpread=" + spread + ")",
                d.meta());
    }
}
