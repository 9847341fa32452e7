package dev.recsys.backend.djl;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import java.util.SplittableRandom;

/** Tiny models and batches shared by the tests; one backend per JVM. */
final class Fixtures {
    static final int N = 12;

    private static Backend backend;

    private Fixtures() {}

    static synchronized Backend backend() {
        if (backend == null) {
            backend = new DjlBackendProvider().create(BackendOptions.defaults());
        }
        return backend;
    }

    /** Id-only, PRE norm, learned positions, 2 heads, mean pooling. */
    static ModelConfig idOnly() {
        return ModelConfig.builder()
                .numItems(N)
                .dim(8)
                .heads(2)
                .layers(2)
                .ffnDim(12)
                .maxLen(7)
                .dropout(0.2f)
                .build();
    }

    /** Content + ids, POST norm, sinusoidal positions, event types, max pooling, 2 heads. */
    static ModelConfig contentPost() {
        return ModelConfig.builder()
                .numItems(N)
                .dim(8)
                .heads(2)
                .layers(1)
                .ffnDim(10)
                .maxLen(7)
                .content(9, 4, 1)
                .eventTypes(3)
                .positional(Positional.SINUSOIDAL)
                .norm(Norm.POST)
                .pooling(Pooling.MAX)
                .dropout(0.1f)
                .layerNormEps(1e-5f)
                .build();
    }

    /** Content only (no id embedding), PRE norm, learned positions, one head, mean pooling, 2 content layers. */
    static ModelConfig contentOnly() {
        return ModelConfig.builder()
                .numItems(N)
                .dim(6)
                .heads(1)
                .layers(1)
                .ffnDim(8)
                .maxLen(7)
                .content(9, 5, 2)
                .itemIds(false)
                .scaleEmbeddings(false)
                .build();
    }

    static ItemContent content(ModelConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] per = new int[c.numItems() + 1][];
        for (int i = 1; i <= c.numItems(); i++) {
            int n = r.nextInt(c.contentLen());
            per[i] = new int[n];
            for (int k = 0; k < n; k++) {
                per[i][k] = 2 + r.nextInt(c.contentVocab() - 2);
            }
        }
        return ItemContent.of(c.numItems(), c.contentLen(), per);
    }

    /** Left-padded histories of lengths {@code lens} in a batch of length len. */
    static SeqBatch batch(ModelConfig c, int len, int[] lens, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int b = lens.length;
        int[] items = new int[b * len];
        int[] events = c.eventTypes() > 0 ? new int[b * len] : null;
        for (int row = 0; row < b; row++) {
            for (int j = len - lens[row]; j < len; j++) {
                items[row * len + j] = 1 + r.nextInt(c.numItems());
                if (events != null) {
                    events[row * len + j] = r.nextInt(c.eventTypes());
                }
            }
        }
        return new SeqBatch(b, len, items, events);
    }

    static int[] candidates(int rows, int perRow, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] c = new int[rows * perRow];
        for (int i = 0; i < c.length; i++) {
            c[i] = 1 + r.nextInt(N);
        }
        return c;
    }
}
