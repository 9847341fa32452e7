package dev.recsys.eval.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.eval.baseline.MostPopular;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetBuilder;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import dev.recsys.eval.synthetic.SyntheticMovieLens;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvalPartTest {
    /** The users 1..cut and cut+1..U of {@code d} as two data sets with the same items. */
    private static Dataset part(Dataset d, int from, int to) {
        DatasetBuilder b = new DatasetBuilder(
                dev.recsys.api.data.IdMap.ofLongs(),
                dev.recsys.api.data.IdMap.identity(d.numItems()),
                false,
                false,
                false);
        for (int u = from; u <= to; u++) {
            int nu = b.userIds().add((long) u);
            for (int i : d.history(u)) {
                b.add(nu, i, 0f, 0L, 0);
            }
        }
        return b.build(d.name(), null);
    }

    @Test
    void partsOfDisjointUsersCombineToTheWholeEvaluation() {
        Dataset d = SyntheticMovieLens.generate();
        Split whole = LeaveOneOut.split(d);
        int[] counts = whole.trainItemCounts();
        BatchScorer pop = MostPopular.fit(whole);
        Evaluator ev = Evaluator.builder().ks(5, 10).batchSize(17).build();
        EvalResult want = ev.evaluate(whole, Target.TEST, pop);
        int cut = d.numUsers() / 3;
        EvalPart a = ev.evaluatePart(LeaveOneOut.split(part(d, 1, cut)), Target.TEST, pop, counts);
        EvalPart b = ev.evaluatePart(LeaveOneOut.split(part(d, cut + 1, d.numUsers())), Target.TEST, pop, counts);
        EvalTotals t = b.totals().merge(a.totals());
        Map<String, Double> got = t.means();
        assertThat(got.keySet()).containsExactlyElementsOf(want.metrics().keySet());
        want.metrics().forEach((k, v) -> assertThat(got.get(k)).as(k).isCloseTo(v, within(1e-12)));
        assertThat(t.users()).isEqualTo(want.usersEvaluated());
        assertThat(t.skipped()).isEqualTo(want.usersSkipped());
        assertThat(want.metric("coverage@10")).isGreaterThan(0);
        // the second part's slot j is the whole split's user cut + its own user j
        int[] ids = new int[d.numUsers() - cut + 1];
        for (int u = 1; u < ids.length; u++) {
            ids[u] = cut + u;
        }
        EvalPart renamed = b.renumbered(ids);
        double[] ndcg = want.perUser("ndcg@10");
        int[] users = want.users();
        for (int j = 0; j < renamed.size(); j++) {
            int slot = java.util.Arrays.binarySearch(users, renamed.user(j));
            assertThat(renamed.value(0 + 5, j)).isEqualTo(ndcg[slot]);
        }
    }
}
