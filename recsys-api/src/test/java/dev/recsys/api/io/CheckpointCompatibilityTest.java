package dev.recsys.api.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.model.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint written by the hand-written JSON code that came before Jackson
 * ({@code src/test/resources/compat/checkpoint-v1}, from {@link CheckpointTest#fullData()} and a
 * training state) reads back as that data, and writing that data again gives the same bytes.
 */
class CheckpointCompatibilityTest {
    private static final Path FIXTURE = Path.of("src/test/resources/compat/checkpoint-v1");

    @Test
    void aCheckpointOfTheFormerWriterReadsIdenticallyAndIsRewrittenByteForByte(@TempDir Path tmp) throws Exception {
        CheckpointData expected = CheckpointTest.fullData();
        CheckpointData back = Checkpoint.read(FIXTURE);
        assertThat(back.config()).isEqualTo(expected.config());
        assertThat(back.vocabulary()).isEqualTo(expected.vocabulary());
        assertThat(back.itemIds()).isEqualTo(expected.itemIds());
        assertThat(back.metadata()).isEqualTo(expected.metadata());
        assertThat(back.provenance()).isEqualTo(expected.provenance());
        assertThat(back.content().tokens()).isEqualTo(expected.content().tokens());
        for (String n : expected.weights().names()) {
            assertThat(back.weights().data(n))
                    .as(n)
                    .isEqualTo(expected.weights().data(n));
        }
        TrainingState state = Checkpoint.readTrainingState(FIXTURE).orElseThrow();
        assertThat(state.trainer())
                .containsEntry("step", 1234L)
                .containsEntry("bestMetric", 0.1734)
                .containsEntry("history", List.of(0.1, 0.15))
                .containsEntry("rngState", -8_000_000_000_000L)
                .containsEntry("stage", "PRETRAIN")
                .containsKey("bestEpoch");
        Weights opt = CheckpointTest.randomWeights(CheckpointTest.CONTENT, 3);
        for (String n : opt.names()) {
            assertThat(state.optimizer().data(n)).as(n).isEqualTo(opt.data(n));
        }

        Path again = tmp.resolve("again");
        Checkpoint.write(again, back, new TrainingState(state.optimizer(), state.trainer()));
        for (String f : List.of("model.json", "trainer.json", "weights.safetensors", "optimizer.safetensors")) {
            assertThat(Files.readAllBytes(again.resolve(f))).as(f).isEqualTo(Files.readAllBytes(FIXTURE.resolve(f)));
        }
    }
}
