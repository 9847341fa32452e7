package dev.recsys.eval.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.DataException;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.TemporalSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparedReaderTest {
    @TempDir
    Path tmp;

    private static final String MANIFEST = """
            {"format": "recsys-prepared", "version": 1, "name": "hand", "source": "csv:x.csv",
             "userIdType": "string", "itemIdType": "string", "users": 2, "items": 3, "interactions": 4,
             "timestamps": true, "ratings": false, "eventTypes": ["view", "buy"],
             "filters": {"minRating": null, "minPerUser": 1, "minPerItem": 1},
             "split": {"kind": "leave-one-out", "valFraction": 0, "testFraction": 0, "t1": 0, "t2": 0},
             "badRows": 0, "stats": null}
            """;

    private Path folder(String seqs) throws IOException {
        Path d = tmp.resolve("prep");
        Files.createDirectories(d.resolve("items"));
        Files.createDirectories(d.resolve("sequences"));
        Files.writeString(d.resolve("prepared.json"), MANIFEST);
        Files.writeString(
                d.resolve("items/part-00000"),
                "2\tb\\tx\tB\t\t0\n1\ta\tThe \\\\ film\tDrama|Comedy\t1999\n3\tc\t\t\t0\n");
        Files.writeString(d.resolve("sequences/part-00001"), seqs);
        Files.writeString(d.resolve("sequences/part-00000"), "1\tann\t1 2\t10 20\t1 2\n");
        return d;
    }

    @Test
    void readsShardsInAnyOrderWithEscapesEventsAndTitles() throws IOException {
        Dataset d = PreparedReader.read(folder("2\tbo\\tb\t3 1\t5 7\t2 1\n"));
        assertThat(d.name()).isEqualTo("hand");
        assertThat(d.userIds().toList()).containsExactly("ann", "bo\tb");
        assertThat(d.itemIds().toList()).containsExactly("a", "b\tx", "c");
        assertThat(d.history(1)).containsExactly(1, 2);
        assertThat(d.history(2)).containsExactly(3, 1);
        assertThat(d.timestampHistory(2)).containsExactly(5L, 7L);
        assertThat(d.eventHistory(1)).containsExactly(1, 2);
        assertThat(d.eventTypes().toList()).containsExactly("view", "buy");
        assertThat(d.meta().title(1)).isEqualTo("The \\ film");
        assertThat(d.meta().genres(1)).containsExactly("Drama", "Comedy");
        assertThat(d.meta().year(1)).isEqualTo(1999);
        assertThat(d.meta().title(3)).isNull();
        PreparedFormat.UserLine l =
                new PreparedFormat.UserLine(2, "bo\tb", new int[] {3, 1}, new long[] {5, 7}, null, new int[] {2, 1});
        assertThat(l.format()).isEqualTo("2\tbo\\tb\t3 1\t5 7\t2 1");
    }

    @Test
    void theManifestsSplitIsTheOneEveryCommandUses() throws IOException {
        Path d = folder("2\tbo\t3 1 2\t5 7 30\t2 1 1\n");
        Files.writeString(d.resolve("prepared.json"), MANIFEST.replace("\"interactions\": 4", "\"interactions\": 5"));
        Split loo = Prepared.of(PreparedReader.read(d), null).split();
        assertThat(loo.name()).isEqualTo(LeaveOneOut.NAME);
        assertThat(loo.test()).containsExactly(0, 0, 2);
        Files.writeString(
                d.resolve("prepared.json"),
                MANIFEST.replace(
                                "\"kind\": \"leave-one-out\", \"valFraction\": 0, \"testFraction\": 0, \"t1\": 0, "
                                        + "\"t2\": 0",
                                "\"kind\": \"temporal\", \"valFraction\": 0.2, \"testFraction\": 0.2, \"t1\": 7, "
                                        + "\"t2\": 20")
                        .replace("\"interactions\": 4", "\"interactions\": 5"));
        Dataset data = PreparedReader.read(d);
        assertThat(data.split().kind()).isEqualTo(TemporalSplit.NAME);
        // as recsys train / evaluate --data prepared:DIR split it: before 7 trains, [7, 20) validates, 20 on tests
        Split s = Prepared.of(data, null).split();
        assertThat(s.name()).isEqualTo("temporal(0.2,0.2)");
        assertThat(s.train()[1]).isEmpty();
        assertThat(s.train()[2]).containsExactly(3);
        assertThat(s.validation()).containsExactly(0, 0, 1);
        assertThat(s.test()).containsExactly(0, 0, 2);
        assertThat(Preprocess.kCore(data, 3, 1).split()).isEqualTo(data.split());
    }

    @Test
    void anIncompleteOrBrokenFolderIsOneLine() throws IOException {
        Path d = folder("");
        assertThatThrownBy(() -> PreparedReader.read(d))
                .isInstanceOf(DataException.class)
                .hasMessage(d.resolve("sequences") + ": user 2 of 1..2 is missing; the folder is incomplete");
        Files.writeString(d.resolve("sequences/part-00001"), "2\tbo\t3 9\t5 7\t2 1\n");
        assertThatThrownBy(() -> PreparedReader.read(d))
                .isInstanceOf(DataException.class)
                .hasMessage(d.resolve("sequences/part-00001") + ":1: item 9 is outside 1..3");
        Files.writeString(d.resolve("prepared.json"), MANIFEST.replace("\"version\": 1", "\"version\": 7"));
        assertThatThrownBy(() -> PreparedReader.read(d))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("version 7 is not supported; this recsys reads 1");
        assertThatThrownBy(() -> PreparedReader.read(tmp.resolve("nothing")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("nothing not found; expected a prepared data folder");
    }
}
