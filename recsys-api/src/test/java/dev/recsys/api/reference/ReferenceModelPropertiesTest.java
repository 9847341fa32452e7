package dev.recsys.api.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.contract.ContractFixtures;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Invariances of the reference forward pass on random (perturbed) weights, in double precision. */
class ReferenceModelPropertiesTest {
    private static final Offset<Double> EXACT = within(1e-12);

    static Stream<ContractFixtures.Case> cases() {
        return ContractFixtures.cases().stream();
    }

    private static ReferenceModel model(ContractFixtures.Case c, Weights w) {
        return new ReferenceModel(c.config(), ContractFixtures.content(c.config()), w);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void extraLeftPaddingNeverChangesOutputs(ContractFixtures.Case c) {
        ReferenceModel m = model(c, ContractFixtures.weights(c.config()));
        SeqBatch shortBatch = ContractFixtures.keepLast(ContractFixtures.batch(c.config()), 3);
        SeqBatch padded = ContractFixtures.padLeft(shortBatch, 2);
        int[] cand = ContractFixtures.candidates();
        assertThat(m.userVectors(padded)).containsExactly(m.userVectors(shortBatch), EXACT);
        assertThat(m.scoreAll(padded)).containsExactly(m.scoreAll(shortBatch), EXACT);
        assertThat(m.scoreCandidates(padded, cand, 3)).containsExactly(m.scoreCandidates(shortBatch, cand, 3), EXACT);
        // and a different amount of padding (1 extra) agrees too
        assertThat(m.scoreCandidates(ContractFixtures.padLeft(shortBatch, 1), cand, 3))
                .containsExactly(m.scoreCandidates(shortBatch, cand, 3), EXACT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aFutureItemNeverChangesAnEarlierPosition(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        ReferenceModel m = model(c, ContractFixtures.weights(cfg));
        SeqBatch batch = ContractFixtures.batch(cfg);
        int d = cfg.dim();
        int l = batch.length();
        for (int changed = 1; changed < l; changed++) {
            int[] items = batch.items().clone();
            for (int b = 0; b < batch.size(); b++) {
                if (items[b * l + changed] != 0) {
                    items[b * l + changed] = items[b * l + changed] % cfg.numItems() + 1;
                }
            }
            SeqBatch other = new SeqBatch(batch.size(), l, items, batch.events());
            double[] u = m.userOutput(batch);
            double[] u2 = m.userOutput(other);
            for (int b = 0; b < batch.size(); b++) {
                for (int j = 0; j < changed; j++) {
                    int o = (b * l + j) * d;
                    assertThat(Arrays.copyOfRange(u2, o, o + d))
                            .as("row %d position %d when %d changes", b, j, changed)
                            .containsExactly(Arrays.copyOfRange(u, o, o + d), EXACT);
                }
            }
            assertThat(u2).as("the changed position itself moves").isNotEqualTo(u);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePaddingTokenAndThePaddingItemNeverChangeContentOrUsers(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        Weights w = ContractFixtures.weights(cfg);
        Weights changed = w.copy();
        if (cfg.hasContent()) {
            Arrays.fill(changed.data(ParamLayout.TOKEN_EMBEDDING), 0, cfg.dim(), 5f);
        }
        if (cfg.itemIds()) {
            Arrays.fill(changed.data(ParamLayout.ITEM_EMBEDDING), 0, cfg.dim(), -5f);
        }
        ReferenceModel a = model(c, w);
        ReferenceModel b = model(c, changed);
        SeqBatch batch = ContractFixtures.batch(cfg);
        if (cfg.hasContent()) {
            double[] ca = a.contentOutput();
            double[] cb = b.contentOutput();
            int[] tokens = ContractFixtures.content(cfg).tokens();
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] != ItemContent.PAD) {
                    int o = i * cfg.dim();
                    assertThat(Arrays.copyOfRange(cb, o, o + cfg.dim()))
                            .as("content output at token slot %d", i)
                            .containsExactly(Arrays.copyOfRange(ca, o, o + cfg.dim()), EXACT);
                }
            }
        }
        int d = cfg.dim();
        assertThat(Arrays.copyOfRange(b.itemVectors(), d, (cfg.numItems() + 1) * d))
                .containsExactly(Arrays.copyOfRange(a.itemVectors(), d, (cfg.numItems() + 1) * d), EXACT);
        assertThat(b.userVectors(batch)).containsExactly(a.userVectors(batch), EXACT);
        int[] cand = ContractFixtures.candidates();
        assertThat(b.scoreCandidates(batch, cand, 3)).containsExactly(a.scoreCandidates(batch, cand, 3), EXACT);
    }

    @Test
    void aPaddedEventNeverChangesAnything() {
        ContractFixtures.Case c = ContractFixtures.cases().get(0);
        assertThat(c.config().eventTypes()).isEqualTo(2);
        ReferenceModel m = model(c, ContractFixtures.weights(c.config()));
        SeqBatch batch = ContractFixtures.batch(c.config());
        int[] events = batch.events().clone();
        for (int i = 0; i < events.length; i++) {
            if (batch.items()[i] == 0) {
                events[i] = 1;
            }
        }
        SeqBatch other = new SeqBatch(batch.size(), batch.length(), batch.items(), events);
        assertThat(m.scoreCandidates(other, ContractFixtures.candidates(), 3))
                .containsExactly(m.scoreCandidates(batch, ContractFixtures.candidates(), 3), EXACT);
        // while a real position's event does matter
        events[batch.length() - 1] = 1 - events[batch.length() - 1];
        SeqBatch real = new SeqBatch(batch.size(), batch.length(), batch.items(), events);
        assertThat(m.userVectors(real)).isNotEqualTo(m.userVectors(batch));
    }

    @Test
    void postNormLayerByHand() {
        // The hand model of ReferenceModelTest in POST mode (no final norm), row A = [1, 2], row B = [0, 2]:
        //   x0 = [[1,0], [1,3]]; uniform causal attention on x itself: [1,0] and mean([1,0],[1,3]) = [1,1.5]
        //   LN_a(x + attn): [2,0] -> [1,-1];  [2,4.5] -> [-1,1]
        //   FFN = relu(x): [1,0], [0,1];  LN_f(x + FFN): [2,-1] -> [1,-1];  [-1,2] -> [-1,1]
        // Row B: x0 * keep = [[0,0],[1,3]]; query 1 sees only itself -> attn [1,3]; [2,6] -> [-1,1];
        //   FFN [0,1]; [-1,2] -> [-1,1]; the padding row stays 0 (LN of 0 is 0 with bias 0, times keep)
        ModelConfig c = ModelConfig.builder()
                .numItems(2)
                .dim(2)
                .heads(1)
                .layers(1)
                .ffnDim(2)
                .maxLen(3)
                .norm(Norm.POST)
                .dropout(0f)
                .layerNormEps(1e-8f)
                .scaleEmbeddings(false)
                .build();
        Weights w = ReferenceModelTest.neutralWeights(c);
        ReferenceModelTest.set(w, ParamLayout.ITEM_EMBEDDING, 7, 7, 1, 0, 0, 2);
        ReferenceModelTest.set(w, ParamLayout.POSITION_EMBEDDING, 5, -5, 0, 0, 1, 1);
        for (String p : List.of("attention.value", "attention.output", "ffn.in", "ffn.out")) {
            ReferenceModelTest.set(w, "user_encoder.layers.0." + p + ".weight", 1, 0, 0, 1);
        }
        ReferenceModel m = new ReferenceModel(c, null, w);
        SeqBatch batch = new SeqBatch(2, 2, new int[] {1, 2, 0, 2}, null);
        ForwardTrace t = m.trace(batch, null, 0);
        assertThat(ReferenceModelTest.toDoubles(t.get(ForwardTrace.USER_OUTPUT)))
                .containsExactly(new double[] {1, -1, -1, 1, 0, 0, -1, 1}, within(1e-6));
        assertThat(t.get(ForwardTrace.USER_OUTPUT)).containsExactly(t.get(ForwardTrace.userLayer(0)));
        // stage 1 with u_last = [-1, 1]: item 0 [7,7] -> 0, item 1 [1,0] -> -1, item 2 [0,2] -> 2
        assertThat(ReferenceModelTest.toDoubles(t.get(ForwardTrace.STAGE1)))
                .containsExactly(new double[] {0, -1, 2, 0, -1, 2}, within(1e-6));
        assertThat(t.has(ForwardTrace.STAGE2)).isFalse();
    }

    @Test
    void trainingLossAppliesDropoutReproduciblyAndEvalLossDoesNot() {
        ContractFixtures.Case c = ContractFixtures.cases().get(0);
        ReferenceModel m = model(c, ContractFixtures.weights(c.config()));
        TrainBatch.NextItem b = ContractFixtures.nextItem(c.config(), new LossSpec.Bce(2));
        double eval = m.loss(b, new LossSpec.Bce(2));
        double t1 = m.trainingLoss(b, new LossSpec.Bce(2), 5);
        assertThat(t1).isNotEqualTo(eval);
        assertThat(m.trainingLoss(b, new LossSpec.Bce(2), 5)).isEqualTo(t1);
        assertThat(m.trainingLoss(b, new LossSpec.Bce(2), 6)).isNotEqualTo(t1);
        // a model differing in a user-side scalar reuses the cached item side of the same seed and still agrees
        String name = "user_encoder.layers.0.ffn.in.bias";
        assertThat(m.trainingLoss(b, new LossSpec.Bce(2), 5)).isEqualTo(t1); // caches the item side of seed 5
        Weights w2 = ContractFixtures.weights(c.config());
        w2.data(name)[0] += 0.25f;
        ReferenceModel moved = m.withParameter(name, 0, w2.data(name)[0]);
        ReferenceModel rebuilt = new ReferenceModel(c.config(), ContractFixtures.content(c.config()), w2);
        assertThat(moved.trainingLoss(b, new LossSpec.Bce(2), 5))
                .isCloseTo(rebuilt.trainingLoss(b, new LossSpec.Bce(2), 5), within(1e-9));
        assertThat(moved.loss(b, new LossSpec.Bce(2))).isCloseTo(rebuilt.loss(b, new LossSpec.Bce(2)), within(1e-9));
        ModelConfig noDropout = c.config().withDropout(0f);
        ReferenceModel plain = new ReferenceModel(
                noDropout, ContractFixtures.content(noDropout), ContractFixtures.weights(c.config()));
        assertThat(plain.trainingLoss(b, new LossSpec.Bce(2), 5)).isEqualTo(plain.loss(b, new LossSpec.Bce(2)));
    }
}
