package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.BackendOptions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Stage 2 through the graph (MAX pooling; MEAN pooling runs {@link CrossScorer}, see
 * {@link Dl4jCrossScorerTest}) split into groups of rows (large evaluation batches, {@code Dl4jModel.stage2ChunkFloats}):
 * 7 rows scored 2 at a time (chunks of 2, 2, 2 and 1, two graph shapes) give the reference model's
 * scores, both when the batch is encoded for stage 2 and when stage 2 reuses the encoding of the
 * stage-1 call that preceded it on the same batch.
 */
class Dl4jStageTwoChunkTest {
    private static final int N = 30;
    private static final int ROWS = 7;
    private static final int LEN = 6;
    private static final int PER_ROW = 5;

    @Test
    void chunkedStageTwoGivesTheReferenceScores() {
        ModelConfig cfg =
                TestInputs.small(N, LEN, Pooling.MAX).content(12, 3, 1).build();
        SplittableRandom r = new SplittableRandom(5);
        ItemContent content = TestInputs.content(cfg, N, r, false);
        Weights w = Initializer.init(cfg, 17);
        ReferenceModel ref = new ReferenceModel(cfg, content, w);
        int[] items = new int[ROWS * LEN];
        for (int row = 0; row < ROWS; row++) {
            int pad = row % 3; // left padding of 0..2 positions
            for (int p = pad; p < LEN; p++) {
                items[row * LEN + p] = 1 + r.nextInt(N);
            }
        }
        SeqBatch batch = new SeqBatch(ROWS, LEN, items, null);
        int[] candidates = new int[ROWS * PER_ROW];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = 1 + r.nextInt(N);
        }
        double[] expected = ref.scoreCandidates(batch, candidates, PER_ROW);

        try (Dl4jBackend backend = (Dl4jBackend) new Dl4jBackendProvider().create(BackendOptions.defaults());
                Dl4jModel m = (Dl4jModel) backend.create(cfg, content, w, 1)) {
            m.stage2ChunkFloats(2L * PER_ROW * LEN * cfg.dim()); // two rows per call
            float[] fresh = m.scoreCandidates(batch, candidates, PER_ROW);
            m.scoreAll(batch); // stage 1 on the same batch: stage 2 reuses its user encoding
            float[] reused = m.scoreCandidates(batch, candidates, PER_ROW);
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) fresh[i])
                        .as("score %d, batch encoded for stage 2", i)
                        .isCloseTo(expected[i], within(1e-4));
                assertThat((double) reused[i])
                        .as("score %d, stage-1 encoding reused", i)
                        .isCloseTo(expected[i], within(1e-4));
            }
        }
    }
}
