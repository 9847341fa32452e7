package dev.recsys.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.RefTensor;
import dev.recsys.api.reference.ReferenceModel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The component interfaces (Encoder, CrossAttention, Scorer) on NDArrays against the reference's components. */
class ComponentTest {
    private static final int B = 2;
    private static final int L = 5;
    private static final int T = 4;

    @Test
    void encodersCrossAttentionAndScorerMatchTheReferenceComponents() {
        ModelConfig c = Fixtures.contentPost();
        ItemContent content = Fixtures.content(c, 5);
        Weights w = Initializer.init(c, 8);
        ReferenceModel ref = new ReferenceModel(c, content, w);
        int d = c.dim();
        float[] x = random(B * L * d, 1);
        float[] keep = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
        float[] keys = random(B * T * d, 2);
        float[] keyKeep = {1, 1, 0, 0, 1, 0, 1, 1};
        float[] s1 = {0.5f, -1.25f};
        Fixtures.backend();
        try (NDManager base = Engine.getEngine("PyTorch").newBaseManager();
                ParamStore store = new ParamStore(c, base)) {
            store.load(w);
            try (Ctx ctx = new Ctx(store, null, false, false)) {
                NDArray xs = ctx.floats(x, B, L, d);
                NDArray ks = ctx.floats(keep, B, L);
                NDArray user = new DjlEncoder(ctx, c, ParamLayout.USER_ENCODER, c.layers(), true, null).encode(xs, ks);
                RefTensor refUser =
                        ref.userEncoder().encode(RefTensor.ofFloats(x, B, L, d), RefTensor.ofFloats(keep, B, L));
                assertValid(DjlModel.floatsOf(user), refUser.data(), keep, d);

                NDArray content0 = new DjlEncoder(ctx, c, ParamLayout.CONTENT_ENCODER, c.contentLayers(), false, null)
                        .encode(ctx.floats(keys, B, T, d), ctx.floats(keyKeep, B, T));
                RefTensor refContent = ref.contentEncoder()
                        .encode(RefTensor.ofFloats(keys, B, T, d), RefTensor.ofFloats(keyKeep, B, T));
                assertValid(DjlModel.floatsOf(content0), refContent.data(), keyKeep, d);

                NDArray a = new DjlCrossAttention(ctx, c.heads())
                        .attend(user, ctx.floats(keys, B, T, d), ctx.floats(keyKeep, B, T));
                RefTensor refA = ref.crossAttention()
                        .attend(refUser, RefTensor.ofFloats(keys, B, T, d), RefTensor.ofFloats(keyKeep, B, T));
                assertValid(DjlModel.floatsOf(a), refA.data(), keep, d);

                NDArray y = new DjlScorer(ctx, c.pooling()).score(a, user, ks, ctx.floats(s1, B));
                RefTensor refY =
                        ref.scorer().score(refA, refUser, RefTensor.ofFloats(keep, B, L), RefTensor.ofFloats(s1, B));
                float[] got = DjlModel.floatsOf(y);
                for (int i = 0; i < B; i++) {
                    assertThat((double) got[i]).isCloseTo(refY.data()[i], within(1e-4));
                }
            }
        }
    }

    private static void assertValid(float[] got, double[] expected, float[] keep, int d) {
        assertThat(got).hasSize(expected.length);
        for (int i = 0; i < got.length; i++) {
            if (keep[i / d] != 0) {
                assertThat((double) got[i]).as("[%d]", i).isCloseTo(expected[i], within(1e-4));
            }
        }
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
