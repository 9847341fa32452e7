package dev.recsys.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.DataException;
import dev.recsys.eval.baseline.Markov;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetStats;
import dev.recsys.eval.data.DelimitedReader;
import dev.recsys.eval.data.MovieLens;
import dev.recsys.eval.data.PreparedFormat;
import dev.recsys.eval.data.PreparedReader;
import dev.recsys.eval.data.Preprocess;
import dev.recsys.eval.data.Sasrec;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareTest {
    private static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkFixture.session();
    }

    private static Prepare.Options opts(String source, Path out) {
        return new Prepare.Options(source, out.toString(), null, 1, 1, "leave-one-out", 0, 2, null, null);
    }

    @Test
    void preparedDataEqualsTheSingleJvmReaderWithEventsAndTimeTies() throws IOException {
        Path csv = SparkFixture.log(tmp.resolve("log.csv"), 120, 300, 40, true, 7);
        Path out = tmp.resolve("prep");
        PreparedFormat.Manifest m = Prepare.run(spark, opts("csv:" + csv, out));
        Dataset want = DelimitedReader.namedColumns(csv).build().read(csv);
        Dataset got = PreparedReader.read(out);
        assertSameData(got, want);
        assertThat(m.stats()).isEqualTo(DatasetStats.of(want));
        assertThat(m.eventTypes()).containsExactly(want.eventTypes().toList().toArray(new String[0]));
        // two shards, each user in one of them
        try (Stream<Path> s = Files.list(out.resolve(PreparedFormat.SEQUENCES))) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("part-"))
                            .count())
                    .isEqualTo(2);
        }
    }

    @Test
    void ratingThresholdAndKCoreMatchPreprocess() throws IOException {
        Path csv = SparkFixture.log(tmp.resolve("log.csv"), 150, 400, 30, false, 11);
        Path out = tmp.resolve("prep");
        Prepare.run(
                spark, new Prepare.Options("csv:" + csv, out.toString(), 3f, 5, 4, "leave-one-out", 0, 0, null, null));
        Dataset raw = DelimitedReader.namedColumns(csv).build().read(csv);
        Dataset want = Preprocess.kCore(Preprocess.implicit(raw, 3f), 5, 4);
        Dataset got = PreparedReader.read(out);
        assertThat(want.numInteractions()).isLessThan(raw.numInteractions() * 3 / 4);
        assertSameData(got, want);
    }

    @Test
    void movieLens100kFolderEqualsMovieLensReader() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("ml-100k"));
        StringBuilder data = new StringBuilder();
        java.util.Random r = new java.util.Random(3);
        for (int k = 0; k < 600; k++) {
            data.append(1 + r.nextInt(40))
                    .append('\t')
                    .append(1 + r.nextInt(25))
                    .append('\t')
                    .append(1 + r.nextInt(5))
                    .append('\t')
                    .append(880_000_000 + r.nextInt(1000))
                    .append('\n');
        }
        Files.writeString(dir.resolve("u.data"), data);
        StringBuilder items = new StringBuilder();
        for (int i = 1; i <= 25; i++) {
            items.append(i)
                    .append("|Movie ")
                    .append(i)
                    .append(" (199")
                    .append(i % 10)
                    .append(")|01-Jan-1995||http://x|0|1")
                    .append("|0".repeat(17))
                    .append('\n');
        }
        Files.writeString(dir.resolve("u.item"), items, StandardCharsets.ISO_8859_1);
        Path out = tmp.resolve("prep");
        Prepare.run(spark, opts("ml-100k:" + dir, out));
        Dataset want = MovieLens.read100k(dir);
        Dataset got = PreparedReader.read(out);
        assertSameData(got, want);
        assertThat(got.name()).isEqualTo("ml-100k");
        assertSameMeta(got, want);
    }

    @Test
    void sasrecFileEqualsTheSasrecReaderWithTitlesIdGapsAndKCore() throws IOException {
        Path txt = SparkFixture.sasrec(tmp.resolve("seq.txt"), 80, 120, 30, 4);
        Path map = Path.of(txt + ".map");
        Path movies = Path.of(txt + ".movies");
        Path out = tmp.resolve("prep");
        PreparedFormat.Manifest m = Prepare.run(
                spark,
                new Prepare.Options("sasrec:" + txt, out.toString(), null, 1, 1, "leave-one-out", 0, 2, map, movies));
        Dataset want = Sasrec.read(txt, map, movies);
        Dataset got = PreparedReader.read(out);
        // the file's ids are kept: users and items that never occur are there, without interactions
        assertThat(want.numUsers()).isEqualTo(80);
        assertThat(want.numItems()).isEqualTo(120);
        assertThat(want.length(13)).isZero();
        assertSameData(got, want);
        assertSameMeta(got, want);
        assertThat(got.name()).isEqualTo("sasrec-seq");
        assertThat(m.stats()).isEqualTo(DatasetStats.of(want));
        // a filter renumbers what is left in id order, as Preprocess does
        Path core = tmp.resolve("core");
        Prepare.run(
                spark,
                new Prepare.Options("sasrec:" + txt, core.toString(), null, 5, 3, "leave-one-out", 0, 0, map, movies));
        Dataset wantCore = Preprocess.kCore(want, 5, 3);
        assertThat(wantCore.numItems()).isLessThan(want.numItems());
        Dataset gotCore = PreparedReader.read(core);
        assertSameData(gotCore, wantCore);
        assertSameMeta(gotCore, wantCore);
        Path bad = Files.writeString(tmp.resolve("bad.txt"), "1 2\n1 0\n2 x\n2 3 4\n");
        assertThatThrownBy(() -> Prepare.run(spark, opts("sasrec:" + bad, tmp.resolve("p3"))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("3 unparsable rows")
                .hasMessageContaining("SASRec ids start at 1: '1 0'")
                .hasMessageContaining("item id must be an integer: '2 x'")
                .hasMessageContaining("expected 'user item' (2 fields), found 3 fields: '2 3 4'");
    }

    @Test
    void temporalSplitRecordsTheSingleJvmCutOffs() throws IOException {
        Path csv = SparkFixture.log(tmp.resolve("log.csv"), 60, 100, 20, false, 5);
        Path out = tmp.resolve("prep");
        PreparedFormat.Manifest m = Prepare.run(
                spark,
                new Prepare.Options("csv:" + csv, out.toString(), null, 1, 1, "temporal:0.1,0.2", 0, 0, null, null));
        Dataset d = DelimitedReader.namedColumns(csv).build().read(csv);
        var want = dev.recsys.eval.split.TemporalSplit.split(d, 0.1, 0.2);
        var got = m.split(PreparedReader.read(out));
        assertThat(got.name()).isEqualTo(want.name());
        assertThat(got.test()).containsExactly(want.test());
        assertThat(got.validation()).containsExactly(want.validation());
        // train and evaluate on prepared:DIR split as the manifest says, not leave-one-out
        Split used = Prepared.of(PreparedReader.read(out), null).split();
        assertThat(used.name()).isEqualTo("temporal(0.1,0.2)");
        assertThat(used.test()).containsExactly(want.test());
        assertThat(used.validation()).containsExactly(want.validation());
        for (int u = 1; u <= want.numUsers(); u++) {
            assertThat(used.train()[u]).containsExactly(want.train()[u]);
        }
        assertThat(used.trainInteractions()).isLessThan(LeaveOneOut.split(d).trainInteractions() * 9 / 10);
        // and spark evaluate equals the single-JVM evaluation of that split
        DistributedEvaluation.Result r = DistributedEvaluation.run(
                spark,
                new DistributedEvaluation.Options(
                        out.toString(), null, "markov", Target.TEST, new int[] {5}, null, null, 32, null, 1, 42));
        EvalResult single = Evaluator.builder().ks(5).build().evaluate(used, Target.TEST, Markov.fit(used));
        assertThat(r.split()).isEqualTo("temporal(0.1,0.2)");
        assertThat(r.users()).isEqualTo(single.usersEvaluated()).isLessThan(d.numUsers());
        assertThat(r.metrics().get("ndcg@5")).isCloseTo(single.metric("ndcg@5"), within(1e-9));
        assertThat(r.metrics().get("mrr")).isCloseTo(single.metric("mrr"), within(1e-9));
    }

    @Test
    void unparsableRowsFailWithExamplesAndLeaveNothing() throws IOException {
        Path csv = tmp.resolve("bad.csv");
        Files.writeString(csv, "user,item,rating,timestamp\na,x,4,10\nb,y,four,11\nc,z,3\n,w,2,12\nd,x,5,13\n");
        Path out = tmp.resolve("prep");
        assertThatThrownBy(() -> Prepare.run(spark, opts("csv:" + csv, out)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("3 unparsable rows (more than --max-bad-rows 0)")
                .hasMessageContaining("rating must be a number: 'b,y,four,11'")
                .hasMessageContaining("user must be not empty");
        assertThat(out).doesNotExist();
        assertThat(leftovers()).isEmpty();
        PreparedFormat.Manifest m = Prepare.run(
                spark,
                new Prepare.Options("csv:" + csv, out.toString(), null, 1, 1, "leave-one-out", 3, 1, null, null));
        assertThat(m.badRows()).isEqualTo(3);
        assertThat(m.interactions()).isEqualTo(2);
        assertThat(PreparedReader.read(out).userIds().toList()).containsExactly("a", "d");
    }

    @Test
    void badInputIsOneClearLineAndNoFolder() throws IOException {
        Path csv = tmp.resolve("cols.csv");
        Files.writeString(csv, "customer,item\na,x\n");
        Path out = tmp.resolve("prep");
        assertThatThrownBy(() -> Prepare.run(spark, opts("csv:" + csv, out)))
                .isInstanceOf(DataException.class)
                .hasMessage(csv + ": the columns must include 'user' and 'item' (and optionally rating, timestamp, "
                        + "event); found [customer, item]");
        Path ok = SparkFixture.log(tmp.resolve("log.csv"), 10, 20, 8, false, 1);
        assertThatThrownBy(() -> Prepare.run(
                        spark,
                        new Prepare.Options(
                                "csv:" + ok, out.toString(), null, 100, 1, "leave-one-out", 0, 0, null, null)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("no interaction is left after filtering (100-core users / 1-core items)");
        assertThat(out).doesNotExist();
        assertThat(leftovers()).isEmpty();
        Files.createDirectories(out);
        Files.writeString(out.resolve("thesis.tex"), "mine");
        assertThatThrownBy(() -> Prepare.run(spark, opts("csv:" + ok, out)))
                .isInstanceOf(DataException.class)
                .hasMessage(
                        "--out " + out + " already exists; give a new folder (an existing one is never overwritten)");
        assertThat(Files.readString(out.resolve("thesis.tex"))).isEqualTo("mine");
        assertThat(leftovers()).isEmpty();
    }

    static void assertSameMeta(Dataset got, Dataset want) {
        assertThat(got.hasMeta()).isEqualTo(want.hasMeta());
        for (int i = 1; i <= want.numItems(); i++) {
            assertThat(got.meta().title(i))
                    .as("item %d", i)
                    .isEqualTo(want.meta().title(i));
            assertThat(got.meta().genres(i)).containsExactly(want.meta().genres(i));
            assertThat(got.meta().year(i)).isEqualTo(want.meta().year(i));
        }
    }

    /** Hidden temporary folders left in the test folder. */
    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().contains(".writing-"))
                    .toList();
        }
    }

    static void assertSameData(Dataset got, Dataset want) {
        assertThat(got.numUsers()).isEqualTo(want.numUsers());
        assertThat(got.numItems()).isEqualTo(want.numItems());
        assertThat(got.numInteractions()).isEqualTo(want.numInteractions());
        assertThat(got.userIds().toList()).isEqualTo(want.userIds().toList());
        assertThat(got.itemIds().toList()).isEqualTo(want.itemIds().toList());
        assertThat(got.hasRatings()).isEqualTo(want.hasRatings());
        assertThat(got.hasTimestamps()).isEqualTo(want.hasTimestamps());
        assertThat(got.hasEvents()).isEqualTo(want.hasEvents());
        for (int u = 1; u <= want.numUsers(); u++) {
            assertThat(got.history(u)).as("user %d", u).containsExactly(want.history(u));
            if (want.hasTimestamps()) {
                assertThat(got.timestampHistory(u)).containsExactly(want.timestampHistory(u));
            }
            if (want.hasRatings()) {
                assertThat(got.ratingHistory(u)).containsExactly(want.ratingHistory(u));
            }
            if (want.hasEvents()) {
                assertThat(got.eventHistory(u)).containsExactly(want.eventHistory(u));
            }
        }
    }
}
