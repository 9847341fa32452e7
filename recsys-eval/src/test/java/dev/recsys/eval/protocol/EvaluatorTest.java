package dev.recsys.eval.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.DataException;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {
    private static final double NDCG_RANK2 = 1 / (Math.log(3) / Math.log(2));

    /** 3 users, 5 items. u1: train [1], val 2, test 3. u2: train [2], val 1, test 4. u3: train [5, 1], no targets. */
    private static Split tiny() {
        int[][] train = {new int[0], {1}, {2}, {5, 1}};
        return new Split(
                "hand", "tiny", 3, 5, train, null, null, new int[] {0, 2, 1, 0}, null, new int[] {0, 3, 4, 0}, null);
    }

    /** Same scores for every user: item 1: 0.9, 2: 0.5, 3: 0.7, 4: 0.7, 5: 0.1 (items 3 and 4 tie). */
    private static BatchScorer fixed(float... byItem) {
        return (users, histories, out) -> {
            for (int r = 0; r < users.length; r++) {
                System.arraycopy(byItem, 0, out, r * byItem.length, byItem.length);
            }
        };
    }

    private static final BatchScorer TIED = fixed(99f, 0.9f, 0.5f, 0.7f, 0.7f, 0.1f);

    @Test
    void tiesArePessimisticWhateverTheTargetsPosition() {
        EvalResult r = Evaluator.builder().ks(1, 2, 10).threads(1).build().evaluate(tiny(), Target.TEST, TIED);
        // u1: seen {1, 2}, target 3 ties with 4 -> rank 2; u2: seen {2, 1}, target 4 ties with 3 -> rank 2
        assertThat(r.perUser("mrr")).containsExactly(0.5, 0.5);
        assertThat(r.metric("ndcg@1")).isZero();
        assertThat(r.metric("ndcg@2")).isCloseTo(NDCG_RANK2, within(1e-12));
        assertThat(r.metric("hr@1")).isZero();
        assertThat(r.metric("hr@2")).isEqualTo(1.0);
        assertThat(r.metric("recall@2")).isEqualTo(1.0);
        assertThat(r.metric("precision@2")).isEqualTo(0.5);
        assertThat(r.metric("map@2")).isEqualTo(0.5);
        assertThat(r.usersEvaluated()).isEqualTo(2);
        assertThat(r.usersSkipped()).isEqualTo(1);
        assertThat(r.users()).containsExactly(1, 2);
        assertThat(r.protocol()).isEqualTo("full");
        assertThat(r.target()).isEqualTo("TEST");
    }

    @Test
    void cutOffLargerThanTheCatalogueIsAllowed() {
        EvalResult r = Evaluator.builder().ks(10).threads(1).build().evaluate(tiny(), Target.TEST, TIED);
        assertThat(r.metric("ndcg@10")).isCloseTo(NDCG_RANK2, within(1e-12));
        assertThat(r.metric("precision@10")).isCloseTo(0.1, within(1e-12));
        // both users' candidates are {3, 4, 5}: all three are in every top 10
        assertThat(r.metric("coverage@10")).isCloseTo(3 / 5.0, within(1e-12));
        // training counts: item 1: 2, item 2: 1, item 5: 1, items 3, 4: 0 -> (0 + 0 + 1) / 3
        assertThat(r.metric("popularity@10")).isCloseTo(1 / 3.0, within(1e-12));
    }

    @Test
    void validationUsesTheTrainingHistoryOnlyAndTestAddsTheValidationItem() {
        EvalResult r = Evaluator.builder().ks(1, 2, 10).threads(1).build().evaluate(tiny(), Target.VALIDATION, TIED);
        // u1: seen {1}, target 2 (0.5) below 3 and 4 -> rank 3; u2: seen {2}, target 1 (0.9) -> rank 1
        assertThat(r.perUser("mrr")).containsExactly(1 / 3.0, 1.0);
        assertThat(r.metric("ndcg@2")).isCloseTo(0.5, within(1e-12));
        assertThat(r.metric("ndcg@10")).isCloseTo((0.5 + 1) / 2, within(1e-12));
        assertThat(r.metric("precision@2")).isCloseTo(0.25, within(1e-12));
        // top 1: u1 -> item 3 (ties by lower id), u2 -> item 1
        assertThat(r.metric("coverage@1")).isCloseTo(2 / 5.0, within(1e-12));
        assertThat(r.metric("popularity@1")).isCloseTo((0 + 2) / 2.0, within(1e-12));
    }

    @Test
    void historiesPassedToTheScorerFollowTheTarget() {
        List<int[]> seen = new java.util.ArrayList<>();
        BatchScorer spy = (users, histories, out) -> {
            for (int[] h : histories) {
                seen.add(h.clone());
            }
            java.util.Arrays.fill(out, 0f);
        };
        Evaluator.builder().threads(1).build().evaluate(tiny(), Target.TEST, spy);
        assertThat(seen).containsExactly(new int[] {1, 2}, new int[] {2, 1});
        seen.clear();
        Evaluator.builder().threads(1).build().evaluate(tiny(), Target.VALIDATION, spy);
        assertThat(seen).containsExactly(new int[] {1}, new int[] {2});
    }

    @Test
    void aConstantScorerScoresAboutZero() {
        Split s = randomSplit(200, 1000, 30, 3);
        EvalResult r = Evaluator.builder().ks(10).build().evaluate(s, Target.TEST, fixed(new float[1001]));
        assertThat(r.metric("ndcg@10")).isZero();
        assertThat(r.metric("hr@10")).isZero();
        // every candidate ties with the target: rank = number of candidates (about 1000 - 31)
        assertThat(r.metric("mrr")).isLessThan(1.0 / 900);
    }

    @Test
    void seenItemsArePaddingAreNeverCandidates() {
        // the seen item 1 and padding 0 score highest; the target 3 must still rank first
        BatchScorer s = fixed(1000f, 500f, 400f, 300f, 0.2f, 0.1f);
        EvalResult r = Evaluator.builder().ks(1).threads(1).build().evaluate(tiny(), Target.TEST, s);
        assertThat(r.perUser("mrr")).containsExactly(1.0, 0.5); // u2: target 4 below unseen 3
    }

    @Test
    void aNaNTargetScoreRanksLast() {
        BatchScorer s = fixed(0f, 0.9f, 0.5f, Float.NaN, 0.1f, 0.2f);
        EvalResult r = Evaluator.builder().ks(10).threads(1).build().evaluate(tiny(), Target.TEST, s);
        // u1: candidates {3, 4, 5}, target 3 NaN -> rank 3
        assertThat(r.perUser("mrr")[0]).isCloseTo(1 / 3.0, within(1e-12));
    }

    @Test
    void resultsDoNotDependOnBatchingOrThreads() {
        Split s = randomSplit(300, 400, 25, 11);
        BatchScorer rnd = (users, histories, out) -> {
            for (int r = 0; r < users.length; r++) {
                SplittableRandom g = new SplittableRandom(users[r]);
                for (int i = 0; i <= 400; i++) {
                    out[r * 401 + i] = (float) g.nextInt(50); // many ties
                }
            }
        };
        EvalResult a =
                Evaluator.builder().ks(5, 10).threads(1).batchSize(1).build().evaluate(s, Target.TEST, rnd);
        EvalResult b =
                Evaluator.builder().ks(5, 10).threads(3).batchSize(17).build().evaluate(s, Target.TEST, rnd);
        for (String k : a.perUserKeys()) {
            assertThat(b.perUser(k)).as(k).containsExactly(a.perUser(k));
        }
        assertThat(b.metrics()).isEqualTo(a.metrics());
    }

    @Test
    void aScorerThatIsNotThreadSafeIsNeverCalledConcurrently() {
        Split s = randomSplit(300, 200, 10, 5);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        BatchScorer slow = (users, histories, out) -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            java.util.Arrays.fill(out, 1f);
            inFlight.decrementAndGet();
        };
        Evaluator.builder().threads(4).batchSize(8).build().evaluate(s, Target.TEST, slow);
        assertThat(maxInFlight.get()).isEqualTo(1);
    }

    @Test
    void laterEvaluationsScoreOnTheThreadsOfTheFirst() {
        // an engine may keep native state per thread (SameDiff: a session per thread id), so the
        // validation passes of a training run must reuse the evaluation threads, not start new ones
        Split s = randomSplit(300, 200, 10, 7);
        java.util.Set<Thread> used = java.util.concurrent.ConcurrentHashMap.newKeySet();
        BatchScorer record = new BatchScorer() {
            @Override
            public void score(int[] users, int[][] histories, float[] out) {
                used.add(Thread.currentThread());
                java.util.Arrays.fill(out, 1f);
            }

            @Override
            public boolean threadSafe() {
                return true;
            }
        };
        Evaluator ev = Evaluator.builder().threads(2).batchSize(8).build();
        ev.evaluate(s, Target.TEST, record);
        int started = BatchRunner.threadsStarted();
        assertThat(started).isGreaterThanOrEqualTo(2);
        for (int pass = 0; pass < 5; pass++) {
            ev.evaluate(s, Target.VALIDATION, record);
        }
        assertThat(BatchRunner.threadsStarted()).isEqualTo(started);
        assertThat(used).isNotEmpty().noneMatch(t -> t == Thread.currentThread());
        assertThat(used).allMatch(t -> t.getName().startsWith("recsys-eval-"));
    }

    @Test
    void sampledNegativesAreSavedThenReused(@TempDir Path dir) throws Exception {
        Split s = randomSplit(50, 300, 20, 2);
        Protocol p = Protocol.sampled(20, Protocol.Sampling.UNIFORM, 42, dir);
        Evaluator ev = Evaluator.builder().ks(5).threads(2).protocol(p).build();
        BatchScorer score = (users, histories, out) -> {
            for (int r = 0; r < users.length; r++) {
                for (int i = 0; i <= 300; i++) {
                    out[r * 301 + i] = i; // higher id = better
                }
            }
        };
        EvalResult first = ev.evaluate(s, Target.TEST, score);
        assertThat(first.protocol()).isEqualTo("sampled(n=20,uniform,seed=42)");
        Path file = dir.resolve(SampledNegatives.fileName(s, Target.TEST, p));
        assertThat(file).exists();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo(SampledNegatives.MAGIC);
        assertThat(lines).hasSize(2 + 50);
        for (String line : lines.subList(2, lines.size())) {
            String[] f = line.split(" ");
            int u = Integer.parseInt(f[0]);
            assertThat(Integer.parseInt(f[1])).isEqualTo(s.test()[u]);
            java.util.Set<Integer> negs = new java.util.HashSet<>();
            for (int k = 2; k < f.length; k++) {
                int i = Integer.parseInt(f[k]);
                assertThat(i).isNotEqualTo(s.test()[u]);
                assertThat(s.history(u, Target.TEST)).doesNotContain(i);
                negs.add(i);
            }
            assertThat(negs).hasSize(20);
        }
        // the rank of the target is 1 + #negatives with a higher id
        String[] f1 = lines.get(2).split(" ");
        int target = Integer.parseInt(f1[1]);
        long above = java.util.Arrays.stream(f1)
                .skip(2)
                .mapToInt(Integer::parseInt)
                .filter(i -> i >= target)
                .count();
        assertThat(first.perUser("mrr")[0]).isCloseTo(1.0 / (1 + above), within(1e-12));

        // replace user 1's negatives by the 20 highest unseen ids: a reused file must change the result
        StringBuilder sb = new StringBuilder().append(f1[0]).append(' ').append(f1[1]);
        int added = 0;
        int newAbove = 0;
        for (int i = 300; added < 20; i--) {
            int item = i;
            if (item != target
                    && java.util.Arrays.stream(s.history(Integer.parseInt(f1[0]), Target.TEST))
                            .noneMatch(h -> h == item)) {
                sb.append(' ').append(item);
                added++;
                if (item >= target) {
                    newAbove++;
                }
            }
        }
        lines.set(2, sb.toString());
        Files.write(file, lines, StandardCharsets.UTF_8);
        EvalResult second = ev.evaluate(s, Target.TEST, score);
        assertThat(newAbove).isGreaterThan((int) above);
        assertThat(second.perUser("mrr")[0]).isCloseTo(1.0 / (1 + newAbove), within(1e-12));
        for (int k = 1; k < 50; k++) {
            assertThat(second.perUser("mrr")[k]).isEqualTo(first.perUser("mrr")[k]);
        }
    }

    @Test
    void savedNegativesForAnotherSplitAreRefused(@TempDir Path dir) {
        Protocol p = Protocol.sampled(10, Protocol.Sampling.POPULARITY, 1, dir);
        Evaluator ev = Evaluator.builder().protocol(p).build();
        ev.evaluate(randomSplit(40, 100, 12, 1), Target.TEST, fixed(new float[101]));
        assertThatThrownBy(() -> ev.evaluate(randomSplit(40, 100, 12, 2), Target.TEST, fixed(new float[101])))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("other settings or another split");
    }

    @Test
    void popularityNegativesFavourPopularItems() {
        Split s = randomSplit(400, 200, 20, 9);
        int[][] negs = SampledNegatives.draw(s, Target.TEST, 10, Protocol.Sampling.POPULARITY, 3);
        int[] pop = s.trainItemCounts();
        double meanPop = 0;
        int n = 0;
        for (int u = 1; u <= s.numUsers(); u++) {
            for (int i : negs[u]) {
                meanPop += pop[i];
                n++;
            }
        }
        double catalogueMean = java.util.Arrays.stream(pop).skip(1).average().orElse(0);
        assertThat(meanPop / n).isGreaterThan(catalogueMean * 1.2);
        assertThat(SampledNegatives.draw(s, Target.TEST, 10, Protocol.Sampling.POPULARITY, 3))
                .isDeepEqualTo(negs);
    }

    /** Scores 0..3 (many ties), with NaN, -inf and +inf sprinkled in; the same row for a user on every call. */
    private static BatchScorer oddScores(int items) {
        return (users, histories, out) -> {
            for (int r = 0; r < users.length; r++) {
                SplittableRandom g = new SplittableRandom(users[r]);
                for (int i = 0; i <= items; i++) {
                    double x = g.nextDouble();
                    out[r * (items + 1) + i] = x < 0.1
                            ? Float.NaN
                            : x < 0.15 ? Float.NEGATIVE_INFINITY : x < 0.2 ? Float.POSITIVE_INFINITY : g.nextInt(4);
                }
            }
        };
    }

    @Test
    void agreesWithASortedReferenceOnTiesInfinitiesAndNaNs() {
        int items = 60;
        Split s = randomSplit(120, items, 20, 4);
        int[] ks = {1, 5, 10, 50};
        int[] pop = s.trainItemCounts();
        BatchScorer odd = oddScores(items);
        for (Protocol p : List.of(Protocol.full(), Protocol.sampled(15, Protocol.Sampling.UNIFORM, 7, null))) {
            EvalResult r = Evaluator.builder()
                    .ks(ks)
                    .threads(2)
                    .batchSize(7)
                    .protocol(p)
                    .build()
                    .evaluate(s, Target.TEST, odd);
            int[][] negs = p.kind() == Protocol.Kind.SAMPLED
                    ? SampledNegatives.draw(s, Target.TEST, 15, Protocol.Sampling.UNIFORM, 7)
                    : null;
            boolean[][] covered = new boolean[ks.length][items + 1];
            for (int j = 0; j < r.users().length; j++) {
                int u = r.users()[j];
                int t = s.test()[u];
                float[] row = new float[items + 1];
                odd.score(new int[] {u}, new int[][] {s.history(u, Target.TEST)}, row);
                java.util.Set<Integer> seen = new java.util.HashSet<>();
                for (int h : s.history(u, Target.TEST)) {
                    seen.add(h);
                }
                java.util.LinkedHashSet<Integer> cands = new java.util.LinkedHashSet<>();
                cands.add(t);
                if (negs == null) {
                    java.util.stream.IntStream.rangeClosed(1, items)
                            .filter(i -> !seen.contains(i))
                            .forEach(cands::add);
                } else {
                    java.util.Arrays.stream(negs[u])
                            .filter(i -> !seen.contains(i))
                            .forEach(cands::add);
                }
                // pessimistic: every other candidate scoring at least the target ranks above it; a NaN target is last
                long above =
                        cands.stream().filter(c -> c != t && row[c] >= row[t]).count();
                int rank = Float.isNaN(row[t]) ? cands.size() : 1 + (int) above;
                assertThat(r.perUser("mrr")[j]).as("user %d", u).isEqualTo(1.0 / rank);
                // top K: higher score first, ties by lower id, NaN after every number
                List<Integer> sorted = new java.util.ArrayList<>(cands);
                sorted.sort(java.util.Comparator.<Integer>comparingInt(i -> Float.isNaN(row[i]) ? 1 : 0)
                        .thenComparing(i -> -row[i], Float::compare)
                        .thenComparingInt(i -> i));
                for (int q = 0; q < ks.length; q++) {
                    int lim = Math.min(ks[q], sorted.size());
                    long popSum = 0;
                    for (int i : sorted.subList(0, lim)) {
                        popSum += pop[i];
                        covered[q][i] = true;
                    }
                    assertThat(r.perUser("popularity@" + ks[q])[j])
                            .as("user %d, K %d", u, ks[q])
                            .isEqualTo((double) popSum / lim);
                }
            }
            for (int q = 0; q < ks.length; q++) {
                int c = 0;
                for (boolean b : covered[q]) {
                    c += b ? 1 : 0;
                }
                assertThat(r.metric("coverage@" + ks[q]))
                        .as("%s coverage@%d", p.label(), ks[q])
                        .isEqualTo((double) c / items);
            }
        }
    }

    /** Users with random histories over items 1..n, skewed to low ids; leave-one-out style targets. */
    static Split randomSplit(int users, int items, int len, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] train = new int[users + 1][];
        train[0] = new int[0];
        int[] val = new int[users + 1];
        int[] test = new int[users + 1];
        for (int u = 1; u <= users; u++) {
            java.util.LinkedHashSet<Integer> h = new java.util.LinkedHashSet<>();
            while (h.size() < len + 2) {
                double x = r.nextDouble();
                h.add(1 + (int) (x * x * items));
            }
            int[] all = h.stream().mapToInt(Integer::intValue).toArray();
            train[u] = java.util.Arrays.copyOf(all, len);
            val[u] = all[len];
            test[u] = all[len + 1];
        }
        return new Split("leave-one-out", "random", users, items, train, null, null, val, null, test, null);
    }
}
