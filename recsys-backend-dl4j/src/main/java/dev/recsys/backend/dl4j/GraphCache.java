package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's SameDiff graphs, one per batch shape and purpose (eval, pre-training by negatives
 * mode, fine-tuning; content encoder by row count), built on first use and kept in an LRU of
 * {@value #CAPACITY} graphs of either kind, so a training run builds two or three graphs in all.
 */
final class GraphCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GraphCache.class);
    static final int CAPACITY = 16;

    private final ModelConfig config;
    private final Map<Object, Graph> graphs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Graph> eldest) {
            if (size() > CAPACITY) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };

    GraphCache(ModelConfig config) {
        this.config = config;
    }

    /** The user graph of a spec, built on first use. */
    UserGraph user(UserGraph.Spec spec) {
        Graph g = graphs.get(spec);
        if (g == null) {
            long t0 = System.nanoTime();
            g = UserGraph.build(config, spec);
            graphs.put(spec, g);
            LOG.debug("built user graph {} in {} ms", spec, (System.nanoTime() - t0) / 1_000_000);
        }
        return (UserGraph) g;
    }

    private record ContentKey(int rows, boolean dropout, boolean differentiable) {}

    /** The content-encoder graph over {@code rows} items, built on first use. */
    ContentGraph content(int rows, boolean dropout, boolean differentiable) {
        ContentKey key = new ContentKey(rows, dropout, differentiable);
        Graph g = graphs.get(key);
        if (g == null) {
            g = ContentGraph.build(config, rows, dropout, differentiable);
            graphs.put(key, g);
            LOG.debug("built content graph for {} rows (dropout {})", rows, dropout);
        }
        return (ContentGraph) g;
    }

    /** A count summed over the cached graphs (test hooks). */
    int sum(ToIntFunction<Graph> count) {
        return graphs.values().stream().mapToInt(count).sum();
    }

    @Override
    public void close() {
        for (Graph g : graphs.values()) {
            g.close();
        }
        graphs.clear();
    }
}
