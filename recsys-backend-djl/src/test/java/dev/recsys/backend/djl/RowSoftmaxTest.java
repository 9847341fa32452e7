package dev.recsys.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.contract.ContractFixtures;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RowSoftmax} (a row at a time, gradients by hand) against autograd over the concatenated
 * logits of {@link DjlLosses#sampled}: the same loss and the same gradients of the item vectors and
 * the user vectors, with rows of several, one and no counted positions.
 */
class RowSoftmaxTest {
    private static final int ITEMS = 40;
    private static final int D = 8;
    private static final int K = 12;
    /** Sequence row of each counted position: row 1 has none, row 2 one. */
    private static final int[] ROW_OF = {0, 0, 0, 2, 3, 3, 3, 3, 3};

    @Test
    void rowByRowLossAndGradientsEqualAutogradOverTheConcatenatedLogits() {
        SplittableRandom r = new SplittableRandom(7);
        int p = ROW_OF.length;
        float[] vectors = ContractFixtures.normal(r, ITEMS * D, 1.5);
        float[] users = ContractFixtures.normal(r, p * D, 1.5);
        int[] targets = new int[p];
        for (int i = 0; i < p; i++) {
            targets[i] = 1 + r.nextInt(ITEMS - 1);
        }
        int[] negatives = new int[4 * K];
        for (int b = 0; b < 4; b++) {
            int[] ids = r.ints(1, ITEMS).distinct().limit(K).toArray();
            System.arraycopy(ids, 0, negatives, b * K, K);
        }
        Result byRow = run(vectors, users, targets, negatives, true);
        Result autograd = run(vectors, users, targets, negatives, false);
        assertThat(byRow.loss).isCloseTo(autograd.loss, within(1e-5f * Math.abs(autograd.loss)));
        assertThat(autograd.loss).isGreaterThan(1f);
        ContractFixtures.assertCloseRelative(byRow.vectorGrad, autograd.vectorGrad, 1e-5);
        ContractFixtures.assertCloseRelative(byRow.userGrad, autograd.userGrad, 1e-5);
    }

    private record Result(float loss, float[] vectorGrad, float[] userGrad) {}

    private static Result run(float[] vectors, float[] users, int[] targets, int[] negatives, boolean byRow) {
        ModelConfig c = Fixtures.idOnly();
        Fixtures.backend();
        int p = ROW_OF.length;
        try (NDManager base = Engine.getEngine("PyTorch").newBaseManager();
                ParamStore store = new ParamStore(c, base)) {
            store.load(Initializer.init(c, 1));
            try (Ctx ctx = new Ctx(store, null, true, false);
                    GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray v = ctx.floats(vectors, ITEMS, D);
                NDArray u = ctx.floats(users, p, D);
                v.setRequiresGradient(true);
                u.setRequiresGradient(true);
                NDArray pos = ctx.rows(v, ctx.longs(targets, p)).mul(u).sum(new int[] {1}, true);
                NDArray loss;
                if (byRow) {
                    loss = RowSoftmax.loss(ctx, v, u, pos, ROW_OF, negatives, K);
                } else {
                    int[] perPosition = new int[p * K];
                    for (int g = 0; g < p; g++) {
                        System.arraycopy(negatives, ROW_OF[g] * K, perPosition, g * K, K);
                    }
                    NDArray neg = ctx.rows(v, ctx.longs(perPosition, p, K))
                            .mul(u.expandDims(1))
                            .sum(new int[] {2});
                    loss = DjlLosses.sampled(
                            ctx, new LossSpec.SampledSoftmax(K, false), pos.concat(neg, 1), null, ITEMS - 1, null);
                }
                gc.backward(loss);
                return new Result(
                        loss.getFloat(), DjlModel.floatsOf(v.getGradient()), DjlModel.floatsOf(u.getGradient()));
            }
        }
    }
}
