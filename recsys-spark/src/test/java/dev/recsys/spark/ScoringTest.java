package dev.recsys.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.reference.ReferenceBackend;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DelimitedReader;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.pipeline.SavedModel;
import dev.recsys.eval.pipeline.TrainingPipeline;
import dev.recsys.eval.protocol.BatchScorer;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.protocol.ModelScorer;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluation and recommendation in partitions against the single JVM, on a generated log of
 * ML-100k's size (943 users, at most 1,682 items, about 100,000 interactions).
 */
class ScoringTest {
    private static final int[] KS = {10, 20};

    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static Path prepared;
    private static Path model;
    private static Dataset data;
    private static Split split;
    /** Models this JVM loaded before this class (other test classes share the executor). */
    private static int loadsBefore;

    @BeforeAll
    static void setUp() throws IOException {
        spark = SparkFixture.session();
        loadsBefore = ModelHolder.loads();
        Fixture f = Fixture.of(spark, tmp, 943, 1682, 200, 42);
        prepared = f.prepared();
        data = f.data();
        split = f.split();
        model = f.model();
    }

    /**
     * A generated CSV log prepared by Spark, the same log read by the single JVM and split, and an
     * initialised model over its items (stage 2 over the first 10).
     */
    record Fixture(Path prepared, Dataset data, Split split, Path model) {
        static Fixture of(SparkSession spark, Path dir, int users, int items, int maxLen, long seed)
                throws IOException {
            Path csv = SparkFixture.log(dir.resolve("log.csv"), users, items, maxLen, false, seed);
            Dataset data = DelimitedReader.namedColumns(csv).build().read(csv);
            return new Fixture(
                    SparkFixture.prepare(spark, csv, dir.resolve("prepared")),
                    data,
                    LeaveOneOut.split(data),
                    writeModel(
                            dir.resolve("model"),
                            data.numItems(),
                            data.itemIds().toList(),
                            10));
        }
    }

    static Path writeModel(Path dir, int numItems, List<String> ids, int rerank) throws IOException {
        ModelConfig c = ModelConfig.builder()
                .numItems(numItems)
                .dim(8)
                .heads(2)
                .layers(1)
                .ffnDim(16)
                .maxLen(20)
                .dropout(0f)
                .build();
        List<String> itemIds = new ArrayList<>();
        itemIds.add("");
        itemIds.addAll(ids);
        Checkpoint.write(
                dir,
                new CheckpointData(
                        c,
                        Initializer.init(c, 3),
                        null,
                        null,
                        itemIds,
                        Map.of(TrainingPipeline.META_RERANK, Integer.toString(rerank)),
                        null));
        return dir;
    }

    private static DistributedEvaluation.Options eval(String modelDir, String baseline, Target t, Path out) {
        return new DistributedEvaluation.Options(
                prepared.toString(),
                modelDir,
                baseline,
                t,
                KS,
                out == null ? null : out.toString(),
                null,
                64,
                "reference",
                1,
                42);
    }

    private static BatchRecommend.Options recommend(Path modelDir, Path out) {
        return new BatchRecommend.Options(
                prepared.toString(), modelDir.toString(), out.toString(), 5, null, false, null, 100, "reference", 1);
    }

    static void assertSameMetrics(DistributedEvaluation.Result got, EvalResult want) {
        assertThat(got.metrics().keySet())
                .containsExactlyElementsOf(want.metrics().keySet());
        for (Map.Entry<String, Double> e : want.metrics().entrySet()) {
            assertThat(got.metrics().get(e.getKey())).as(e.getKey()).isCloseTo(e.getValue(), within(1e-6));
        }
        assertThat(got.users()).isEqualTo(want.usersEvaluated());
        assertThat(got.skipped()).isEqualTo(want.usersSkipped());
        assertThat(got.split()).isEqualTo(want.split());
    }

    /**
     * Rows {@code user, rank, item, score} of {@code k} ranks per user, in user and rank order, are
     * the recommender's top {@code k} for each user's whole history (scores within {@code tolerance}).
     */
    static void assertSameTopK(List<Row> rows, Recommender rec, Dataset data, int k, float tolerance) {
        for (int r = 0; r < rows.size(); r += k) {
            String user = rows.get(r).getString(0);
            List<Recommendation> want =
                    rec.recommend(data.history(data.userIds().get(user)), k);
            for (int j = 0; j < k; j++) {
                Row row = rows.get(r + j);
                assertThat(row.getString(0)).isEqualTo(user);
                assertThat(row.getInt(1)).isEqualTo(j + 1);
                assertThat(row.getString(2))
                        .as(user)
                        .isEqualTo(data.itemIds().external(want.get(j).item()));
                assertThat(row.getFloat(3)).as(user).isCloseTo(want.get(j).score(), within(tolerance));
            }
        }
    }

    @Test
    void modelEvaluationInPartitionsEqualsTheSingleJvm() throws IOException {
        Path out = tmp.resolve("eval-model");
        DistributedEvaluation.Result got =
                DistributedEvaluation.run(spark, eval(model.toString(), null, Target.TEST, out));
        EvalResult want;
        try (SavedModel m = SavedModel.load(model, new ReferenceBackend())) {
            BatchScorer s = ModelScorer.of(m.model(), m.rerank(), split, Target.TEST);
            want = Evaluator.builder().ks(KS).build().evaluate(split, Target.TEST, s);
        }
        assertThat(want.usersEvaluated()).isEqualTo(943);
        assertThat(want.metric("ndcg@20")).isGreaterThan(0);
        assertSameMetrics(got, want);
        // per-user values, keyed by the external user id
        List<Row> rows =
                spark.read().parquet(out.resolve("per-user").toString()).collectAsList();
        assertThat(rows).hasSize(943);
        double[] ndcg = want.perUser("ndcg@10");
        int[] users = want.users();
        for (Row r : rows) {
            int u = r.getInt(r.fieldIndex("user_index"));
            int slot = java.util.Arrays.binarySearch(users, u);
            assertThat(r.getString(r.fieldIndex("user")))
                    .isEqualTo(data.userIds().external(u));
            assertThat(r.getDouble(r.fieldIndex("ndcg@10"))).isCloseTo(ndcg[slot], within(1e-9));
        }
        assertThat(out.resolve("result.json")).content().contains("\"ndcg@10\"");
        // both partitions scored with the one model this JVM (the executor) loaded
        assertThat(ModelHolder.loads()).isEqualTo(loadsBefore + 1);
    }

    @Test
    void batchRecommendationEqualsTheRecommender() throws IOException {
        Path out = tmp.resolve("recs");
        BatchRecommend.Summary s = BatchRecommend.run(spark, recommend(model, out));
        assertThat(s.rows()).isEqualTo(943 * 5);
        List<Row> rows = spark.read()
                .parquet(out.toString())
                .filter("user in ('u0', 'u1', 'u500')")
                .orderBy("user", "rank")
                .collectAsList();
        assertThat(rows).hasSize(15);
        try (SavedModel m = SavedModel.load(model, new ReferenceBackend())) {
            assertSameTopK(rows, new Recommender(m.model(), m.rerank()), data, 5, 1e-6f);
        }
        assertThat(ModelHolder.loads()).isEqualTo(loadsBefore + 1);
    }

    @Test
    void aModelOfAnotherCatalogueOrAnUnreadableFolderIsRefusedWithNothingWritten() throws IOException {
        List<String> shuffled = new ArrayList<>(data.itemIds().toList());
        java.util.Collections.swap(shuffled, 3, 4);
        Path other = writeModel(tmp.resolve("other"), data.numItems(), shuffled, 0);
        Path out = tmp.resolve("refused");
        assertThatThrownBy(() -> DistributedEvaluation.run(spark, eval(other.toString(), null, Target.TEST, out)))
                .isInstanceOf(DataException.class)
                .hasMessage("model " + other + " was trained on another catalogue: its item 4 is '" + shuffled.get(3)
                        + "', in " + prepared + " it is '" + data.itemIds().external(4)
                        + "'; use the data it was trained on");
        Path bigger = writeModel(tmp.resolve("bigger"), data.numItems() + 1, extended(), 0);
        assertThatThrownBy(() -> BatchRecommend.run(spark, recommend(bigger, out)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("was trained on " + (data.numItems() + 1) + " items but " + prepared + " has "
                        + data.numItems());
        Path missing = tmp.resolve("no-model");
        assertThatThrownBy(() -> DistributedEvaluation.run(spark, eval(missing.toString(), null, Target.TEST, out)))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("checkpoint folder " + missing + " does not exist");
        assertThat(out).doesNotExist();
    }

    private static List<String> extended() {
        List<String> ids = new ArrayList<>(data.itemIds().toList());
        ids.add("extra");
        return ids;
    }
}
