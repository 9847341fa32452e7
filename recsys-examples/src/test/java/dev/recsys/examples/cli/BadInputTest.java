package dev.recsys.examples.cli;

import static dev.recsys.examples.cli.CliTest.DATA;
import static dev.recsys.examples.cli.CliTest.TINY;
import static dev.recsys.examples.cli.CliTest.concat;
import static dev.recsys.examples.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.examples.cli.CliTest.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line given bad input or bad output paths as a hostile user would: nothing the user
 * owns is lost, checks come before any work, every error is one line with exit code 2.
 */
class BadInputTest {
    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void trainOnce() {
        model = dir.resolve("model");
        Run r = run(
                concat(new String[] {"train", "--data", DATA, "--out", model.toString(), "--backend", "djl"}, TINY));
        assertThat(r.code()).as(r.err()).isZero();
    }

    private static Run train(Path out, String... extra) {
        return run(concat(
                concat(new String[] {"train", "--data", DATA, "--out", out.toString(), "--backend", "djl"}, TINY),
                extra));
    }

    private static List<String> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertOneLineBadInput(Run r, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(Main.BAD_INPUT);
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).contains(fragments);
    }

    @Test
    void trainRefusesAFolderWithTheUsersFilesBeforeAnyWorkAndForceKeepsThem() throws IOException {
        Path thesis = Files.createDirectories(dir.resolve("thesis"));
        Files.writeString(thesis.resolve("thesis.tex"), "years of work");
        Files.createDirectories(thesis.resolve("figures"));
        // a folder that looks like a checkpoint (our model.json) but also holds the user's files
        Files.copy(model.resolve("model.json"), thesis.resolve("model.json"));
        Files.copy(model.resolve("weights.safetensors"), thesis.resolve("weights.safetensors"));

        Run r = train(thesis);
        assertOneLineBadInput(r, "--out", "thesis", "figures, thesis.tex", "--force");
        assertThat(r.out()).doesNotContain("data:"); // refused before the data was read
        assertThat(listing(thesis)).containsExactly("figures", "model.json", "thesis.tex", "weights.safetensors");

        Run forced = train(thesis, "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(Files.readString(thesis.resolve("thesis.tex"))).isEqualTo("years of work");
        assertThat(listing(thesis)).containsExactly("figures", "model.json", "thesis.tex", "weights.safetensors");
        assertThat(run("recommend", "--model", thesis.toString(), "--history", "1,2", "--backend", "djl")
                        .code())
                .isZero();
    }

    @Test
    void aModelJsonThatIsNotOursIsRefusedEvenWithForce() throws IOException {
        Path other = Files.createDirectories(dir.resolve("hf-model"));
        Files.writeString(other.resolve("model.json"), "{\"architectures\": [\"Bert\"]}");
        for (Run r : List.of(train(other), train(other, "--force"))) {
            assertOneLineBadInput(r, "model.json is not a readable recsys checkpoint");
        }
        assertThat(Files.readString(other.resolve("model.json"))).isEqualTo("{\"architectures\": [\"Bert\"]}");
    }

    @Test
    void outputPathsAreCheckedBeforeAnyWork() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("a-folder"));
        Run eval = run("evaluate", "--data", DATA, "--baseline", "markov", "--json", folder.toString());
        assertOneLineBadInput(eval, "--json", "a-folder is a folder");
        assertThat(eval.out()).isEmpty();

        Run convert = run("data", "convert", "--data", DATA, "--to", "csv", "--out", folder.toString());
        assertOneLineBadInput(convert, "--out", "a-folder is a folder");

        Path file = Files.writeString(dir.resolve("a-file"), "mine");
        Run into = train(file.resolve("model"));
        assertOneLineBadInput(into, "a-file is a file, not a folder");
        Run onFile = train(file);
        assertOneLineBadInput(onFile, "not a folder");
        assertThat(Files.readString(file)).isEqualTo("mine");

        // a folder nobody may create files in (sysfs refuses even root): refused before the data is read
        assumeTrue(Files.isDirectory(Path.of("/sys/kernel")) && !canCreateIn(Path.of("/sys/kernel")));
        Run ro = train(Path.of("/sys/kernel/recsys-model"));
        assertOneLineBadInput(ro, "cannot write in /sys/kernel");
        assertThat(ro.out()).doesNotContain("data:");
    }

    private static boolean canCreateIn(Path folder) {
        try {
            Files.delete(Files.createTempFile(folder, "probe", ".tmp"));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Test
    void evaluateCompareRefusesResultsOfDifferentData() throws IOException {
        Path a = dir.resolve("pop-a.json");
        Path b = dir.resolve("pop-b.json");
        assertThat(run("evaluate", "--data", DATA, "--baseline", "mostpop", "--json", a.toString())
                        .code())
                .isZero();
        assertThat(run(
                                "evaluate",
                                "--data",
                                "synthetic:users=80,items=60,length=10,seed=4",
                                "--baseline",
                                "popular",
                                "--json",
                                b.toString())
                        .code())
                .isZero();
        String fa =
                new ObjectMapper().readTree(a.toFile()).path("dataFingerprint").asText();
        String fb =
                new ObjectMapper().readTree(b.toFile()).path("dataFingerprint").asText();
        Run r = run("evaluate", "--compare", a.toString(), b.toString());
        assertOneLineBadInput(r, "different data", fa, fb);
        assertThat(r.out()).doesNotContain("p=");

        Path c = dir.resolve("pop-c.json");
        assertThat(run(
                                "evaluate",
                                "--data",
                                DATA,
                                "--baseline",
                                "mostpop",
                                "--target",
                                "validation",
                                "--json",
                                c.toString())
                        .code())
                .isZero();
        assertOneLineBadInput(run("evaluate", "--compare", a.toString(), c.toString()), "different targets");
    }

    @Test
    void mostpopIsTheBaselinesNameAndPopularItsAlias() throws IOException {
        Path a = dir.resolve("mostpop.json");
        Path b = dir.resolve("popular.json");
        assertThat(run("evaluate", "--data", DATA, "--baseline", "mostpop", "--json", a.toString())
                        .code())
                .isZero();
        assertThat(run("evaluate", "--data", DATA, "--baseline", "popular", "--json", b.toString())
                        .code())
                .isZero();
        var ja = new ObjectMapper().readTree(a.toFile());
        var jb = new ObjectMapper().readTree(b.toFile());
        assertThat(ja.path("model").asText()).isEqualTo("baseline:mostpop");
        assertThat(jb.path("model").asText()).isEqualTo("baseline:mostpop");
        assertThat(ja.path("metrics")).isEqualTo(jb.path("metrics"));
        assertThat(run("evaluate", "--help").out()).contains("mostpop").contains("popular");
        assertOneLineBadInput(
                run("evaluate", "--data", DATA, "--baseline", "x".repeat(5000)),
                "unknown baseline",
                "(5000 characters)");
    }

    @Test
    void convertToSasrecWritesTheIdMapsThatRecoverTheOriginalIds() throws IOException {
        Path csv = dir.resolve("letters.csv");
        Files.writeString(
                csv,
                "\uFEFFuser,item,timestamp\nann,apple,1\nann,pear,2\nbob,pear,3\nbob,fig,4\n",
                StandardCharsets.UTF_8);
        Path out = dir.resolve("letters.txt");
        Run r = run("data", "convert", "--data", "csv:" + csv, "--to", "sasrec", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("letters.txt.items.txt").contains("letters.txt.users.txt");
        List<String> items = Files.readAllLines(dir.resolve("letters.txt.items.txt"));
        List<String> users = Files.readAllLines(dir.resolve("letters.txt.users.txt"));
        assertThat(items).containsExactly("1 apple", "2 pear", "3 fig");
        assertThat(users).containsExactly("1 ann", "2 bob");
        assertThat(Files.readAllLines(out)).containsExactly("1 1", "1 2", "2 2", "2 3");
    }

    @Test
    void sasrecWithMoviesNeedsAnItemMapOrIdentity() throws IOException {
        Path sas = Files.writeString(dir.resolve("s.txt"), "1 1\n1 2\n1 3\n2 2\n2 3\n2 1\n");
        Path movies = Files.writeString(
                dir.resolve("movies.dat"),
                "1::Toy Story (1995)::Animation\n2::Heat (1995)::Action\n" + "3::Casino (1995)::Drama\n",
                StandardCharsets.ISO_8859_1);
        assertOneLineBadInput(
                run("data", "stats", "--data", "sasrec:" + sas, "--movies", movies.toString()),
                "--item-map",
                "identity");
        Run ok = run(
                "data", "stats", "--data", "sasrec:" + sas, "--movies", movies.toString(), "--item-map", "identity");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("item titles: 3 of 3");
    }

    @Test
    void aFolderGivenAsADataFileIsBadInputNamingThePath() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("not-a-file"));
        assertOneLineBadInput(run("data", "stats", "--data", "csv:" + folder), "not-a-file is a folder");
        assertOneLineBadInput(run("data", "stats", "--data", "sasrec:" + folder), "not-a-file is a folder");
        Path file = Files.writeString(dir.resolve("u.data"), "1\t1\t5\t1\n");
        assertOneLineBadInput(run("data", "stats", "--data", "ml-100k:" + file), "u.data is a file", "folder");
    }

    @Test
    void emptyHistoriesGiveOneMessageAndAFullHistorySaysWhyNothingIsLeft() {
        Run empty = run("recommend", "--model", model.toString(), "--history", "", "--backend", "djl");
        Run commas = run("recommend", "--model", model.toString(), "--history", ",,,", "--backend", "djl");
        assertOneLineBadInput(empty, "--history is empty");
        assertThat(commas.err()).isEqualTo(empty.err());

        StringBuilder all = new StringBuilder();
        for (int i = 1; i <= 60; i++) {
            all.append(i == 1 ? "" : ",").append(i);
        }
        Run full = run("recommend", "--model", model.toString(), "--history", all.toString(), "--backend", "djl");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(full.err())
                .contains("no item left to recommend")
                .contains("covers 60 of the 60 items")
                .contains("--include-seen");
    }

    @Test
    void outputFilesGetTheUmaskModeAndAReplacedFileKeepsItsMode() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path fresh = dir.resolve("fresh.csv");
        assertThat(run("data", "convert", "--data", DATA, "--to", "csv", "--out", fresh.toString())
                        .code())
                .isZero();
        Path probe = Files.createFile(dir.resolve("probe-umask")); // what any tool creating a file here gets
        assertThat(Files.getPosixFilePermissions(fresh)).isEqualTo(Files.getPosixFilePermissions(probe));

        Path shared = dir.resolve("shared.json");
        Files.writeString(shared, "{}");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-rw-r--"));
        assertThat(run("evaluate", "--data", DATA, "--baseline", "mostpop", "--json", shared.toString())
                        .code())
                .isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)))
                .isEqualTo("rw-rw-r--");
        assertThat(Files.readString(shared)).contains("recsys-result");
    }

    @Test
    void outOfMemoryIsOneLineWithTheHeapAndHowToRaiseIt() {
        String m = Main.message(new java.util.concurrent.ExecutionException(new OutOfMemoryError("Java heap space")));
        assertThat(m).startsWith("out of memory").contains("GiB").contains("RECSYS_JAVA_OPTS=-Xmx");
        assertThat(m.lines()).hasSize(1);
    }

    @Test
    void fileSystemErrorsAreBadInputNamingThePath() {
        var e = new java.nio.file.FileSystemException("/data/out.json", null, "Read-only file system");
        assertThat(Main.exitCode(e)).isEqualTo(Main.BAD_INPUT);
        assertThat(Main.message(e)).isEqualTo("cannot use /data/out.json: Read-only file system");
        assertThat(Main.exitCode(new java.io.UncheckedIOException(
                        new java.nio.file.FileSystemException("/x", null, "Is a directory"))))
                .isEqualTo(Main.BAD_INPUT);
    }

    @Test
    void aStopBySignalAddsNoLineToTheSignalsOwn() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.failed(
                new GracefulStop.Stopped("stopped by a signal after step 3 (epoch 1)"),
                false,
                new java.io.PrintWriter(err, true));
        assertThat(code).isEqualTo(Main.STOPPED);
        assertThat(err.toString()).isEmpty();
        int oom = Main.failed(new OutOfMemoryError("Java heap space"), false, new java.io.PrintWriter(err, true));
        assertThat(oom).isEqualTo(Main.FAILURE);
        assertThat(err.toString().lines()).hasSize(1).first().asString().startsWith("recsys: error: out of memory");
    }

    @Test
    void djlsCudaProbeIsQuietOnTheCommandLine() {
        run("config");
        assertThat(System.getProperty(Main.CUDA_LOG)).isEqualTo("error");
    }
}
