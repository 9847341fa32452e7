package dev.recsys.api.contract;

import static dev.recsys.api.contract.ContractFixtures.LENGTH;
import static dev.recsys.api.contract.ContractFixtures.PER_ROW;
import static dev.recsys.api.contract.ContractFixtures.ROWS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Shapes of every {@link RecModel} output, weights and gradients in the canonical layout, a complete trace. */
public abstract class AbstractShapeContractTest extends BackendContractSupport {

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyOutputHasItsDocumentedShape(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        int d = cfg.dim();
        int n1 = cfg.numItems() + 1;
        SeqBatch batch = ContractFixtures.batch(cfg);
        try (RecModel m = create(c, 1)) {
            assertThat(m.config()).isEqualTo(cfg);
            if (cfg.hasContent()) {
                assertThat(m.content().tokens())
                        .containsExactly(ContractFixtures.content(cfg).tokens());
            } else {
                assertThat(m.content()).isNull();
            }
            float[] users = m.userVectors(batch);
            assertThat(users).as("userVectors [B, d]").hasSize(ROWS * d);
            float[] items = m.itemVectors();
            assertThat(items).as("itemVectors [N+1, d]").hasSize(n1 * d);
            float[] all = m.scoreAll(batch);
            assertThat(all).as("scoreAll [B, N+1]").hasSize(ROWS * n1);
            float[] cand = m.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW);
            assertThat(cand).as("scoreCandidates [B, C]").hasSize(ROWS * PER_ROW);
            float[] one = m.scoreCandidates(batch, new int[] {1, 2, 3}, 1);
            assertThat(one).as("scoreCandidates with one candidate per row").hasSize(ROWS);
            for (float[] v : new float[][] {users, items, all, cand, one}) {
                assertFinite("outputs of " + c, v);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void weightsAndGradientsFollowTheCanonicalLayout(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        try (RecModel m = create(c, 1)) {
            checkLayout("weights()", cfg, m.weights());
            StepResult r =
                    m.lossAndGradients(ContractFixtures.finetune(cfg, new LossSpec.Bpr(2)), new LossSpec.Bpr(2), false);
            assertThat(Float.isFinite(r.loss()))
                    .as("loss %s is finite", r.loss())
                    .isTrue();
            checkLayout("gradients", cfg, r.gradients());
            for (String name : r.gradients().names()) {
                assertFinite("gradient of " + name, r.gradients().data(name));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theTraceHasEveryEntryWithItsShape(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        int d = cfg.dim();
        int n1 = cfg.numItems() + 1;
        try (RecModel m = create(c, 1)) {
            ForwardTrace t = m.trace(ContractFixtures.batch(cfg), ContractFixtures.candidates(), PER_ROW);
            assertThat(t.get(ForwardTrace.ITEM_VECTORS))
                    .as(ForwardTrace.ITEM_VECTORS)
                    .hasSize(n1 * d);
            if (cfg.hasContent()) {
                assertThat(t.get(ForwardTrace.CONTENT_OUTPUT))
                        .as(ForwardTrace.CONTENT_OUTPUT)
                        .hasSize(n1 * cfg.contentLen() * d);
            }
            assertThat(t.get(ForwardTrace.USER_INPUT))
                    .as(ForwardTrace.USER_INPUT)
                    .hasSize(ROWS * LENGTH * d);
            for (int i = 0; i < cfg.layers(); i++) {
                assertThat(t.get(ForwardTrace.userLayer(i)))
                        .as(ForwardTrace.userLayer(i))
                        .hasSize(ROWS * LENGTH * d);
            }
            assertThat(t.get(ForwardTrace.USER_OUTPUT))
                    .as(ForwardTrace.USER_OUTPUT)
                    .hasSize(ROWS * LENGTH * d);
            assertThat(t.get(ForwardTrace.STAGE1)).as(ForwardTrace.STAGE1).hasSize(ROWS * n1);
            assertThat(t.get(ForwardTrace.CROSS_OUTPUT))
                    .as(ForwardTrace.CROSS_OUTPUT)
                    .hasSize(ROWS * PER_ROW * LENGTH * d);
            assertThat(t.get(ForwardTrace.STAGE2)).as(ForwardTrace.STAGE2).hasSize(ROWS * PER_ROW);
        }
    }

    private static void checkLayout(String what, ModelConfig cfg, Weights w) {
        assertThat(w.names())
                .as("%s: the canonical names", what)
                .containsExactlyInAnyOrderElementsOf(ParamLayout.of(cfg).stream()
                        .map(ParamLayout.Param::name)
                        .toList());
        for (ParamLayout.Param p : ParamLayout.of(cfg)) {
            assertThat(w.get(p.name()).shape())
                    .as("%s: shape of %s", what, p.name())
                    .containsExactly(p.shape());
        }
    }
}
