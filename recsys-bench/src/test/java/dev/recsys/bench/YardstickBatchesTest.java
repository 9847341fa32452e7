package dev.recsys.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.DataException;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.TrainBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YardstickBatchesTest {
    @TempDir
    Path dir;

    @Test
    void leavesOutTheLastTwoItemsAndPadsEveryRowToMaxLen() throws IOException {
        Path f = dir.resolve("seq.txt");
        // user 1: 1 2 3 4 5 6 (train 1..4), user 2: 7 8 9 10 (train 7 8)
        Files.writeString(f, "1 1\n1 2\n1 3\n1 4\n1 5\n1 6\n2 7\n2 8\n2 9\n2 10\n");
        YardstickBatches y = YardstickBatches.load(f);
        assertThat(y.numItems()).isEqualTo(10);
        assertThat(y.users()).containsExactly(1, 2);
        assertThat(y.train()[1]).containsExactly(1, 2, 3, 4);
        TrainBatch.NextItem b = (TrainBatch.NextItem) y.batch(2, 5, new SplittableRandom(1), new boolean[11], 0);
        assertThat(b.input().length()).isEqualTo(5);
        for (int row = 0; row < 2; row++) {
            int[] items = java.util.Arrays.copyOfRange(b.input().items(), row * 5, row * 5 + 5);
            int[] targets = java.util.Arrays.copyOfRange(b.targets(), row * 5, row * 5 + 5);
            if (items[4] == 3) { // user 1: inputs 1 2 3, targets 2 3 4, two padding slots
                assertThat(items).containsExactly(0, 0, 1, 2, 3);
                assertThat(targets).containsExactly(0, 0, 2, 3, 4);
            } else {
                assertThat(items).containsExactly(0, 0, 0, 0, 7);
                assertThat(targets).containsExactly(0, 0, 0, 0, 8);
            }
        }
        for (int p = 0; p < 10; p++) {
            if (b.targets()[p] != 0) {
                int neg = ((Negatives.PerPosition) b.negatives()).candidates()[p * 2 + 1];
                assertThat(neg).isBetween(1, 10);
                // never an item of the row's own history
                int[] hist = b.targets()[p] <= 4 ? y.train()[1] : y.train()[2];
                assertThat(hist).doesNotContain(neg);
            }
        }
        TrainBatch.NextItem shared = (TrainBatch.NextItem) y.batch(2, 5, new SplittableRandom(1), new boolean[11], 3);
        assertThat(((Negatives.SharedByBatch) shared.negatives()).ids()).hasSize(3);
        assertThat(shared.targets()).containsExactly(b.targets());
    }

    @Test
    void aMalformedLineNamesFileAndLine() throws IOException {
        Path f = dir.resolve("bad.txt");
        Files.writeString(f, "1 1\n1 x\n");
        assertThatThrownBy(() -> YardstickBatches.load(f))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("bad.txt:2");
    }
}
