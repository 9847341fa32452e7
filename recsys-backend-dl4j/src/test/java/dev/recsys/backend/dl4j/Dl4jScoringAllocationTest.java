package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.BackendOptions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.memory.deallocation.DeallocatorService;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A warmed-up recommendation makes few ND4J data buffers: each is registered for deallocation and
 * survives a young collection of a serving JVM (README "Scoring allocations"; on the ML-1M content
 * model 56 per re-ranked recommendation before the change, 9 after). ND4J numbers every data buffer
 * it makes from {@link DeallocatorService#nextValue()}, which this test reads before and after.
 */
class Dl4jScoringAllocationTest {
    private static final int N = 60;
    private static final int LEN = 16;

    @Test
    void aWarmRecommendationMakesFewDataBuffers() {
        ModelConfig cfg =
                TestInputs.small(N, LEN, Pooling.MEAN).content(30, 4, 1).build();
        SplittableRandom r = new SplittableRandom(5);
        ItemContent items = TestInputs.content(cfg, N, r, false);
        int[][] histories = new int[20][];
        for (int u = 0; u < histories.length; u++) {
            histories[u] = new int[1 + r.nextInt(LEN)];
            for (int p = 0; p < histories[u].length; p++) {
                histories[u][p] = 1 + r.nextInt(N);
            }
        }
        try (Dl4jBackend backend = (Dl4jBackend) new Dl4jBackendProvider().create(BackendOptions.defaults());
                Dl4jModel m = (Dl4jModel) backend.create(cfg, items, Initializer.init(cfg, 3), 1)) {
            for (int rerank : new int[] {0, 10}) {
                Recommender rec = new Recommender(m, rerank);
                for (int round = 0; round < 2; round++) { // graphs, plans, caches and views are made here
                    for (int[] h : histories) {
                        rec.recommend(h, 5);
                    }
                }
                DeallocatorService counter = Nd4j.getDeallocatorService();
                long before = counter.nextValue();
                for (int[] h : histories) {
                    rec.recommend(h, 5);
                }
                double perCall = (counter.nextValue() - before - 1) / (double) histories.length;
                // stage 1: the attention maxima (two buffers each) and the custom ops' calls; stage 2: its two products
                assertThat(perCall)
                        .as("data buffers per recommendation, re-rank %d", rerank)
                        .isLessThanOrEqualTo(12.0);
            }
        }
    }
}
