package dev.recsys.api.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import org.junit.jupiter.api.Test;

class StepInputsTest {
    private final ModelConfig config = ModelConfig.builder()
            .numItems(9)
            .dim(4)
            .heads(1)
            .ffnDim(4)
            .maxLen(3)
            .build();
    // two rows of length 3; row 0 has targets at positions 1 and 2, row 1 at position 5 only
    private final SeqBatch in = new SeqBatch(2, 3, new int[] {0, 1, 2, 0, 0, 4}, null);
    private final int[] targets = {0, 2, 3, 0, 0, 5};

    @Test
    void perPositionGroupsKeepTheCountedPositionsCandidatesAndLogQ() {
        int[] cand = {0, 0, 2, 7, 3, 8, 0, 0, 0, 0, 5, 9};
        float[] logQ = {0, 0, -2, -7, -3, -8, 0, 0, 0, 0, -5, -9};
        StepInputs.Groups g = StepInputs.nextItem(
                config,
                new TrainBatch.NextItem(in, targets, new Negatives.PerPosition(cand, 2, logQ)),
                new LossSpec.SampledSoftmax(1, true));
        assertThat(g.count()).isEqualTo(3);
        assertThat(g.positions()).containsExactly(1, 2, 5);
        assertThat(g.targets()).containsExactly(2, 3, 5);
        assertThat(g.width()).isEqualTo(2);
        assertThat(g.candidates()).containsExactly(2, 7, 3, 8, 5, 9);
        assertThat(g.logQ()).containsExactly(-2, -7, -3, -8, -5, -9);
        assertThat(g.dropped()).isNull();
        assertThat(g.item(2, 1)).isEqualTo(9);
        assertThat(g.groupWeight()).isEqualTo(1f / 3);
    }

    @Test
    void sharedNegativesEqualToTheTargetAreDroppedFromThatGroupOnly() {
        // row 0's negatives [3, 6] (3 is the target of position 2), row 1's [5, 5] (both the target of position 5)
        Negatives.SharedByRow byRow = new Negatives.SharedByRow(new int[] {3, 6, 5, 5}, 2, null, null);
        StepInputs.Groups g =
                StepInputs.nextItem(config, new TrainBatch.NextItem(in, targets, byRow), new LossSpec.Gbce(2, 0.5f));
        assertThat(g.width()).isEqualTo(3);
        assertThat(g.candidates()).isNull();
        assertThat(g.dropped()).containsExactly(false, false, false, false, true, false, false, true, true);
        assertThat(g.item(1, 1)).isEqualTo(3);
        assertThat(g.item(2, 2)).isEqualTo(5);
        assertThat(g.sharedOffset(2)).isEqualTo(2);
        // gBCE's β with K = 2 of N - 1 = 8 items, t = 0.5: α = 0.25, β = α (0.5 (1 - 4) + 4) = 0.625; over 3 groups
        assertThat(g.beta()).isCloseTo(0.625, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(g.positiveWeight()).isEqualTo((float) (0.625 / 3));
        // the batch-wide form finds the same collisions with every position reading the same K
        StepInputs.Groups wide = StepInputs.nextItem(
                config,
                new TrainBatch.NextItem(in, targets, new Negatives.SharedByBatch(new int[] {3, 5}, null, null)),
                new LossSpec.Bce(2));
        assertThat(wide.dropped()).containsExactly(false, false, false, false, true, false, false, false, true);
    }

    @Test
    void aBatchThatDoesNotFitItsLossIsRefusedWithOneWording() {
        TrainBatch.NextItem none = new TrainBatch.NextItem(in, targets, new Negatives.None());
        assertThat(StepInputs.nextItem(config, none, new LossSpec.SoftmaxCe()).targetIndex())
                .containsExactly(1, 2, 4);
        assertThatThrownBy(() -> StepInputs.nextItem(config, none, new LossSpec.Bce(1)))
                .hasMessageContaining("needs sampled candidates");
        assertThatThrownBy(() -> StepInputs.nextItem(config, none, new LossSpec.Bpr(1)))
                .hasMessageContaining("bpr cannot be used for pre-training");
        TrainBatch.NextItem wide =
                new TrainBatch.NextItem(in, targets, new Negatives.SharedByBatch(new int[] {3, 5}, null, null));
        assertThatThrownBy(() -> StepInputs.nextItem(config, wide, new LossSpec.Bce(3)))
                .hasMessageContaining("expects groups of 1 + 3 = 4")
                .hasMessageContaining("found 3");
        assertThatThrownBy(() -> StepInputs.nextItem(config, wide, new LossSpec.SampledSoftmax(2, true)))
                .hasMessageContaining("log Q");
        TrainBatch.NextItem outside =
                new TrainBatch.NextItem(in, targets, new Negatives.SharedByBatch(new int[] {3, 10}, null, null));
        assertThatThrownBy(() -> StepInputs.nextItem(config, outside, new LossSpec.Bce(2)))
                .hasMessageContaining("shared negative item ids must be in [0, 9], found 10");
        TrainBatch.Candidates ft = new TrainBatch.Candidates(in, new int[] {1, 2, 3, 4}, 2, null);
        assertThatThrownBy(() -> StepInputs.candidates(config, ft, new LossSpec.Mse()))
                .hasMessageContaining("one label per candidate");
        assertThatThrownBy(() -> StepInputs.candidates(config, ft, new LossSpec.Bpr(2)))
                .hasMessageContaining("expects rows of 1 + 2 = 3");
        assertThatThrownBy(() -> StepInputs.candidates(config, null, new LossSpec.Bpr(1)))
                .hasMessageContaining("no batch");
    }
}
