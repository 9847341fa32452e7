package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.StepResult;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every op output that a graph run allocates goes back to the session's cache when the run is
 * over ({@link ReclaimingMemMgr}): SameDiff left 77 arrays per training step out (freed only by
 * the garbage collector), so resident memory grew by hundreds of MB per step. After training
 * steps (fine-tuning with content, dropout on) and scoring calls, nothing is outstanding, and the
 * steps still compute the same loss.
 */
class Dl4jMemoryReclaimTest {
    private static final int N = 25;
    private static final int B = 3;
    private static final int L = 6;
    private static final int C = 4;

    @Test
    void runsGiveEveryArrayBackAndStepsStayTheSame() {
        ModelConfig cfg = ModelConfig.builder()
                .numItems(N)
                .dim(8)
                .heads(2)
                .ffnDim(16)
                .maxLen(L)
                .dropout(0.2f)
                .layerNormEps(1e-6f)
                .layers(2)
                .content(12, 3, 1)
                .eventTypes(0)
                .norm(Norm.PRE)
                .positional(Positional.LEARNED)
                .pooling(Pooling.MEAN)
                .itemIds(true)
                .scaleEmbeddings(true)
                .build();
        SplittableRandom r = new SplittableRandom(3);
        ItemContent content = TestInputs.content(cfg, N, r, true);
        int[] items = new int[B * L];
        for (int p = 0; p < items.length; p++) {
            items[p] = p % L < p / L ? 0 : 1 + r.nextInt(N); // row b: b padding positions
        }
        SeqBatch batch = new SeqBatch(B, L, items, null);
        int[] cand = new int[B * C];
        for (int i = 0; i < cand.length; i++) {
            cand[i] = 1 + r.nextInt(N);
        }
        TrainBatch step = new TrainBatch.Candidates(batch, cand, C, null);
        LossSpec loss = new LossSpec.Bpr(C - 1);
        try (Dl4jBackend backend = (Dl4jBackend) new Dl4jBackendProvider().create(BackendOptions.defaults());
                Dl4jModel m = (Dl4jModel) backend.create(cfg, content, Initializer.init(cfg, 9), 1)) {
            float first = 0;
            for (int i = 0; i < 4; i++) {
                StepResult res = m.lossAndGradients(step, loss, false);
                m.lossAndGradients(step, loss, true); // with dropout
                m.scoreAll(batch);
                m.scoreCandidates(batch, cand, C);
                assertThat(m.outstandingArrays())
                        .as("arrays left out after round %d", i)
                        .isZero();
                if (i == 0) {
                    first = res.loss();
                } else {
                    assertThat(res.loss())
                            .as("the eval-mode loss of the same weights, round %d", i)
                            .isEqualTo(first);
                }
            }
            assertThat(first).isPositive();
        }
    }
}
