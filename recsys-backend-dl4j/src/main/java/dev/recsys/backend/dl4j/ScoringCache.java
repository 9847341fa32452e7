package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.model.ParamLayout;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What scoring keeps between calls, each valid for one weight version: the item vectors of every
 * item (for content models a content pass over the catalogue, which also keeps every item's encoded
 * content for stage 2), their ND4J matrix for stage 1, and
 * the user encoding of the last stage-1 call, which a following stage-2 call on the same histories
 * (the two-stage recommender's pattern) reuses instead of encoding them again.
 *
 * <p>Threads: scoring calls run at the same time (under the model's read lock, which keeps the
 * weight version fixed while they run); the shared values are computed once under this object's
 * monitor, and the last user encoding is kept per thread, since the stage-2 call that reuses it
 * runs on the thread of its stage-1 call.
 */
final class ScoringCache implements AutoCloseable {
    private final ModelConfig config;
    private final MasterWeights master;
    /** The content pass of a content model, null for an id-only model. */
    private final ContentPass content;

    private float[] itemVectors;
    /** Encoded content of every item {@code [N+1, T, d]} for stage 2 (content models), same version as itemVectors. */
    private float[] contentOutputs;

    private long itemVectorsVersion = -1;
    /** The item vectors as an ND4J matrix {@code [d, N+1]} for stage-1 scoring, per item-vector version. */
    private INDArray itemMatrix;

    private INDArray itemBase;
    private long itemMatrixVersion = -1;
    /** The item side of a MEAN-pooled stage 2, per item-vector version (made on first use). */
    private CrossTables crossTables;

    private long crossTablesVersion = -1;
    private final ThreadLocal<Encoding> last = new ThreadLocal<>();

    /** A stage-1 call's batch and user encoding {@code [B*L, d]} under weight version {@code version}. */
    private record Encoding(SeqBatch batch, float[] user, long version) {}

    ScoringCache(ModelConfig config, MasterWeights master, ContentPass content) {
        this.config = config;
        this.master = master;
        this.content = content;
    }

    /** Item vectors of every item {@code [N+1, d]} (not a copy), computed once per weight version. */
    synchronized float[] itemVectors() {
        if (itemVectorsVersion == master.version() && itemVectors != null) {
            return itemVectors;
        }
        if (content == null) {
            itemVectors = master.data(ParamLayout.ITEM_EMBEDDING).clone();
        } else {
            ContentPass.Every every = content.every();
            itemVectors = every.vectors();
            contentOutputs = every.outputs();
        }
        itemVectorsVersion = master.version();
        return itemVectors;
    }

    /**
     * Encoded content of every item {@code [N+1, T, d]} (not a copy; content models only), computed
     * with the item vectors: stage 2 gathers its candidates' keys from it instead of running the
     * content encoder over them on every call (half of a re-ranking call's time before).
     */
    synchronized float[] contentOutputs() {
        itemVectors();
        return contentOutputs;
    }

    /** The {@link CrossTables} of every item, computed once per weight version (with the item vectors). */
    synchronized CrossTables crossTables() {
        float[] vectors = itemVectors();
        if (crossTables == null || crossTablesVersion != itemVectorsVersion) {
            crossTables = null; // the old tables are garbage before the new ones are made
            crossTables = CrossTables.of(
                    config,
                    master.live(),
                    content == null ? vectors : contentOutputs,
                    content == null ? null : content.content());
            crossTablesVersion = itemVectorsVersion;
        }
        return crossTables;
    }

    /**
     * {@code users [B, d] · itemVectors^T} → {@code [B, N+1]}, in a session's native buffers (the users' and
     * the scores').
     */
    float[] dotAll(float[] users, int b, NativeBuffer in, NativeBuffer scores) {
        int d = config.dim();
        int n = config.numItems() + 1;
        INDArray items = itemMatrix();
        in.ensure((long) b * d);
        scores.ensure((long) b * n);
        in.write(users, b * d);
        Nd4j.matmul(in.view(b, d), items, scores.view(b, n), false, false, false);
        float[] out = new float[Math.multiplyExact(b, n)];
        scores.read(out, out.length);
        return out;
    }

    /** The item vectors as {@code [d, N+1]} (a view), made once per item-vector version and then only read. */
    private synchronized INDArray itemMatrix() {
        float[] vectors = itemVectors();
        if (itemMatrix == null || itemMatrixVersion != itemVectorsVersion) {
            if (itemBase != null) {
                itemBase.close();
            }
            itemBase = Nd4j.create(vectors, new long[] {config.numItems() + 1, config.dim()}, 'c');
            itemMatrix = itemBase.transpose(); // [d, N+1] view
            itemMatrixVersion = itemVectorsVersion;
        }
        return itemMatrix;
    }

    /** Keeps the user encoding {@code [B*L, d]} of a stage-1 call on this batch. */
    void remember(SeqBatch batch, float[] encoded) {
        SeqBatch copy = new SeqBatch(
                batch.size(),
                batch.length(),
                batch.items().clone(),
                batch.events() == null ? null : batch.events().clone());
        last.set(new Encoding(copy, encoded, master.version()));
    }

    /** This thread's remembered user encoding of exactly this batch under the current weights, or null. */
    float[] encodingOf(SeqBatch batch) {
        Encoding e = last.get();
        boolean same = e != null
                && e.version() == master.version()
                && e.batch().size() == batch.size()
                && e.batch().length() == batch.length()
                && Arrays.equals(e.batch().items(), batch.items())
                && Arrays.equals(e.batch().events(), batch.events());
        return same ? e.user() : null;
    }

    @Override
    public synchronized void close() {
        itemVectors = null;
        contentOutputs = null;
        crossTables = null;
        last.remove();
        if (itemBase != null) {
            itemBase.close();
            itemBase = null;
            itemMatrix = null;
        }
    }
}
