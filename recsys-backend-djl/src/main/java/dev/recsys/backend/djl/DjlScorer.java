package dev.recsys.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Scorer;

/**
 * The stage-2 scorer {@code ŷ = s1 + Pool_{j valid}(A_j ⊙ U_j) · w + b} (MEAN: average over the
 * valid positions, a row without any counts as one; MAX: element-wise maximum).
 */
final class DjlScorer implements Scorer<NDArray> {
    private final Ctx c;
    private final Pooling pooling;

    DjlScorer(Ctx c, Pooling pooling) {
        this.c = c;
        this.pooling = pooling;
    }

    @Override
    public NDArray score(NDArray attended, NDArray users, NDArray userKeep, NDArray stage1) {
        return scoreMany(attended.expandDims(1), users, userKeep, stage1.expandDims(1))
                .squeeze(1);
    }

    /**
     * @param attended {@code [B, C, L, d]}
     * @param users    {@code [B, L, d]}
     * @param userKeep {@code [B, L]} float
     * @param stage1   {@code [B, C]}
     * @return {@code [B, C]}
     */
    NDArray scoreMany(NDArray attended, NDArray users, NDArray userKeep, NDArray stage1) {
        Shape us = users.getShape();
        long b = us.get(0);
        long len = us.get(1);
        NDArray pooled;
        if (pooling == Pooling.MEAN) {
            NDArray cnt = userKeep.sum(new int[] {1}, true).maximum(c.scalar(1f));
            NDArray weighted = users.mul(userKeep.div(cnt).reshape(b, len, 1));
            pooled = attended.mul(weighted.expandDims(1)).sum(new int[] {2});
        } else {
            NDArray prod = attended.mul(users.expandDims(1))
                    .add(userKeep.sub(c.scalar(1f)).mul(c.scalar(-Mha.NEG)).reshape(b, 1, len, 1));
            pooled = prod.max(new int[] {2});
        }
        NDArray w = c.p(ParamLayout.SCORER_WEIGHT);
        NDArray bias = c.p(ParamLayout.SCORER_BIAS);
        return pooled.matMul(w).squeeze(2).add(bias).add(stage1);
    }
}
