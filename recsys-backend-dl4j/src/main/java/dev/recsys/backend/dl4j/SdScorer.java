package dev.recsys.backend.dl4j;

import dev.recsys.api.config.Pooling;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Scorer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The stage-2 scorer {@code ŷ = s1 + Pool_{j: keep}(A[j] ⊙ U[j]) · w + b} for C candidates per
 * row: attended {@code [B, C, L, d]}, users {@code [B, L, d]}, userKeep {@code [B, L]}, stage1
 * {@code [B, C]}; returns {@code [B, C]}.
 *
 * <p>MEAN pooling is linear, so {@code Pool(A ⊙ U) · w = Σ_j Σ_k A[c,j,k] Z[j,k]} with
 * {@code Z[j,k] = keep[j] / n · U[j,k] w[k]}: one batched matmul {@code [B, C, L*d] x [B, L*d, 1]},
 * without materialising the product per candidate. MAX pooling needs the product: U is repeated
 * over the candidates by a matmul with ones, padding positions get -1e9, then the max over L.
 */
final class SdScorer implements Scorer<SDVariable> {
    private final Net net;
    private final long batch;
    private final long length;
    private final long candidates;

    SdScorer(Net net, long batch, long length, long candidates) {
        this.net = net;
        this.batch = batch;
        this.length = length;
        this.candidates = candidates;
    }

    @Override
    public SDVariable score(SDVariable attended, SDVariable users, SDVariable userKeep, SDVariable stage1) {
        long b = batch;
        long l = length;
        long c = candidates;
        long d = net.config.dim();
        SDVariable w = net.param(ParamLayout.SCORER_WEIGHT);
        SDVariable pooledW;
        if (net.config.pooling() == Pooling.MEAN) {
            SDVariable count = net.sd.math.max(userKeep.sum(true, 1), net.sd.constant(1f)); // [B, 1]
            SDVariable weight = userKeep.div(count).reshape(b * l, 1);
            SDVariable u2 = users.reshape(b * l, d);
            SDVariable z = net.mulCol(net.mulRow(u2, w.reshape(d), b * l, d), weight, b * l, d);
            pooledW = net.sd
                    .mmul(attended.reshape(b, c, l * d), z.reshape(b, l * d, 1))
                    .reshape(b, c);
        } else {
            SDVariable onesC = net.sd.constant(net.uniq("ones_c"), Nd4j.ones(DataType.FLOAT, b, c, 1));
            SDVariable rep = net.sd.mmul(onesC, users.reshape(b, 1, l * d)); // [B, C, L*d]
            SDVariable prod = attended.reshape(b, c, l * d).mul(rep).reshape(b, c, l, d);
            SDVariable neg = userKeep.sub(1.0).mul(1e9).reshape(b, 1, l, 1);
            SDVariable pooled = prod.add(neg).max(false, 2); // [B, C, d]
            pooledW = net.sd.mmul(pooled.reshape(b * c, d), w).reshape(b, c);
        }
        return pooledW.add(net.param(ParamLayout.SCORER_BIAS)).add(stage1);
    }
}
