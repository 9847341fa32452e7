package dev.recsys.examples.cli;

import static dev.recsys.examples.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad config input stops every command with exit code 2 and one line, before any data is read or engine loaded. */
class ConfigErrorsCliTest {
    /** A data file that does not exist: a command that got as far as reading data would fail on it instead. */
    private static final String NO_DATA = "sasrec:/nonexistent/recsys-config-test.txt";

    @TempDir
    Path dir;

    private static void assertRefused(CliTest.Run r, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("recsys: error: " + message);
    }

    @Test
    void configRefusesWhatItUsedToPrintAsValid() {
        assertRefused(
                run("config", "--set", "pretrain.loss=foo"),
                "--set pretrain.loss=foo: pretrain.loss: unknown loss \"foo\"; "
                        + "known: [bce, mse, bpr, hinge, softmax, sampled-softmax, gbce]");
        assertRefused(
                run("config", "--set", "model.dropout=1.5"),
                "--set model.dropout=1.5: model.dropout: dropout must be in [0, 1), found 1.5");
        assertThat(run("config", "--set", "model.dropout=0.5").code()).isZero();
    }

    @Test
    void aKeyGivenTwiceInAConfigFileIsRefused() throws Exception {
        Path y = java.nio.file.Files.writeString(dir.resolve("twice.yaml"), "model:\n  dim: 32\n  dim: 48\n");
        assertRefused(
                run("config", "--config", y.toString()),
                y + ": line 3, column 6: duplicate key \"dim\" (each key may appear once in an object)");
        Path j = java.nio.file.Files.writeString(dir.resolve("twice.json"), "{\"seed\": 1, \"seed\": 2}");
        assertRefused(
                run("config", "--config", j.toString()),
                j + ": line 1, column 19: duplicate key \"seed\" (each key may appear once in an object)");
    }

    @Test
    void trainWithNegativeEpochsStopsBeforeReadingDataAndWritesNothing() {
        Path out = dir.resolve("never");
        assertRefused(
                run("train", "--data", NO_DATA, "--out", out.toString(), "--set", "pretrain.epochs=-1"),
                "--set pretrain.epochs=-1: pretrain.epochs: epochs must be >= 0, found -1");
        assertThat(out).doesNotExist();
        assertRefused(
                run("train", "--data", NO_DATA, "--out", out.toString(), "--epochs", "-1"),
                "--set pretrain.epochs=-1: pretrain.epochs: epochs must be >= 0, found -1");
    }

    @Test
    void quickstartCompareAndEvaluateCheckTheirConfigFirst() {
        assertRefused(
                run("quickstart", "--data", NO_DATA, "--set", "model.dim=abc"),
                "--set model.dim=abc: model.dim: expected an integer, found the string \"abc\"");
        assertRefused(
                run(
                        "compare",
                        "--data",
                        NO_DATA,
                        "--out",
                        dir.resolve("c").toString(),
                        "--set",
                        "finetune.trainable=some"),
                "--set finetune.trainable=some: finetune.trainable: expected all or stage2, found 'some'");
        assertRefused(
                run("evaluate", "--data", NO_DATA, "--baseline", "popular", "--k", "0"),
                "evaluate options: eval.ks: cut-offs must be >= 1, found 0");
        assertRefused(
                run("evaluate", "--data", NO_DATA, "--baseline", "popular", "--protocol", "loo"),
                "evaluate options: eval.protocol: expected full or sampled, found loo");
    }
}
