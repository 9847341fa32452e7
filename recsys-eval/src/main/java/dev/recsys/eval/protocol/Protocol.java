package dev.recsys.eval.protocol;

import java.nio.file.Path;
import java.util.Locale;

/**
 * How candidates are formed. {@link Kind#FULL} (the default) ranks the target against the whole
 * catalogue minus the user's seen items; {@link Kind#SAMPLED} ranks it against {@code negatives}
 * items drawn per user with a fixed seed (uniformly, or in proportion to training popularity) and
 * saved under {@code negativesDir} so that a later run reuses exactly the same candidates. Sampled
 * metrics can reverse model orderings (Krichene &amp; Rendle, KDD 2020): report them only with their
 * label.
 *
 * @param kind         full or sampled
 * @param negatives    negatives per user (sampled only)
 * @param sampling     uniform or popularity (sampled only)
 * @param seed         sampling seed (sampled only)
 * @param negativesDir folder for the saved negatives, or null to not save them
 */
public record Protocol(Kind kind, int negatives, Sampling sampling, long seed, Path negativesDir) {
    /** Candidate set. */
    public enum Kind {
        /** All items except seen ones. */
        FULL,
        /** 1 positive + N sampled negatives. */
        SAMPLED
    }

    /** Negative sampling distribution. */
    public enum Sampling {
        /** Uniform over unseen items. */
        UNIFORM,
        /** Proportional to training interactions. */
        POPULARITY
    }

    public Protocol {
        if (kind == null) {
            throw new IllegalArgumentException("protocol kind must be given");
        }
        if (kind == Kind.SAMPLED && (negatives < 1 || sampling == null)) {
            throw new IllegalArgumentException("a sampled protocol needs negatives >= 1 and a sampling kind, found "
                    + negatives + ", " + sampling);
        }
    }

    /** Full ranking over the catalogue. */
    public static Protocol full() {
        return new Protocol(Kind.FULL, 0, null, 0, null);
    }

    /** Sampled ranking: 1 + {@code n} candidates. */
    public static Protocol sampled(int n, Sampling sampling, long seed, Path negativesDir) {
        return new Protocol(Kind.SAMPLED, n, sampling, seed, negativesDir);
    }

    /** The label every result carries: {@code full} or {@code sampled(n=100,uniform,seed=42)}. */
    public String label() {
        return kind == Kind.FULL
                ? "full"
                : "sampled(n=" + negatives + "," + sampling.name().toLowerCase(Locale.ROOT) + ",seed=" + seed + ")";
    }
}
