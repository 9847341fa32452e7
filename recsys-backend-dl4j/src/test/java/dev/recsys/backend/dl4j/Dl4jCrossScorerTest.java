package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.BackendOptions;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stage 2 of MEAN-pooled models through {@link CrossScorer} and {@link CrossTables} against the
 * reference model: content models with items of 1 to T tokens (packed, sorted by count), 2 heads,
 * left-padded histories, candidates split into groups of a few (a tiny float budget), an ids-only
 * model (one key per candidate), and attention scores so large that the shift by the marker's
 * score overflows (the sums are then recomputed with the maximum's shift).
 */
class Dl4jCrossScorerTest {
    private static final int N = 40;
    private static final int ROWS = 5;
    private static final int LEN = 8;
    private static final int PER_ROW = 7;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"content", "content, candidates in groups of 2", "ids only", "content, huge scores"})
    void stageTwoGivesTheReferenceScores(String name) {
        boolean content = name.startsWith("content");
        ModelConfig.Builder b = TestInputs.small(N, LEN, Pooling.MEAN);
        ModelConfig cfg = (content ? b.content(20, 4, 1) : b).build();
        SplittableRandom r = new SplittableRandom(3);
        ItemContent items = content ? TestInputs.content(cfg, N, r, false) : null;
        Weights w = Initializer.init(cfg, 9);
        if (name.endsWith("huge scores")) { // score differences of hundreds: exp of them is not a float
            float[] q = w.data(ParamLayout.CROSS + ".query.weight");
            for (int i = 0; i < q.length; i++) {
                q[i] *= 400f;
            }
        }
        ReferenceModel ref = new ReferenceModel(cfg, items, w);
        int[] hist = new int[ROWS * LEN];
        for (int row = 0; row < ROWS; row++) {
            for (int p = row % 4; p < LEN; p++) { // 0..3 padding positions
                hist[row * LEN + p] = 1 + r.nextInt(N);
            }
        }
        SeqBatch batch = new SeqBatch(ROWS, LEN, hist, null);
        int[] candidates = new int[ROWS * PER_ROW];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = r.nextInt(N + 1); // the padding item 0 too
        }
        double[] expected = ref.scoreCandidates(batch, candidates, PER_ROW);
        try (Dl4jBackend backend = (Dl4jBackend) new Dl4jBackendProvider().create(BackendOptions.defaults());
                Dl4jModel m = (Dl4jModel) backend.create(cfg, items, w, 1)) {
            if (name.endsWith("groups of 2")) {
                m.stage2ChunkFloats(2L * cfg.crossKeyLen() * LEN);
            }
            float[] fresh = m.scoreCandidates(batch, candidates, PER_ROW);
            m.scoreAll(batch);
            float[] reused = m.scoreCandidates(batch, candidates, PER_ROW);
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) fresh[i]).as("score %d", i).isCloseTo(expected[i], within(1e-4));
                assertThat(reused[i]).as("score %d, stage-1 encoding reused", i).isEqualTo(fresh[i]);
            }
        }
    }
}
