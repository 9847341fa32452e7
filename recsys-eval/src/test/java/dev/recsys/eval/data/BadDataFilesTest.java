package dev.recsys.eval.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.DataException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not what a reader expects: not text, not UTF-8, huge lines, folders for files. */
class BadDataFilesTest {
    private static final String HEADER = "user,item,rating\n";

    private static Path write(Path dir, String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static DelimitedReader csv() {
        return DelimitedReader.builder()
                .user("user")
                .item("item")
                .rating("rating")
                .build();
    }

    /** The one-line message of the {@link DataException} that {@code call} throws. */
    private static String message(ThrowingCallable call) {
        Throwable[] t = new Throwable[1];
        assertThatThrownBy(() -> {
                    try {
                        call.call();
                    } catch (Throwable e) {
                        t[0] = e;
                        throw e;
                    }
                })
                .isInstanceOf(DataException.class);
        String m = t[0].getMessage();
        assertThat(m).doesNotContain("\n").doesNotContain("\r");
        return m;
    }

    @Test
    void aUtf16FileNamesFileLineAndTheEncodingExpected(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream windows = new ByteArrayOutputStream(); // what Notepad saves as "Unicode"
        windows.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE});
        windows.writeBytes((HEADER + "1,2,5\n").getBytes(StandardCharsets.UTF_16LE));
        Path le = write(dir, "le.csv", windows.toByteArray());
        assertThat(message(() -> csv().read(le)))
                .startsWith(le + ":1: the file is UTF-16")
                .contains("expected UTF-8 text");
        assertThat(message(() -> DelimitedReader.namedColumns(le))).startsWith(le + ":1: the file is UTF-16");
        Path sas = write(dir, "s.txt", "1 2\n1 3\n".getBytes(StandardCharsets.UTF_16));
        assertThat(message(() -> Sasrec.read(sas, null, null)))
                .startsWith(sas + ":1: the file is UTF-16")
                .contains("expected UTF-8");
        // without a byte-order mark, the NUL bytes of the ASCII characters give it away
        Path be = write(dir, "be.csv", (HEADER + "1,2,5\n").getBytes(StandardCharsets.UTF_16BE));
        assertThat(message(() -> csv().read(be)))
                .startsWith(be + ":1: binary data, not text (a NUL byte at column 1")
                .contains("expected UTF-8 text");
    }

    @Test
    void aBinaryFileNamesTheLineOfTheFirstNulByte(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((HEADER + "1,2,5\r\n1,").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[] {(byte) 0x8B, 0x1F, 0, 7, '\n', 0});
        Path f = write(dir, "gz.csv", b.toByteArray());
        assertThat(message(() -> csv().read(f)))
                .isEqualTo(f + ":3: binary data, not text (a NUL byte at column 5: a UTF-16 file, "
                        + "or not a text file); expected UTF-8 text");
        Path ratings = write(dir, "ratings.dat", b.toByteArray());
        assertThat(message(() -> MovieLens.read1m(ratings, null)))
                .startsWith(ratings + ":1: expected at least 4 fields");
        Path movies = write(dir, "movies.dat", new byte[] {'1', ':', ':', 'A', 0, ':', ':', 'D', '\n'});
        assertThat(message(() -> MovieLens.readMoviesDat(movies)))
                .startsWith(movies + ":1: binary data")
                .endsWith("expected ISO-8859-1 text");
    }

    @Test
    void aUtf8ByteOrderMarkBeforeTheHeaderIsSkipped(@TempDir Path dir) throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(bom);
        b.writeBytes("User;Item;Rating\nann;apple;5\nann;pear;3\nbob;pear;4\n".getBytes(StandardCharsets.UTF_8));
        Path f = write(dir, "excel.csv", b.toByteArray());
        // the first column is recognised although the mark precedes it; any case, ';' as the delimiter
        Dataset d = DelimitedReader.namedColumns(f).build().read(f);
        assertThat(d.numUsers()).isEqualTo(2);
        assertThat(d.numItems()).isEqualTo(2);
        assertThat(d.userIds().get("ann")).isEqualTo(1);
        assertThat(d.ratingHistory(1)).containsExactly(5f, 3f);
        Path noUser = write(dir, "no-user.csv", "\uFEFFcustomer,item\nann,apple\n".getBytes(StandardCharsets.UTF_8));
        assertThat(message(() -> DelimitedReader.namedColumns(noUser)))
                .isEqualTo(
                        noUser
                                + ":1: the header must name the columns 'user' and 'item' (and optionally rating, timestamp, event); found '[customer, item]'");
    }

    @Test
    void errorsQuoteAtMostAHundredCharactersOfTheInput(@TempDir Path dir) throws Exception {
        String mb = "x".repeat(1 << 20);
        Path rating = write(dir, "r.csv", (HEADER + "1,2," + mb + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(message(() -> csv().read(rating)))
                .isEqualTo(
                        rating + ":2: rating (field 3) is not a number: '" + "x".repeat(100) + "'... (1048576 bytes)");
        Path fields = write(dir, "ratings.dat", ("1::" + mb + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(message(() -> MovieLens.read1m(fields, null)))
                .hasSizeLessThan(250 + fields.toString().length())
                .contains("expected at least 4 fields")
                .endsWith("'... (1048579 bytes)");
        Path time = write(dir, "t.csv", ("user,item,time\n1,2," + mb + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(message(() -> DelimitedReader.builder()
                        .user("user")
                        .item("item")
                        .timestamp("time")
                        .build()
                        .read(time)))
                .endsWith("found '" + "x".repeat(100) + "'... (1048576 characters)");
        Path header = write(dir, "h.csv", ("a," + mb + "\n1,2\n").getBytes(StandardCharsets.UTF_8));
        assertThat(message(() -> csv().read(header)))
                .hasSizeLessThan(250 + header.toString().length());
    }

    @Test
    void quotesEscapeControlCharactersAndKeepSurrogatePairsWhole() {
        assertThat(LineScanner.quote("a\tb\u0001")).isEqualTo("'a\\x09b\\x01'");
        String emoji = "\uD83D\uDE00";
        String text = "y".repeat(99) + emoji + "z";
        assertThat(LineScanner.quote(text)).isEqualTo("'" + "y".repeat(99) + "'... (102 characters)");
        assertThat(LineScanner.quote("short")).isEqualTo("'short'");
    }

    @Test
    void aFolderForAFileOrAFileForAFolderNamesThePathAndWhatWasExpected(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("folder"));
        Path file = write(dir, "file", "1 2\n".getBytes(StandardCharsets.US_ASCII));
        Path missing = dir.resolve("missing");
        assertThat(message(() -> csv().read(folder)))
                .isEqualTo(folder + " is a folder; expected a delimited text file");
        assertThat(message(() -> DelimitedReader.namedColumns(folder)))
                .isEqualTo(folder + " is a folder; expected a delimited text file with a header line");
        assertThat(message(() -> Sasrec.read(folder, null, null)))
                .isEqualTo(folder + " is a folder; expected a SASRec sequence file (one 'user item' pair per line)");
        assertThat(message(() -> MovieLens.read1m(folder, null)))
                .isEqualTo(folder
                        + " is a folder; expected a MovieLens ratings file (UserID::MovieID::Rating::Timestamp)");
        assertThat(message(() -> MovieLens.read100k(file)))
                .isEqualTo(file + " is a file; expected the ML-100k folder (holding u.data)");
        assertThat(message(() -> MovieLens.read100k(missing)))
                .isEqualTo(missing + " not found; expected the ML-100k folder (holding u.data)");
        assertThat(message(() -> MovieLens.read1m(file)))
                .isEqualTo(file + " is a file; expected the ml-1m folder (holding ratings.dat)");
        assertThat(message(() -> MovieLens.read10m(file)))
                .isEqualTo(file + " is a file; expected the ml-10m folder (holding ratings.dat)");
        assertThat(message(() -> MovieLens.read20m(file)))
                .isEqualTo(file + " is a file; expected a MovieLens folder (holding ratings.csv)");
        assertThat(message(() -> MovieLens.read1m(folder)))
                .isEqualTo(folder.resolve("ratings.dat") + " not found; expected the ml-1m folder to hold ratings.dat");
        // a folder where the ML-100k ratings file should be
        Files.createDirectories(folder.resolve("u.data"));
        assertThat(message(() -> MovieLens.read100k(folder)))
                .isEqualTo(folder.resolve("u.data") + " is a folder; expected the ML-100k ratings file u.data");
    }
}
