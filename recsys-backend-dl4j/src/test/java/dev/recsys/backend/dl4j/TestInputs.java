package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import java.util.SplittableRandom;

/** Random test inputs shared by this module's tests. */
final class TestInputs {
    private TestInputs() {}

    /**
     * A small PRE model of n items, d 8, 2 heads, one layer, no dropout and no events, with the given
     * window and pooling (add content or not, then build).
     */
    static ModelConfig.Builder small(int n, int maxLen, Pooling pooling) {
        return ModelConfig.builder()
                .numItems(n)
                .dim(8)
                .heads(2)
                .ffnDim(16)
                .maxLen(maxLen)
                .dropout(0f)
                .layerNormEps(1e-6f)
                .layers(1)
                .eventTypes(0)
                .norm(Norm.PRE)
                .positional(Positional.LEARNED)
                .pooling(pooling)
                .itemIds(true)
                .scaleEmbeddings(true);
    }

    /** Content for items 1..n: up to contentLen tokens each (at least one if nonEmpty), ids 2..contentVocab-1. */
    static ItemContent content(ModelConfig cfg, int n, SplittableRandom r, boolean nonEmpty) {
        int[][] per = new int[n + 1][];
        for (int i = 1; i <= n; i++) {
            per[i] = new int[nonEmpty ? 1 + r.nextInt(cfg.contentLen()) : r.nextInt(cfg.contentLen())];
            for (int k = 0; k < per[i].length; k++) {
                per[i][k] = 2 + r.nextInt(cfg.contentVocab() - 2);
            }
        }
        return ItemContent.of(n, cfg.contentLen(), per);
    }

    /** b left-padded histories of 1..l items from 1..n (and event types when the config has them). */
    static SeqBatch batch(ModelConfig cfg, int b, int l, int n, SplittableRandom r) {
        int[] items = new int[b * l];
        int[] events = cfg.eventTypes() > 0 ? new int[b * l] : null;
        for (int row = 0; row < b; row++) {
            int len = 1 + r.nextInt(l);
            for (int j = l - len; j < l; j++) {
                items[row * l + j] = 1 + r.nextInt(n);
                if (events != null) {
                    events[row * l + j] = r.nextInt(cfg.eventTypes());
                }
            }
        }
        return new SeqBatch(b, l, items, events);
    }
}
