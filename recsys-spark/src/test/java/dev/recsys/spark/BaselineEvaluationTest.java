package dev.recsys.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.DataException;
import dev.recsys.eval.baseline.Baselines;
import dev.recsys.eval.data.ContentBuilder;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.Sasrec;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.protocol.BatchScorer;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every baseline of {@code recsys evaluate --baseline}, evaluated in partitions, against the
 * single JVM fitted and evaluated as {@code recsys evaluate} does it, on a generated SASRec file of
 * ML-100k's size (943 user ids, 1,682 item ids, titles through an item map) prepared by Spark.
 */
class BaselineEvaluationTest {
    private static final int[] KS = {5, 10, 20};

    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static Path prepared;
    private static Dataset data;

    @BeforeAll
    static void setUp() throws IOException {
        spark = SparkFixture.session();
        Path txt = SparkFixture.sasrec(tmp.resolve("ml100k-sized.txt"), 943, 1682, 200, 42);
        Path map = Path.of(txt + ".map");
        Path movies = Path.of(txt + ".movies");
        prepared = tmp.resolve("prepared");
        Prepare.run(
                spark,
                new Prepare.Options(
                        "sasrec:" + txt, prepared.toString(), null, 1, 1, "leave-one-out", 0, 2, map, movies));
        data = Sasrec.read(txt, map, movies);
    }

    private static DistributedEvaluation.Result spark(String baseline, Target t) throws IOException {
        return DistributedEvaluation.run(
                spark,
                new DistributedEvaluation.Options(
                        prepared.toString(), null, baseline, t, KS, null, null, 64, null, 1, 42));
    }

    @Test
    void everyBaselineInPartitionsEqualsTheSingleJvmOnBothTargets() throws IOException {
        assertThat(data.numInteractions()).isGreaterThan(80_000);
        Map<String, Double> ndcg = new LinkedHashMap<>();
        for (String name : Baselines.NAMES) {
            // as recsys evaluate --baseline NAME: fitted on the training sequences (content for contentknn)
            Prepared p = Prepared.of(data, name.equals("contentknn") ? ContentBuilder.standard() : null, null);
            BatchScorer scorer = Baselines.fit(name, data.numItems(), p.split().train(), p.content(), 42, data.name());
            for (Target t : Target.values()) {
                EvalResult want = Evaluator.builder().ks(KS).build().evaluate(p.split(t), t, scorer);
                DistributedEvaluation.Result got = spark(name, t);
                assertThat(got.metrics().keySet())
                        .containsExactlyElementsOf(want.metrics().keySet());
                for (Map.Entry<String, Double> e : want.metrics().entrySet()) {
                    assertThat(got.metrics().get(e.getKey()))
                            .as("%s %s %s", name, t, e.getKey())
                            .isCloseTo(e.getValue(), within(1e-6));
                }
                assertThat(got.users()).isEqualTo(want.usersEvaluated());
                assertThat(got.skipped()).isEqualTo(want.usersSkipped());
                if (t == Target.TEST) {
                    ndcg.put(name, got.metrics().get("ndcg@10"));
                }
            }
        }
        // the baselines are told apart: each is its own model, random is the floor
        assertThat(ndcg.values()).doesNotHaveDuplicates();
        assertThat(ndcg.get("random")).isLessThan(ndcg.get("mostpop")).isLessThan(ndcg.get("markov"));
    }

    @Test
    void anUnknownBaselineOrContentKnnWithoutTitlesIsOneLine() throws IOException {
        assertThatThrownBy(() -> spark("knnn", Target.TEST))
                .isInstanceOf(DataException.class)
                .hasMessage(
                        "unknown baseline 'knnn'; known: mostpop (alias popular), itemknn, markov, contentknn, random");
        Path csv = SparkFixture.log(tmp.resolve("untitled.csv"), 20, 30, 8, false, 2);
        Path untitled = tmp.resolve("untitled");
        Prepare.run(
                spark,
                new Prepare.Options("csv:" + csv, untitled.toString(), null, 1, 1, "leave-one-out", 0, 1, null, null));
        assertThatThrownBy(() -> DistributedEvaluation.run(
                        spark,
                        new DistributedEvaluation.Options(
                                untitled.toString(), null, "contentknn", Target.TEST, KS, null, null, 64, null, 1, 42)))
                .isInstanceOf(DataException.class)
                .hasMessage("--baseline contentknn needs item content: untitled.csv has no titles (with sasrec data "
                        + "give --item-map and --movies)");
    }
}
