package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import java.util.SplittableRandom;

/** Random test inputs shared by this module's tests. */
final class TestInputs {
    private TestInputs() {}

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
