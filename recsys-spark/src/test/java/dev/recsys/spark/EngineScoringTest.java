package dev.recsys.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.BackendProvider;
import dev.recsys.api.spi.Backends;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.pipeline.SavedModel;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.protocol.ModelScorer;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two engines the assembly jar carries (DJL / PyTorch and DL4J / ND4J), found through
 * ServiceLoader with their linux-x86_64 natives on this module's runtime class path (what the shade
 * plugin packs), each scoring in Spark's executors as it scores in the single JVM: on a small
 * generated log, so that CI pays one engine start each.
 */
class EngineScoringTest {
    private static final int[] KS = {5, 10};

    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static ScoringTest.Fixture fx;

    @BeforeAll
    static void setUp() throws IOException {
        spark = SparkFixture.session();
        fx = ScoringTest.Fixture.of(spark, tmp, 120, 150, 30, 7);
    }

    @Test
    void bothEnginesAndTheirLinuxNativesAreOnTheRuntimeClassPath() {
        assertThat(Backends.providers().stream().map(BackendProvider::name)).contains("djl", "dl4j");
        ClassLoader cl = getClass().getClassLoader();
        for (String natives : List.of(
                "native/lib/pytorch.properties",
                "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libnd4jcpu.so",
                "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libjnind4jcpu.so",
                "org/bytedeco/openblas/linux-x86_64/libopenblas.so.0",
                "org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so")) {
            assertThat(cl.getResource(natives)).as(natives).isNotNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"djl", "dl4j"})
    void evaluationAndRecommendationInPartitionsEqualTheSingleJvmOnTheEngine(String engine) throws IOException {
        int loadsBefore = ModelHolder.loads();
        DistributedEvaluation.Result got = DistributedEvaluation.run(
                spark,
                new DistributedEvaluation.Options(
                        fx.prepared().toString(),
                        fx.model().toString(),
                        null,
                        Target.TEST,
                        KS,
                        null,
                        null,
                        64,
                        engine,
                        1,
                        42));
        Path out = tmp.resolve("recs-" + engine);
        BatchRecommend.Summary summary = BatchRecommend.run(
                spark,
                new BatchRecommend.Options(
                        fx.prepared().toString(),
                        fx.model().toString(),
                        out.toString(),
                        5,
                        null,
                        false,
                        null,
                        64,
                        engine,
                        1));
        // one load per executor JVM (here: the driver's), shared by both jobs and every partition
        assertThat(ModelHolder.loads()).isEqualTo(loadsBefore + 1);
        assertThat(summary.rows()).isEqualTo(120 * 5);
        List<Row> rows = spark.read()
                .parquet(out.toString())
                .filter("user in ('u0', 'u1', 'u77')")
                .orderBy("user", "rank")
                .collectAsList();
        assertThat(rows).hasSize(15);

        try (Backend backend = Backends.create(engine, BackendOptions.defaults().withThreads(1));
                SavedModel m = SavedModel.load(fx.model(), backend)) {
            assertThat(backend.name()).isEqualTo(engine);
            EvalResult want = Evaluator.builder()
                    .ks(KS)
                    .build()
                    .evaluate(fx.split(), Target.TEST, ModelScorer.of(m.model(), m.rerank(), fx.split(), Target.TEST));
            assertThat(want.usersEvaluated()).isEqualTo(120);
            assertThat(want.metric("ndcg@10")).isGreaterThan(0);
            ScoringTest.assertSameMetrics(got, want);
            // a batch of users against one user: the engine may sum in another order
            ScoringTest.assertSameTopK(rows, new Recommender(m.model(), m.rerank()), fx.data(), 5, 1e-5f);
        }
    }
}
