package dev.recsys.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DelimitedReader;
import dev.recsys.eval.data.PreparedReader;
import dev.recsys.spark.cli.SparkMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recsys spark prepare|evaluate} as the command line runs them (on the tests' local[2] session). */
class CommandLineTest {
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() {
        SparkFixture.session();
    }

    private int run(String... args) {
        return SparkMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void prepareThenEvaluateAndBadInputInOneLine() throws Exception {
        Path csv = SparkFixture.log(tmp.resolve("log.csv"), 50, 80, 12, false, 9);
        Path prep = tmp.resolve("prep");
        assertThat(run("prepare", "--data", "csv:" + csv, "--out", prep.toString(), "--master", "local[2]"))
                .as(err.toString())
                .isZero();
        Dataset want = DelimitedReader.namedColumns(csv).build().read(csv);
        assertThat(out.toString())
                .startsWith("prepared " + prep + " (leave-one-out): 50 users, " + want.numItems() + " items, ");
        PrepareTest.assertSameData(PreparedReader.read(prep), want);
        assertThat(run("evaluate", "--data", prep.toString(), "--baseline", "popular", "--k", "5"))
                .as(err.toString())
                .isZero();
        assertThat(out.toString())
                .contains("| leave-one-out | users 50 (skipped 0) |")
                .contains("MRR 0.");
        assertThat(run("evaluate", "--data", prep.toString(), "--baseline", "ItemKNN", "--k", "5"))
                .as(err.toString())
                .isZero();
        assertThat(out.toString()).contains("| leave-one-out | users 50 (skipped 0) |");
        assertThat(run("evaluate", "--data", prep.toString(), "--baseline", "random", "--cold-items", "0.2"))
                .isEqualTo(2);
        assertThat(err.toString().strip())
                .endsWith("recsys spark evaluate does not run the cold-start items protocol; use recsys evaluate "
                        + "--data prepared:" + prep + " --cold-items 0.2");
        err.getBuffer().setLength(0);
        assertThat(run("evaluate", "--data", tmp.resolve("none").toString(), "--baseline", "mostpop"))
                .isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo("recsys: error: " + tmp.resolve("none")
                        + " not found; expected a folder written by recsys spark prepare");
        Path bad = Files.writeString(tmp.resolve("bad.csv"), "user,item\na,x\nb\n");
        assertThat(run(
                        "prepare",
                        "--data",
                        "csv:" + bad,
                        "--out",
                        tmp.resolve("p2").toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("1 unparsable rows (more than --max-bad-rows 0), e.g. wrong number of fields: 'b'");
        assertThat(tmp.resolve("p2")).doesNotExist();
    }
}
