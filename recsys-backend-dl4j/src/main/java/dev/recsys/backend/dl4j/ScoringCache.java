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
    private SeqBatch lastUserBatch;
    private float[] lastUser;
    private long lastUserVersion = -1;

    ScoringCache(ModelConfig config, MasterWeights master, ContentPass content) {
        this.config = config;
        this.master = master;
        this.content = content;
    }

    /** Item vectors of every item {@code [N+1, d]} (not a copy), computed once per weight version. */
    float[] itemVectors() {
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
    float[] contentOutputs() {
        itemVectors();
        return contentOutputs;
    }

    /** {@code users [B, d] · itemVectors^T} → {@code [B, N+1]}. */
    float[] dotAll(float[] users, int b) {
        int d = config.dim();
        float[] vectors = itemVectors();
        if (itemMatrix == null || itemMatrixVersion != itemVectorsVersion) {
            if (itemBase != null) {
                itemBase.close();
            }
            itemBase = Nd4j.create(vectors, new long[] {config.numItems() + 1, d}, 'c');
            itemMatrix = itemBase.transpose(); // [d, N+1] view
            itemMatrixVersion = itemVectorsVersion;
        }
        INDArray u = Nd4j.create(users, new long[] {b, d}, 'c');
        INDArray s = u.mmul(itemMatrix);
        float[] out = Arrays2.toFloats(s);
        s.close();
        u.close();
        return out;
    }

    /** Keeps the user encoding {@code [B*L, d]} of a stage-1 call on this batch. */
    void remember(SeqBatch batch, float[] encoded) {
        lastUserBatch = new SeqBatch(
                batch.size(),
                batch.length(),
                batch.items().clone(),
                batch.events() == null ? null : batch.events().clone());
        lastUser = encoded;
        lastUserVersion = master.version();
    }

    /** The remembered user encoding of exactly this batch under the current weights, or null. */
    float[] encodingOf(SeqBatch batch) {
        boolean same = lastUser != null
                && lastUserVersion == master.version()
                && lastUserBatch.size() == batch.size()
                && lastUserBatch.length() == batch.length()
                && Arrays.equals(lastUserBatch.items(), batch.items())
                && Arrays.equals(lastUserBatch.events(), batch.events());
        return same ? lastUser : null;
    }

    @Override
    public void close() {
        itemVectors = null;
        contentOutputs = null;
        lastUser = null;
        if (itemBase != null) {
            itemBase.close();
            itemBase = null;
            itemMatrix = null;
        }
    }
}
