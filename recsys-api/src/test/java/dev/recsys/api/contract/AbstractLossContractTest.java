package dev.recsys.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss in its stage: {@code lossAndGradients(batch, loss, false).loss()} (through
 * {@link #evalLoss}, which is exactly that unless a backend with expensive gradients returns the
 * same number more cheaply) equals
 * {@link dev.recsys.api.reference.ReferenceModel#loss} within {@link #tolerance()} (pre-training:
 * bce, gbce, sampled softmax with and without log Q, full softmax; fine-tuning: bce, mse, bpr,
 * hinge), and the pre-training ranking losses on a batch whose negatives are shared by all
 * positions, some of them equal to a position's target (dropped there).
 */
public abstract class AbstractLossContractTest extends BackendContractSupport {

    Stream<Arguments> casesAndLosses() {
        List<Arguments> out = new ArrayList<>();
        for (ContractFixtures.Case c : cases()) {
            for (LossSpec l : ContractFixtures.pretrainLosses()) {
                out.add(Arguments.of(c, l, Stage.PRETRAIN));
            }
            for (LossSpec l : ContractFixtures.finetuneLosses()) {
                out.add(Arguments.of(c, l, Stage.FINETUNE));
            }
        }
        return out.stream();
    }

    Stream<Arguments> casesAndSharedLosses() {
        List<Arguments> out = new ArrayList<>();
        for (ContractFixtures.Case c : cases()) {
            for (LossSpec l : ContractFixtures.sharedPretrainLosses()) {
                out.add(Arguments.of(c, l));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} shared {1}")
    @MethodSource("casesAndSharedLosses")
    void sharedNegativeLossesMatchTheReference(ContractFixtures.Case c, LossSpec loss) {
        ModelConfig cfg = c.config();
        TrainBatch batch = ContractFixtures.nextItemShared(cfg, loss);
        Weights w = ContractFixtures.weights(cfg);
        double expected = reference(c, w).loss(batch, loss);
        try (RecModel m = create(c, w, 1)) {
            float actual = evalLoss(m, batch, loss);
            assertClose("shared " + loss, new float[] {actual}, new double[] {expected}, tolerance());
        }
    }

    @ParameterizedTest(name = "{0} shared by row {1}")
    @MethodSource("casesAndSharedLosses")
    void negativesSharedByRowMatchTheReference(ContractFixtures.Case c, LossSpec loss) {
        ModelConfig cfg = c.config();
        TrainBatch batch = ContractFixtures.nextItemSharedByRow(cfg, loss);
        Weights w = ContractFixtures.weights(cfg);
        double expected = reference(c, w).loss(batch, loss);
        // the rows' own negatives matter: the same ids shared by the whole batch give another loss
        double batchWide = reference(c, w).loss(ContractFixtures.nextItemShared(cfg, loss), loss);
        assertThat(Math.abs(expected - batchWide)).isGreaterThan(1e-3);
        try (RecModel m = create(c, w, 1)) {
            float actual = evalLoss(m, batch, loss);
            assertClose("shared by row " + loss, new float[] {actual}, new double[] {expected}, tolerance());
        }
    }

    @ParameterizedTest(name = "{0} shared by row, unseen {1}")
    @MethodSource("casesAndSharedLosses")
    void negativesSharedByRowWithoutCollisionsMatchTheReference(ContractFixtures.Case c, LossSpec loss) {
        ModelConfig cfg = c.config();
        TrainBatch batch = ContractFixtures.nextItemSharedByRowUnseen(cfg, loss);
        Weights w = ContractFixtures.weights(cfg);
        double expected = reference(c, w).loss(batch, loss);
        try (RecModel m = create(c, w, 1)) {
            float actual = evalLoss(m, batch, loss);
            assertClose("shared by row, unseen " + loss, new float[] {actual}, new double[] {expected}, tolerance());
        }
    }

    @ParameterizedTest(name = "{0} {2} {1}")
    @MethodSource("casesAndLosses")
    void everyLossMatchesTheReference(ContractFixtures.Case c, LossSpec loss, Stage stage) {
        ModelConfig cfg = c.config();
        assertThat(loss.supports(stage)).isTrue();
        TrainBatch batch = ContractFixtures.batchFor(cfg, loss, stage == Stage.PRETRAIN);
        Weights w = ContractFixtures.weights(cfg);
        double expected = reference(c, w).loss(batch, loss);
        try (RecModel m = create(c, w, 1)) {
            float actual = evalLoss(m, batch, loss);
            assertClose(stage + " " + loss, new float[] {actual}, new double[] {expected}, tolerance());
        }
    }

    Stream<ContractFixtures.Case> casesWithoutContentOrIds() {
        return cases().stream()
                .filter(c -> !c.config().hasContent() || !c.config().itemIds());
    }

    Stream<Arguments> contentCasesWithIdsAndPretrainBatches() {
        List<Arguments> out = new ArrayList<>();
        int k = ContractFixtures.sharedNegatives().length;
        for (ContractFixtures.Case c : cases()) {
            if (!c.config().hasContent() || !c.config().itemIds()) {
                continue;
            }
            out.add(Arguments.of(c, new LossSpec.SampledSoftmax(2, true), "per position"));
            out.add(Arguments.of(c, new LossSpec.SoftmaxCe(), "full softmax"));
            out.add(Arguments.of(c, new LossSpec.SampledSoftmax(k, false), "shared by row, unseen"));
        }
        return out.stream();
    }

    /**
     * Item-id dropout: with the id rows of some items left out (input and output side) the loss is the
     * reference's, and it is not the loss without dropout.
     */
    @ParameterizedTest(name = "{0} id dropout {2} {1}")
    @MethodSource("contentCasesWithIdsAndPretrainBatches")
    void itemIdDropoutMatchesTheReference(ContractFixtures.Case c, LossSpec loss, String negatives) {
        ModelConfig cfg = c.config();
        TrainBatch.NextItem plain = negatives.equals("shared by row, unseen")
                ? ContractFixtures.nextItemSharedByRowUnseen(cfg, loss)
                : (TrainBatch.NextItem) ContractFixtures.batchFor(cfg, loss, true);
        TrainBatch.NextItem dropped = ContractFixtures.withDroppedIds(cfg, plain);
        Weights w = ContractFixtures.weights(cfg);
        double expected = reference(c, w).loss(dropped, loss);
        assertThat(Math.abs(expected - reference(c, w).loss(plain, loss)))
                .as("the dropped id rows change the loss")
                .isGreaterThan(1e-3);
        try (RecModel m = create(c, w, 1)) {
            assertClose(
                    "id dropout " + negatives + " " + loss,
                    new float[] {evalLoss(m, dropped, loss)},
                    new double[] {expected},
                    tolerance());
        }
    }

    /** A batch with item-id dropout on a model that has no content, or no item ids, is refused. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("casesWithoutContentOrIds")
    void itemIdDropoutNeedsContentAndIds(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        LossSpec loss = new LossSpec.SampledSoftmax(2, true);
        TrainBatch.NextItem dropped =
                ContractFixtures.withDroppedIds(cfg, (TrainBatch.NextItem) ContractFixtures.batchFor(cfg, loss, true));
        try (RecModel m = create(c, ContractFixtures.weights(cfg), 1)) {
            assertThatThrownBy(() -> m.lossAndGradients(dropped, loss, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("item-id dropout needs a content model with item ids");
        }
    }

    Stream<Arguments> casesAndSoftmaxBatches() {
        List<Arguments> out = new ArrayList<>();
        int k = ContractFixtures.sharedNegatives().length;
        for (ContractFixtures.Case c : cases()) {
            if (!c.config().itemIds()) {
                continue; // item vectors from content alone come out of a layer norm: no large logits to make
            }
            out.add(Arguments.of(c, new LossSpec.SoftmaxCe(), "per position"));
            out.add(Arguments.of(c, new LossSpec.SampledSoftmax(2, true), "per position"));
            out.add(Arguments.of(c, new LossSpec.SampledSoftmax(k, true), "shared"));
            out.add(Arguments.of(c, new LossSpec.SampledSoftmax(k, false), "shared by row"));
            out.add(Arguments.of(c, new LossSpec.SampledSoftmax(k, false), "shared by row, unseen"));
        }
        return out.stream();
    }

    /**
     * The softmax losses with logits in the hundreds (item rows scaled up, the loss above 50), where
     * {@code exp} without a shift overflows float: finite and equal to the reference.
     */
    @ParameterizedTest(name = "{0} large logits {1} {2}")
    @MethodSource("casesAndSoftmaxBatches")
    void softmaxLossesStayExactWithLargeLogits(ContractFixtures.Case c, LossSpec loss, String negatives) {
        ModelConfig cfg = c.config();
        Weights w = ContractFixtures.weights(cfg);
        float[] items = w.get(ParamLayout.ITEM_EMBEDDING).data();
        for (int i = 0; i < items.length; i++) {
            items[i] *= 400f;
        }
        TrainBatch batch = switch (negatives) {
            case "shared" -> ContractFixtures.nextItemShared(cfg, loss);
            case "shared by row" -> ContractFixtures.nextItemSharedByRow(cfg, loss);
            case "shared by row, unseen" -> ContractFixtures.nextItemSharedByRowUnseen(cfg, loss);
            default -> ContractFixtures.batchFor(cfg, loss, true);
        };
        double expected = reference(c, w).loss(batch, loss);
        assertThat(expected).as("reference loss with large logits").isFinite().isGreaterThan(50);
        try (RecModel m = create(c, w, 1)) {
            float actual = evalLoss(m, batch, loss);
            assertClose(
                    "large logits " + negatives + " " + loss,
                    new float[] {actual},
                    new double[] {expected},
                    tolerance());
        }
    }
}
