package dev.recsys.eval.protocol;

import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ranking evaluation of a {@link BatchScorer} on a {@link Split}.
 *
 * <p>For every user with a target (the validation item for model selection, the test item for final
 * numbers), the scorer scores all items given the user's history. Candidates are the whole catalogue
 * (full protocol) or the target plus the user's sampled negatives; the padding id 0 and the user's
 * seen items (the history: the training sequence, plus the validation item at test time) are never
 * candidates, except the target itself. The target's rank is pessimistic:
 * {@code rank = 1 + #{candidates c != target : score(c) >= score(target)}} (a NaN target score ranks
 * last). Metrics follow {@link dev.recsys.eval.metrics.RankingMetrics}; per-user values are kept. Coverage@K is the share of
 * the catalogue that appears in at least one user's top K and popularity@K the mean training
 * interaction count of the top-K items (average recommendation popularity, Yin et al., VLDB 2012),
 * where the top K comes from a partial selection ({@link dev.recsys.api.recommend.TopK.Selector}:
 * ties by lower item id, NaN scores last).
 *
 * <p>Users are processed in batches by a small thread pool ({@link BatchRunner}); a scorer that is
 * not {@linkplain BatchScorer#threadSafe() thread-safe} is called by one thread at a time while the
 * ranking of other batches goes on. Each thread ranks its users with a {@link UserRanker} (masks,
 * rank, top K), which records them in one {@link PerUserMetrics} (metrics, coverage, popularity).
 * No boxing in the inner loops.
 */
public final class Evaluator {
    private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);

    private final Protocol protocol;
    private final int[] ks;
    private final int batchSize;
    private final int threads;

    private Evaluator(Builder b) {
        this.protocol = b.protocol;
        this.ks = b.ks.clone();
        this.batchSize = b.batchSize;
        this.threads = b.threads;
    }

    /** A builder: full protocol, K = 10 and 20, batches of 256 users, one thread per core. */
    public static Builder builder() {
        return new Builder();
    }

    /** The protocol. */
    public Protocol protocol() {
        return protocol;
    }

    /** Evaluates {@code scorer} on {@code split}'s {@code target} items. */
    public EvalResult evaluate(Split split, Target target, BatchScorer scorer) {
        long t0 = System.nanoTime();
        EvalPart part = evaluatePart(split, target, scorer, split.trainItemCounts());
        double secs = (System.nanoTime() - t0) / 1e9;
        EvalResult r = part.result(split.dataset(), split.name(), target.name(), protocol.label(), secs);
        LOG.debug("{} in {} s", r.summary(), secs);
        return r;
    }

    /**
     * Evaluates the users of {@code split}, which may be a part of a larger split (a shard of its
     * users with the same catalogue): the metrics of each user are those {@link #evaluate} gives on
     * the whole split when {@code itemCounts} are the whole split's training interactions per item
     * (popularity@K), and parts of disjoint users combine exactly ({@link EvalPart#totals()}).
     */
    public EvalPart evaluatePart(Split split, Target target, BatchScorer scorer, int[] itemCounts) {
        if (itemCounts.length != split.numItems() + 1) {
            throw new IllegalArgumentException("itemCounts must have numItems+1 = " + (split.numItems() + 1)
                    + " entries, found " + itemCounts.length);
        }
        int nUsers = split.numUsers();
        int[] evalUsers = new int[nUsers];
        int m = 0;
        for (int u = 1; u <= nUsers; u++) {
            if (split.target(u, target) != 0) {
                evalUsers[m++] = u;
            }
        }
        evalUsers = Arrays.copyOf(evalUsers, m);
        int[][] negatives = null;
        if (protocol.kind() == Protocol.Kind.SAMPLED) {
            try {
                negatives = SampledNegatives.obtain(split, target, protocol);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read or write the sampled negatives: " + e.getMessage(), e);
            }
        }
        int[][] negs = negatives;
        PerUserMetrics metrics = new PerUserMetrics(ks, itemCounts, split.numItems(), m);
        List<UserRanker> rankers = BatchRunner.run(
                split,
                target,
                scorer,
                evalUsers,
                batchSize,
                threads,
                () -> new UserRanker(split, target, negs, metrics));
        List<boolean[][]> coverage = new ArrayList<>();
        for (UserRanker r : rankers) {
            coverage.add(r.covered());
        }
        return metrics.part(evalUsers, coverage, nUsers - m);
    }

    /** Options for {@link Evaluator}. */
    public static final class Builder {
        private Protocol protocol = Protocol.full();
        private int[] ks = {10, 20};
        private int batchSize = 256;
        private int threads = Runtime.getRuntime().availableProcessors();

        private Builder() {}

        /** The protocol (default full ranking). */
        public Builder protocol(Protocol p) {
            this.protocol = java.util.Objects.requireNonNull(p);
            return this;
        }

        /** Cut-offs (default 10, 20). */
        public Builder ks(int... k) {
            if (k.length == 0) {
                throw new IllegalArgumentException("at least one cut-off K is needed");
            }
            for (int v : k) {
                if (v < 1) {
                    throw new IllegalArgumentException("cut-offs must be >= 1, found " + v);
                }
            }
            this.ks = k.clone();
            return this;
        }

        /** Users per scoring call (default 256). */
        public Builder batchSize(int b) {
            if (b < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, found " + b);
            }
            this.batchSize = b;
            return this;
        }

        /** Worker threads (default: available processors). */
        public Builder threads(int t) {
            if (t < 1) {
                throw new IllegalArgumentException("threads must be >= 1, found " + t);
            }
            this.threads = t;
            return this;
        }

        /** The evaluator. */
        public Evaluator build() {
            return new Evaluator(this);
        }
    }
}
