package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's SameDiff graphs, one per batch shape and purpose (eval, pre-training by negatives
 * mode, fine-tuning; content encoder by row count), built on first use and kept in an LRU of
 * {@value #CAPACITY} graphs of either kind. A pre-training run meets one shape per training length
 * bucket (row groups of a fixed row count, {@code Dl4jModel.GROUP_ROWS}), so at most
 * {@value dev.recsys.api.train.Batcher#LENGTH_BUCKETS} training graphs; the cache counts builds and
 * rebuilds (a graph built again after its eviction: shapes churn) and logs the first rebuild.
 */
final class GraphCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GraphCache.class);
    static final int CAPACITY = 16;

    private final ModelConfig config;
    /** Keys of the graphs evicted so far: building one again is a rebuild. */
    private final Set<Object> evicted = new HashSet<>();

    private final Map<Object, Graph> graphs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Graph> eldest) {
            if (size() > CAPACITY) {
                eldest.getValue().close();
                evicted.add(eldest.getKey());
                return true;
            }
            return false;
        }
    };
    private int builds;
    private int rebuilds;

    GraphCache(ModelConfig config) {
        this.config = config;
    }

    /** The user graph of a spec, built on first use. */
    UserGraph user(UserGraph.Spec spec) {
        Graph g = graphs.get(spec);
        if (g == null) {
            long t0 = System.nanoTime();
            g = UserGraph.build(config, spec);
            put(spec, g);
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
            put(key, g);
            LOG.debug("built content graph for {} rows (dropout {})", rows, dropout);
        }
        return (ContentGraph) g;
    }

    private void put(Object key, Graph g) {
        builds++;
        if (evicted.remove(key)) {
            rebuilds++;
            if (rebuilds == 1) {
                LOG.info(
                        "graph cache: rebuilt an evicted graph ({}); more graph shapes are in use than the {} it holds",
                        key,
                        CAPACITY);
            }
        }
        graphs.put(key, g);
    }

    /** Graphs built so far. */
    int builds() {
        return builds;
    }

    /** Graphs built again after the cache had evicted them (each one a wasted build). */
    int rebuilds() {
        return rebuilds;
    }

    /** A count summed over the cached graphs (test hooks). */
    int sum(ToIntFunction<Graph> count) {
        return graphs.values().stream().mapToInt(count).sum();
    }

    @Override
    public void close() {
        LOG.debug("graph cache closed: {} builds, {} rebuilds", builds, rebuilds);
        for (Graph g : graphs.values()) {
            g.close();
        }
        graphs.clear();
    }
}
