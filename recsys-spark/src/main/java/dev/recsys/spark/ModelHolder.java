package dev.recsys.spark;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.RecsysException;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.eval.pipeline.SavedModel;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of this JVM (a Spark executor, or the driver in local mode): each checkpoint folder is
 * loaded once, on first use by a task, onto its backend, and shared by every later task and
 * partition (a model's scoring is thread-safe); they are closed when the JVM ends.
 */
public final class ModelHolder {
    private static final Logger LOG = LoggerFactory.getLogger(ModelHolder.class);
    private static final Map<Key, Loaded> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ModelHolder::closeAll, "recsys-models-close"));
    }

    private ModelHolder() {}

    /**
     * What identifies a loaded model.
     *
     * @param dir     the checkpoint folder, as every executor sees it
     * @param backend the backend's name, or null for the default one
     * @param threads the engine's intra-op threads
     */
    public record Key(String dir, String backend, int threads) implements java.io.Serializable {}

    private record Loaded(Backend backend, SavedModel model) {}

    /** The model of {@code key}, loaded on first use in this JVM. */
    public static SavedModel get(Key key) {
        return MODELS.computeIfAbsent(key, ModelHolder::load).model();
    }

    /** How many models this JVM has loaded (a test checks that it is once per executor). */
    public static int loads() {
        return LOADS.get();
    }

    private static Loaded load(Key key) {
        long t0 = System.nanoTime();
        Backend b = Backends.create(key.backend(), BackendOptions.defaults().withThreads(key.threads()));
        try {
            SavedModel m = SavedModel.load(Path.of(key.dir()), b);
            LOADS.incrementAndGet();
            LOG.info(
                    "loaded {} on {} ({} threads) in {} ms",
                    key.dir(),
                    b.name(),
                    key.threads(),
                    (System.nanoTime() - t0) / 1_000_000);
            return new Loaded(b, m);
        } catch (IOException | RuntimeException e) {
            b.close();
            String msg = e instanceof IOException ? "I/O error: " + e.getMessage() : e.getMessage();
            throw new CheckpointException(
                    "the executor on " + host() + " cannot load the model folder " + key.dir() + ": " + msg
                            + " (the folder must be readable at this path on every executor)",
                    e);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }

    /** Closes every model (at JVM exit; tests may call it). */
    public static void closeAll() {
        for (Map.Entry<Key, Loaded> e : MODELS.entrySet()) {
            try {
                e.getValue().model().close();
                e.getValue().backend().close();
            } catch (RecsysException | IllegalStateException ex) {
                LOG.debug("closing {}: {}", e.getKey(), ex.getMessage());
            }
        }
        MODELS.clear();
    }
}
