package dev.recsys.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.contract.ContractFixtures;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.reference.ReferenceModel;
import org.junit.jupiter.api.Test;

class WarmStartTest {
    private static ModelConfig.Builder base(Norm norm) {
        return ModelConfig.builder()
                .numItems(ContractFixtures.NUM_ITEMS)
                .dim(8)
                .heads(2)
                .ffnDim(16)
                .maxLen(ContractFixtures.LENGTH)
                .layers(2)
                .norm(norm)
                .layerNormEps(1e-5f)
                .itemIds(true);
    }

    private static void addingContentStartsFromTheSourceScores(Norm norm) {
        ModelConfig ids = base(norm).build();
        ModelConfig withContent = base(norm).content(12, 4, 1).build();
        Weights source = ContractFixtures.weights(ids, 3);
        WarmStart.Result r = WarmStart.apply(withContent, Initializer.init(withContent, 9), ids, source);
        assertThat(r.copied()).containsExactlyInAnyOrderElementsOf(source.names());
        assertThat(r.fresh())
                .isNotEmpty()
                .allMatch(n -> n.startsWith(ParamLayout.CONTENT_ENCODER))
                .contains(ParamLayout.TOKEN_EMBEDDING);
        assertThat(r.zeroed()).hasSize(2);
        SeqBatch batch = ContractFixtures.batch(ids);
        double[] before = new ReferenceModel(ids, null, source).scoreAll(batch);
        ReferenceModel after = new ReferenceModel(withContent, ContractFixtures.content(withContent), r.weights());
        double[] now = after.scoreAll(batch);
        assertThat(now).hasSameSizeAs(before);
        for (int i = 0; i < now.length; i++) {
            assertThat(now[i])
                    .as("stage-1 score %d", i)
                    .isCloseTo(before[i], org.assertj.core.data.Offset.offset(1e-9));
        }
        // the content branch is really there: a non-zero gain changes the scores
        Weights moved = r.weights().copy();
        String gain = r.zeroed().get(0);
        java.util.Arrays.fill(moved.data(gain), 0.5f);
        double[] changed =
                new ReferenceModel(withContent, ContractFixtures.content(withContent), moved).scoreAll(batch);
        assertThat(changed).isNotEqualTo(before);
    }

    @Test
    void addingContentToAPreNormModelKeepsEveryStageOneScore() {
        addingContentStartsFromTheSourceScores(Norm.PRE);
    }

    @Test
    void addingContentToAPostNormModelKeepsEveryStageOneScore() {
        addingContentStartsFromTheSourceScores(Norm.POST);
    }

    @Test
    void addingContentToASasrecModelKeepsEveryStageOneScore() {
        addingContentStartsFromTheSourceScores(Norm.SASREC);
    }

    @Test
    void sourcesThatDoNotFitAreRefusedByName() {
        ModelConfig ids = base(Norm.PRE).build();
        ModelConfig withContent = base(Norm.PRE).content(12, 4, 1).build();
        Weights content = Initializer.init(withContent, 1);
        assertThatThrownBy(() -> WarmStart.apply(ids, Initializer.init(ids, 1), withContent, content))
                .hasMessageContaining("content_encoder")
                .hasMessageContaining("no place in the target");
        ModelConfig wider = base(Norm.PRE).ffnDim(32).build();
        assertThatThrownBy(() -> WarmStart.apply(wider, Initializer.init(wider, 1), ids, Initializer.init(ids, 1)))
                .hasMessageContaining("ffn.in.weight")
                .hasMessageContaining("[8, 16]")
                .hasMessageContaining("[8, 32]");
        ModelConfig more =
                base(Norm.PRE).numItems(ContractFixtures.NUM_ITEMS + 1).build();
        assertThatThrownBy(() -> WarmStart.apply(more, Initializer.init(more, 1), ids, Initializer.init(ids, 1)))
                .hasMessageContaining("same catalogue");
    }
}
