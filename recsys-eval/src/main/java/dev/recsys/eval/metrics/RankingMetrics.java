package dev.recsys.eval.metrics;

import java.util.Arrays;

/**
 * Ranking metrics of one user from the 1-based ranks of the user's relevant items among the
 * candidates. Ranks come from pessimistic tie handling (an item tied with a relevant item counts as
 * ranked above it), so a constant scorer scores about 0 and the order in which candidates are
 * presented never matters. Binary relevance throughout; {@code R} = number of relevant items,
 * {@code K} = cut-off (K larger than the catalogue is allowed and simply cuts nothing).
 *
 * <ul>
 *   <li>HR@K = 1 if some relevant item has rank &le; K, else 0.</li>
 *   <li>Recall@K = #{relevant with rank &le; K} / R.</li>
 *   <li>Precision@K = #{relevant with rank &le; K} / K.</li>
 *   <li>NDCG@K = DCG@K / IDCG@K, DCG@K = &Sigma;<sub>relevant, rank r &le; K</sub> 1 / log2(r + 1),
 *       IDCG@K = &Sigma;<sub>i = 1..min(R, K)</sub> 1 / log2(i + 1) (J&auml;rvelin &amp;
 *       Kek&auml;l&auml;inen, TOIS 2002, with the log2(r+1) discount of Burges et al. 2005).</li>
 *   <li>MRR = 1 / (smallest rank) (no cut-off; Voorhees, TREC-8 QA 1999).</li>
 *   <li>MAP@K = AP@K = (1 / min(R, K)) &Sigma;<sub>relevant, rank r &le; K</sub> Precision@r.</li>
 * </ul>
 * With one held-out item (leave-one-out) of rank r: HR@K = Recall@K = [r &le; K],
 * NDCG@K = [r &le; K] / log2(r + 1), MRR = 1/r, MAP@K = [r &le; K] / r, Precision@K = [r &le; K] / K.
 * Users without a relevant item are not scored here; evaluation skips and counts them.
 */
public final class RankingMetrics {
    private static final double LN2 = Math.log(2);

    private RankingMetrics() {}

    /** 1 / log2(rank + 1). */
    public static double discount(int rank) {
        return LN2 / Math.log(rank + 1.0);
    }

    /** NDCG@K of a single relevant item at {@code rank}. */
    public static double ndcg(int rank, int k) {
        return rank <= k ? discount(rank) : 0.0;
    }

    /** HR@K (= Recall@K) of a single relevant item. */
    public static double hit(int rank, int k) {
        return rank <= k ? 1.0 : 0.0;
    }

    /** Precision@K of a single relevant item. */
    public static double precision(int rank, int k) {
        return rank <= k ? 1.0 / k : 0.0;
    }

    /** Reciprocal rank of a single relevant item. */
    public static double reciprocalRank(int rank) {
        return 1.0 / rank;
    }

    /** AP@K of a single relevant item. */
    public static double averagePrecision(int rank, int k) {
        return rank <= k ? 1.0 / rank : 0.0;
    }

    /** NDCG@K for the ranks of all relevant items (any order, distinct). */
    public static double ndcg(int[] ranks, int k) {
        requireRanks(ranks);
        double dcg = 0;
        for (int r : ranks) {
            if (r <= k) {
                dcg += discount(r);
            }
        }
        double idcg = 0;
        for (int i = 1; i <= Math.min(ranks.length, k); i++) {
            idcg += discount(i);
        }
        return dcg / idcg;
    }

    /** Recall@K for the ranks of all relevant items. */
    public static double recall(int[] ranks, int k) {
        requireRanks(ranks);
        return (double) hits(ranks, k) / ranks.length;
    }

    /** HR@K for the ranks of all relevant items. */
    public static double hitRate(int[] ranks, int k) {
        requireRanks(ranks);
        return hits(ranks, k) > 0 ? 1.0 : 0.0;
    }

    /** Precision@K for the ranks of all relevant items. */
    public static double precision(int[] ranks, int k) {
        requireRanks(ranks);
        return (double) hits(ranks, k) / k;
    }

    /** MRR for the ranks of all relevant items. */
    public static double reciprocalRank(int[] ranks) {
        requireRanks(ranks);
        int best = Integer.MAX_VALUE;
        for (int r : ranks) {
            best = Math.min(best, r);
        }
        return 1.0 / best;
    }

    /** AP@K for the ranks of all relevant items. */
    public static double averagePrecision(int[] ranks, int k) {
        requireRanks(ranks);
        int[] s = ranks.clone();
        Arrays.sort(s);
        double sum = 0;
        int found = 0;
        for (int r : s) {
            if (r > k) {
                break;
            }
            found++;
            sum += (double) found / r;
        }
        return sum / Math.min(ranks.length, k);
    }

    private static int hits(int[] ranks, int k) {
        int h = 0;
        for (int r : ranks) {
            if (r <= k) {
                h++;
            }
        }
        return h;
    }

    private static void requireRanks(int[] ranks) {
        if (ranks == null || ranks.length == 0) {
            throw new IllegalArgumentException("at least one relevant item's rank is needed, found none");
        }
        for (int r : ranks) {
            if (r < 1) {
                throw new IllegalArgumentException("ranks are 1-based, found " + r);
            }
        }
    }
}
