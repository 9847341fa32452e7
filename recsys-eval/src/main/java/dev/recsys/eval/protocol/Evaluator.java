package dev.recsys.eval.protocol;

import dev.recsys.api.RecsysException;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.metrics.RankingMetrics;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * last). Metrics follow {@link RankingMetrics}; per-user values are kept. Coverage@K is the share of
 * the catalogue that appears in at least one user's top K and popularity@K the mean training
 * interaction count of the top-K items (average recommendation popularity, Yin et al., VLDB 2012),
 * where the top K comes from a partial selection (ties by lower item id).
 *
 * <p>Users are processed in batches by a small thread pool; a scorer that is not
 * {@linkplain BatchScorer#threadSafe() thread-safe} is called by one thread at a time while the
 * ranking of other batches goes on. No boxing in the inner loops.
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
        int nUsers = split.numUsers();
        int[] evalUsers = new int[nUsers];
        int m = 0;
        for (int u = 1; u <= nUsers; u++) {
            if (split.target(u, target) != 0) {
                evalUsers[m++] = u;
            }
        }
        evalUsers = Arrays.copyOf(evalUsers, m);
        int skipped = nUsers - m;
        int[][] negatives = null;
        if (protocol.kind() == Protocol.Kind.SAMPLED) {
            try {
                negatives = SampledNegatives.obtain(split, target, protocol);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read or write the sampled negatives: " + e.getMessage(), e);
            }
        }
        int[] pop = split.trainItemCounts();
        int nk = ks.length;
        // per-user metric arrays: for each K: ndcg, recall, hr, precision, map, popularity; then mrr
        double[][] per = new double[nk * 6 + 1][m];
        int nBatches = (m + batchSize - 1) / batchSize;
        AtomicInteger next = new AtomicInteger();
        AtomicLong nanBatches = new AtomicLong();
        Object lock = new Object();
        int nThreads = Math.max(1, Math.min(threads, nBatches));
        List<Worker> workers = new ArrayList<>();
        for (int w = 0; w < nThreads; w++) {
            workers.add(new Worker(split, target, scorer, negatives, pop, evalUsers, per, next, nBatches, lock, nanBatches));
        }
        if (nThreads == 1) {
            workers.get(0).run();
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(nThreads, r -> {
                Thread t = new Thread(r, "recsys-eval");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (Worker w : workers) {
                    fs.add(pool.submit(w));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RecsysException("evaluation interrupted", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                if (c instanceof Error er) {
                    throw er;
                }
                throw new RecsysException("evaluation failed: " + c, c);
            } finally {
                pool.shutdownNow();
            }
        }
        if (nanBatches.get() > 0) {
            LOG.warn("{} batches held NaN scores; a NaN target score ranks last", nanBatches.get());
        }
        Map<String, Double> means = new LinkedHashMap<>();
        Map<String, double[]> perUser = new LinkedHashMap<>();
        for (int q = 0; q < nk; q++) {
            int k = ks[q];
            String[] names = {"ndcg@" + k, "recall@" + k, "hr@" + k, "precision@" + k, "map@" + k};
            for (int j = 0; j < names.length; j++) {
                means.put(names[j], mean(per[q * 6 + j]));
                perUser.put(names[j], per[q * 6 + j]);
            }
        }
        means.put("mrr", mean(per[nk * 6]));
        perUser.put("mrr", per[nk * 6]);
        for (int q = 0; q < nk; q++) {
            boolean[] cov = new boolean[split.numItems() + 1];
            for (Worker w : workers) {
                for (int i = 1; i <= split.numItems(); i++) {
                    cov[i] |= w.covered[q][i];
                }
            }
            int c = 0;
            for (int i = 1; i <= split.numItems(); i++) {
                if (cov[i]) {
                    c++;
                }
            }
            means.put("coverage@" + ks[q], (double) c / split.numItems());
        }
        for (int q = 0; q < nk; q++) {
            means.put("popularity@" + ks[q], mean(per[q * 6 + 5]));
            perUser.put("popularity@" + ks[q], per[q * 6 + 5]);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        EvalResult r = new EvalResult(split.dataset(), split.name(), target.name(), protocol.label(), ks, means, evalUsers, perUser,
                skipped, secs);
        LOG.debug("{} in {} s", r.summary(), secs);
        return r;
    }

    private static double mean(double[] v) {
        if (v.length == 0) {
            return 0;
        }
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** One thread's state: reusable buffers, a stamp-based mask, a top-K heap and coverage flags. */
    private final class Worker implements Runnable {
        private final Split split;
        private final Target target;
        private final BatchScorer scorer;
        private final int[][] negatives;
        private final int[] pop;
        private final int[] evalUsers;
        private final double[][] per;
        private final AtomicInteger next;
        private final int nBatches;
        private final Object lock;
        private final AtomicLong nanBatches;
        private final int[] mark;
        private int stamp;
        private final int maxK;
        private final float[] heapScore;
        private final int[] heapItem;
        private int heapSize;
        private final int[] top;
        final boolean[][] covered;
        private float[] out;

        Worker(Split split, Target target, BatchScorer scorer, int[][] negatives, int[] pop, int[] evalUsers, double[][] per,
               AtomicInteger next, int nBatches, Object lock, AtomicLong nanBatches) {
            this.split = split;
            this.target = target;
            this.scorer = scorer;
            this.negatives = negatives;
            this.pop = pop;
            this.evalUsers = evalUsers;
            this.per = per;
            this.next = next;
            this.nBatches = nBatches;
            this.lock = lock;
            this.nanBatches = nanBatches;
            this.mark = new int[split.numItems() + 1];
            int mk = 0;
            for (int k : ks) {
                mk = Math.max(mk, k);
            }
            this.maxK = Math.min(mk, split.numItems());
            this.heapScore = new float[maxK];
            this.heapItem = new int[maxK];
            this.top = new int[maxK];
            this.covered = new boolean[ks.length][split.numItems() + 1];
        }

        @Override
        public void run() {
            int stride = split.numItems() + 1;
            int b;
            while ((b = next.getAndIncrement()) < nBatches) {
                int from = b * batchSize;
                int to = Math.min(evalUsers.length, from + batchSize);
                int bm = to - from;
                int[] us = Arrays.copyOfRange(evalUsers, from, to);
                int[][] hs = new int[bm][];
                for (int r = 0; r < bm; r++) {
                    hs[r] = split.history(us[r], target);
                }
                if (out == null || out.length != bm * stride) {
                    out = new float[bm * stride];
                }
                if (scorer.threadSafe()) {
                    scorer.score(us, hs, out);
                } else {
                    synchronized (lock) {
                        scorer.score(us, hs, out);
                    }
                }
                boolean nan = false;
                for (int r = 0; r < bm; r++) {
                    nan |= rankOne(us[r], hs[r], r * stride, from + r);
                }
                if (nan) {
                    nanBatches.incrementAndGet();
                }
            }
        }

        /** Ranks one user's target; returns true when the target score was NaN. */
        private boolean rankOne(int u, int[] history, int base, int slot) {
            int n = split.numItems();
            int t = split.target(u, target);
            stamp++;
            if (stamp == 0) {
                Arrays.fill(mark, 0);
                stamp = 1;
            }
            final int s = stamp;
            mark[0] = s;
            for (int h : history) {
                mark[h] = s;
            }
            mark[t] = 0;
            final float[] o = out;
            final float st = o[base + t];
            int above = 0;
            int candidates = 0;
            heapSize = 0;
            if (negatives == null && st > Float.NEGATIVE_INFINITY && st < Float.POSITIVE_INFINITY) {
                // fast path: overwrite the seen items' scores (this buffer is ours) with -inf, then one
                // branch-light pass over all items; -inf never reaches a finite target score
                // (mark[] is already set for the seen items; candidates is only needed for a NaN target)
                for (int h : history) {
                    if (h != t) {
                        o[base + h] = Float.NEGATIVE_INFINITY;
                    }
                }
                for (int i = 1; i <= n; i++) {
                    float v = o[base + i];
                    if (v >= st) {
                        above++;
                    }
                    if (heapSize == maxK && v < heapScore[0]) {
                        continue;
                    }
                    if (v == Float.NEGATIVE_INFINITY && mark[i] == s) {
                        continue;
                    }
                    offer(v, i);
                }
                above--; // the target itself
            } else if (negatives == null) {
                for (int i = 1; i <= n; i++) {
                    if (mark[i] == s) {
                        continue;
                    }
                    candidates++;
                    float v = o[base + i];
                    if (v >= st && i != t) {
                        above++;
                    }
                    offer(v, i);
                }
            } else {
                candidates = 1;
                offer(st, t);
                for (int i : negatives[u]) {
                    if (i == t || mark[i] == s) {
                        continue;
                    }
                    candidates++;
                    float v = o[base + i];
                    if (v >= st) {
                        above++;
                    }
                    offer(v, i);
                }
            }
            boolean nan = Float.isNaN(st);
            int rank = nan ? candidates : 1 + above;
            int nk = ks.length;
            for (int q = 0; q < nk; q++) {
                int k = ks[q];
                per[q * 6][slot] = RankingMetrics.ndcg(rank, k);
                double hit = RankingMetrics.hit(rank, k);
                per[q * 6 + 1][slot] = hit;
                per[q * 6 + 2][slot] = hit;
                per[q * 6 + 3][slot] = RankingMetrics.precision(rank, k);
                per[q * 6 + 4][slot] = RankingMetrics.averagePrecision(rank, k);
            }
            per[nk * 6][slot] = RankingMetrics.reciprocalRank(rank);
            // sorted top list, best first
            int size = heapSize;
            for (int p = size - 1; p >= 0; p--) {
                top[p] = heapItem[0];
                heapItem[0] = heapItem[heapSize - 1];
                heapScore[0] = heapScore[heapSize - 1];
                heapSize--;
                siftDown(0);
            }
            for (int q = 0; q < nk; q++) {
                int lim = Math.min(ks[q], size);
                long popSum = 0;
                boolean[] cov = covered[q];
                for (int p = 0; p < lim; p++) {
                    cov[top[p]] = true;
                    popSum += pop[top[p]];
                }
                per[q * 6 + 5][slot] = lim == 0 ? 0 : (double) popSum / lim;
            }
            return nan;
        }

        /** Min-heap of the best maxK (score, item): worse = lower score, or equal score and higher id. */
        private void offer(float v, int item) {
            if (maxK == 0) {
                return;
            }
            if (heapSize < maxK) {
                int c = heapSize++;
                heapScore[c] = v;
                heapItem[c] = item;
                while (c > 0) {
                    int p = (c - 1) >>> 1;
                    if (worse(heapScore[c], heapItem[c], heapScore[p], heapItem[p])) {
                        swap(c, p);
                        c = p;
                    } else {
                        break;
                    }
                }
                return;
            }
            float rs = heapScore[0];
            if (v < rs || (v == rs && item > heapItem[0]) || Float.isNaN(v)) {
                return;
            }
            heapScore[0] = v;
            heapItem[0] = item;
            siftDown(0);
        }

        private void siftDown(int c) {
            while (true) {
                int l = 2 * c + 1;
                if (l >= heapSize) {
                    return;
                }
                int r = l + 1;
                int w = r < heapSize && worse(heapScore[r], heapItem[r], heapScore[l], heapItem[l]) ? r : l;
                if (worse(heapScore[w], heapItem[w], heapScore[c], heapItem[c])) {
                    swap(w, c);
                    c = w;
                } else {
                    return;
                }
            }
        }

        private boolean worse(float s1, int i1, float s2, int i2) {
            if (Float.isNaN(s1) != Float.isNaN(s2)) {
                return Float.isNaN(s1);
            }
            return s1 < s2 || (s1 == s2 && i1 > i2);
        }

        private void swap(int a, int b) {
            float ts = heapScore[a];
            heapScore[a] = heapScore[b];
            heapScore[b] = ts;
            int ti = heapItem[a];
            heapItem[a] = heapItem[b];
            heapItem[b] = ti;
        }
    }

    /** Options for {@link Evaluator}. */
    public static final class Builder {
        private Protocol protocol = Protocol.full();
        private int[] ks = {10, 20};
        private int batchSize = 256;
        private int threads = Runtime.getRuntime().availableProcessors();

        private Builder() {
        }

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
