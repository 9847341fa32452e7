package dev.recsys.eval.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.eval.baseline.Markov;
import dev.recsys.eval.baseline.MostPopular;
import dev.recsys.eval.baseline.RandomScorer;
import dev.recsys.eval.data.ContentBuilder;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetStats;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.metrics.PairedTest;
import dev.recsys.eval.protocol.BatchScorer;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SyntheticMovieLensTest {

    @Test
    void theDefaultDataSetIsDeterministicFastAndMovieLensShaped() {
        long t0 = System.nanoTime();
        Dataset d = SyntheticMovieLens.generate();
        double ms = (System.nanoTime() - t0) / 1e6;
        assertThat(ms).as("generation time").isLessThan(1000);
        assertThat(d.numUsers()).isEqualTo(1000);
        assertThat(d.numItems()).isEqualTo(400);
        DatasetStats s = DatasetStats.of(d);
        assertThat(s.mean()).isBetween(35.0, 45.0);
        assertThat(s.minLength()).isGreaterThanOrEqualTo(20);
        assertThat(d.hasRatings()).isTrue();
        assertThat(d.hasTimestamps()).isTrue();
        for (int u = 1; u <= d.numUsers(); u++) {
            for (int k = d.start(u) + 1; k < d.end(u); k++) {
                assertThat(d.timestamp(k)).isGreaterThan(d.timestamp(k - 1));
            }
        }
        Dataset again = SyntheticMovieLens.generate();
        for (int u = 1; u <= d.numUsers(); u++) {
            assertThat(again.history(u)).containsExactly(d.history(u));
        }
        assertThat(SyntheticMovieLens.generate(
                                SyntheticMovieLens.Config.defaults().withSeed(7))
                        .history(1))
                .isNotEqualTo(d.history(1));
        assertThat(d.meta().titledItems()).isEqualTo(400);
        assertThat(d.meta().genres(1)).isNotEmpty();
    }

    @Test
    void itemContentTokensCarryGenresYearsAndTitleWords() {
        Dataset d = SyntheticMovieLens.generate();
        ContentBuilder.Result r = new ContentBuilder(8, 2, 10_000).build(d);
        assertThat(r.vocabulary().contains("genre:sci-fi")).isTrue();
        assertThat(r.vocabulary().contains("decade:1980s")).isTrue();
        assertThat(r.content().numItems()).isEqualTo(400);
        assertThat(r.content().tokens()[8]).isEqualTo(1);
        assertThat(r.content().tokens()[9]).isGreaterThan(2); // item 1's first token is a known genre
    }

    @Test
    void plantedStructureOrdersTheBaselinesAndLeavesRoomAboveMarkov() {
        Dataset d = SyntheticMovieLens.generate();
        Split split = LeaveOneOut.split(d);
        Evaluator ev = Evaluator.builder().ks(10).build();
        EvalResult rnd = ev.evaluate(split, Target.TEST, new RandomScorer(d.numItems(), 1));
        EvalResult pop = ev.evaluate(split, Target.TEST, MostPopular.fit(split));
        Markov markov = Markov.fit(split);
        EvalResult mk = ev.evaluate(split, Target.TEST, markov);
        EvalResult oracle = ev.evaluate(split, Target.TEST, historyAware(d, split));
        double r = rnd.metric("ndcg@10");
        double p = pop.metric("ndcg@10");
        double m = mk.metric("ndcg@10");
        double o = oracle.metric("ndcg@10");
        LoggerFactory.getLogger(SyntheticMovieLensTest.class)
                .info("synthetic NDCG@10: random {}, most-popular {}, Markov {}, history-aware {}", r, p, m, o);
        assertThat(p).as("most-popular vs random").isGreaterThan(2 * r);
        assertThat(m).as("Markov vs most-popular").isGreaterThan(1.5 * p);
        // a model that also reads the genre affinity from the whole history beats Markov
        assertThat(o).as("history-aware vs Markov").isGreaterThan(1.1 * m);
        assertThat(PairedTest.compare(oracle, mk, "ndcg@10").pValue()).isLessThan(0.01);
        assertThat(PairedTest.compare(mk, pop, "ndcg@10").pValue()).isLessThan(0.001);
    }

    /**
     * A scorer that reads the planted structure from the history, as a sequence model can: the
     * series successor of the last item (from the titles) with probability 0.6, else a series opener
     * chosen by the user's genre shares over the whole history times the opener's popularity.
     */
    private static BatchScorer historyAware(Dataset d, Split split) {
        int n = d.numItems();
        int g = SyntheticMovieLens.GENRES.size();
        int[] pop = split.trainItemCounts();
        int[] successor = new int[n + 1];
        boolean[] opener = new boolean[n + 1];
        String[] base = new String[n + 1];
        for (int i = 1; i <= n; i++) {
            String t = d.meta().title(i);
            boolean cont = i > 1 && t.equals(base[i - 1] + " " + (partOf(d, i - 1) + 1));
            base[i] = cont ? base[i - 1] : t;
            opener[i] = !cont;
            if (cont) {
                successor[i - 1] = i;
            }
        }
        double[] popByGenre = new double[g];
        for (int i = 1; i <= n; i++) {
            if (opener[i]) {
                for (String gn : d.meta().genres(i)) {
                    popByGenre[SyntheticMovieLens.GENRES.indexOf(gn)] += pop[i] + 1;
                }
            }
        }
        return (users, histories, out) -> {
            for (int r = 0; r < users.length; r++) {
                int[] h = histories[r];
                double[] share = new double[g];
                for (int it : h) {
                    for (String gn : d.meta().genres(it)) {
                        share[SyntheticMovieLens.GENRES.indexOf(gn)] += 1;
                    }
                }
                for (int q = 0; q < g; q++) {
                    share[q] = (share[q] + 0.5) / (h.length + 0.5 * g);
                }
                int last = h.length == 0 ? 0 : h[h.length - 1];
                int succ = last == 0 ? 0 : successor[last];
                double pSeries = SyntheticMovieLens.Config.defaults().pSeries();
                double pOpen = succ != 0 ? 1 - pSeries : 1.0;
                for (int i = 1; i <= n; i++) {
                    double s = 1e-6 * pop[i];
                    if (opener[i]) {
                        double best = 0;
                        for (String gn : d.meta().genres(i)) {
                            int q = SyntheticMovieLens.GENRES.indexOf(gn);
                            best = Math.max(best, share[q] * (pop[i] + 1) / popByGenre[q]);
                        }
                        s += pOpen * best;
                    }
                    if (i == succ) {
                        s += pSeries;
                    }
                    out[r * (n + 1) + i] = (float) s;
                }
            }
        };
    }

    private static int partOf(Dataset d, int item) {
        String t = d.meta().title(item);
        int sp = t.lastIndexOf(' ');
        String tail = sp < 0 ? "" : t.substring(sp + 1);
        return tail.chars().allMatch(Character::isDigit)
                        && !tail.isEmpty()
                        && item > 1
                        && t.startsWith(baseTitle(d, item))
                ? Integer.parseInt(tail)
                : 1;
    }

    private static String baseTitle(Dataset d, int item) {
        String t = d.meta().title(item);
        int sp = t.lastIndexOf(' ');
        return sp < 0 ? t : t.substring(0, sp);
    }
}
