package dev.recsys.serve;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.data.NewItem;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.io.ItemAddition;
import dev.recsys.api.recommend.NewItemBoost;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.pipeline.SavedModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded checkpoint: the backend's model, its catalogue and its unit-length item vectors,
 * reference-counted so that a model replaced by a hot reload is closed only after its last
 * request. The count starts at one (held by the server while the model is current);
 * {@link #acquire} fails once the count has reached zero, i.e. once the model is closed.
 */
final class LoadedModel {
    private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);
    /** Re-ranking depth when the checkpoint's metadata does not say (as {@code recsys train} writes it). */
    static final int DEFAULT_RERANK = 100;
    /** Checkpoint metadata key of the re-ranking depth. */
    static final String META_RERANK = "rerank";

    final Path dir;
    final String version;
    final RecModel model;
    final CheckpointData data;
    final int rerank;
    final Catalogue catalogue;
    /** Item vectors scaled to length 1, {@code [N+1, d]} (row 0 padding). */
    final float[] unitVectors;

    final int dim;
    /** The attention weights behind recommendations, for requests with {@code explain}. */
    final Explainer explainer;

    private final AtomicInteger refs = new AtomicInteger(1);
    /** Which items are new, found on the first boosted request (racing requests compute the same). */
    private volatile NewItemBoost newItems;

    private LoadedModel(
            Path dir, String version, RecModel model, CheckpointData data, int rerank, Catalogue catalogue) {
        this.dir = dir;
        this.version = version;
        this.model = model;
        this.data = data;
        this.rerank = rerank;
        this.catalogue = catalogue;
        this.dim = data.config().dim();
        this.unitVectors = normalise(model.itemVectors(), dim);
        this.explainer = new Explainer(this);
    }

    /**
     * Reads a checkpoint folder through {@link Checkpoint#read}, builds its model on the backend
     * and computes the item vectors once.
     *
     * @param dataset users' histories and titles, or null
     */
    static LoadedModel load(Path dir, Backend backend, Dataset dataset) throws IOException {
        long t0 = System.nanoTime();
        Path d = dir.toAbsolutePath().normalize();
        CheckpointData cd = Checkpoint.read(d);
        int rerank = rerank(cd, d);
        Catalogue cat = Catalogue.of(cd, dataset);
        String version = d.getFileName() + "@" + digest(d);
        return of(d, version, cd, rerank, cat, backend, t0);
    }

    /**
     * This model with catalogue entries added from their content ({@link ItemAddition}): a new
     * model on the same backend; this one is left as it is (the caller swaps and releases it).
     *
     * @param titles display titles of the items, in order
     */
    WithItems withItems(List<NewItem> items, List<String> titles, boolean replace, Backend backend, Dataset dataset) {
        long t0 = System.nanoTime();
        SavedModel.requireContentRules(data);
        ItemAddition add = ItemAddition.of(data, items, replace);
        Map<Integer, String> byItem = new HashMap<>();
        for (int i = 0; i < add.entries().size(); i++) {
            byItem.put(add.entries().get(i).dense(), titles.get(i));
        }
        Catalogue cat = catalogue.withTitlesOf(Catalogue.of(add.data(), dataset), byItem);
        StringBuilder key = new StringBuilder();
        for (NewItem it : items) {
            key.append(it.id()).append('\u0000').append(it.tokens()).append('\u0001');
        }
        String v = version + "+"
                + HexFormat.of()
                        .formatHex(sha256(key.toString().getBytes(StandardCharsets.UTF_8)))
                        .substring(0, 8);
        return new WithItems(of(dir, v, add.data(), rerank, cat, backend, t0), add);
    }

    /** A model with items added, and what was added. */
    record WithItems(LoadedModel model, ItemAddition addition) {}

    private static LoadedModel of(
            Path d, String version, CheckpointData cd, int rerank, Catalogue cat, Backend backend, long t0) {
        RecModel m = backend.create(
                cd.config(),
                cd.content(),
                cd.weights(),
                cd.provenance() == null ? 0 : cd.provenance().seed());
        try {
            LoadedModel lm = new LoadedModel(d, version, m, cd, rerank, cat);
            LOG.info(
                    "loaded model {} ({} items, d={}, rerank={}) on {} in {} ms",
                    version,
                    cd.config().numItems(),
                    cd.config().dim(),
                    rerank,
                    backend.name(),
                    (System.nanoTime() - t0) / 1_000_000);
            return lm;
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    private static int rerank(CheckpointData cd, Path dir) {
        String r = cd.metadata().get(META_RERANK);
        if (r == null) {
            return DEFAULT_RERANK;
        }
        try {
            int v = Integer.parseInt(r.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new CheckpointException(
                    dir.resolve(Checkpoint.MODEL_JSON) + ": metadata rerank must be a whole number >= 0, found " + r);
        }
    }

    /** The first 12 hex digits of SHA-256 over model.json and the weights: the model version reported by the API. */
    private static String digest(Path dir) throws IOException {
        return HexFormat.of()
                .formatHex(sha256(
                        Files.readAllBytes(dir.resolve(Checkpoint.MODEL_JSON)),
                        Files.readAllBytes(dir.resolve(Checkpoint.WEIGHTS))))
                .substring(0, 12);
    }

    private static byte[] sha256(byte[]... parts) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    private static float[] normalise(float[] v, int d) {
        float[] out = new float[v.length];
        for (int r = 0; r < v.length / d; r++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += (double) v[r * d + j] * v[r * d + j];
            }
            float inv = s > 0 ? (float) (1 / Math.sqrt(s)) : 0f;
            for (int j = 0; j < d; j++) {
                out[r * d + j] = v[r * d + j] * inv;
            }
        }
        return out;
    }

    /** A recommender of this model with the given re-ranking depth (cheap: two fields). */
    Recommender recommender(int rerankDepth) {
        return new Recommender(model, rerankDepth);
    }

    /**
     * A recommender with the given re-ranking depth whose new items (no trained id row: cold in
     * training or added from their content) are raised by {@code boost} standard deviations
     * ({@link NewItemBoost}); {@code boost == 0} is {@link #recommender(int)}.
     *
     * @throws dev.recsys.api.DataException for a model without content or item ids
     */
    Recommender recommender(int rerankDepth, float boost) {
        if (boost == 0f) {
            return recommender(rerankDepth);
        }
        NewItemBoost b = newItems;
        if (b == null) {
            b = NewItemBoost.of(data.config(), data.weights(), 1f);
            newItems = b;
        }
        return new Recommender(model, rerankDepth, new NewItemBoost(b.isNew(), boost));
    }

    /** Takes a reference; false when the model is already closed. */
    boolean acquire() {
        while (true) {
            int r = refs.get();
            if (r == 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one closes the model. */
    void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            model.close();
            LOG.info("closed model {}", version);
        } else if (r < 0) {
            throw new IllegalStateException("model " + version + " released more often than acquired");
        }
    }

    /** Whether the model has been closed (its last reference dropped). */
    boolean isClosed() {
        return refs.get() == 0;
    }
}
