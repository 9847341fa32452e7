package dev.recsys.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.contract.ContractFixtures;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.StepResult;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Encoding a training batch's rows by groups of similar length changes no loss and no gradient (the
 * split itself: {@code dev.recsys.api.train.RowGroupsTest}).
 */
class RowGroupsTest {

    static Stream<Arguments> cases() {
        ModelConfig id = Fixtures.idOnly();
        ModelConfig content = Fixtures.contentPost();
        return Stream.of(
                Arguments.of(
                        "per position bce",
                        id,
                        new LossSpec.Bce(2),
                        LossAndGradientTest.nextItem(id, new LossSpec.Bce(2))),
                Arguments.of(
                        "softmax",
                        id,
                        new LossSpec.SoftmaxCe(),
                        LossAndGradientTest.nextItem(id, new LossSpec.SoftmaxCe())),
                Arguments.of(
                        "shared by batch",
                        id,
                        new LossSpec.Bce(3),
                        LossAndGradientTest.sharedNegatives(id, new LossSpec.Bce(3))),
                Arguments.of("shared by row, row softmax", id, new LossSpec.SampledSoftmax(2, false), byRow(id)),
                Arguments.of(
                        "content per position",
                        content,
                        new LossSpec.Bce(1),
                        LossAndGradientTest.nextItem(content, new LossSpec.Bce(1))));
    }

    /** Two negatives per row, shared by the row's positions. */
    private static TrainBatch.NextItem byRow(ModelConfig c) {
        TrainBatch.NextItem per = LossAndGradientTest.nextItem(c, new LossSpec.SoftmaxCe());
        int rows = per.input().size();
        int[] ids = new int[rows * 2];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1 + (i * 5) % c.numItems();
        }
        return new TrainBatch.NextItem(per.input(), per.targets(), new Negatives.SharedByRow(ids, 2, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void groupsByEveryLengthGiveTheLossAndGradientsOfOneGroup(
            String name, ModelConfig c, LossSpec spec, TrainBatch.NextItem batch) {
        var content = c.hasContent() ? Fixtures.content(c, 5) : null;
        Weights w = Initializer.init(c, 31);
        try (DjlModel split = (DjlModel) Fixtures.backend().create(c, content, w, 1);
                DjlModel whole = (DjlModel) Fixtures.backend().create(c, content, w, 1)) {
            split.rowGroupOverhead(0);
            whole.rowGroupOverhead(Double.POSITIVE_INFINITY);
            StepResult a = split.lossAndGradients(batch, spec, false);
            StepResult b = whole.lossAndGradients(batch, spec, false);
            assertThat(a.loss()).isCloseTo(b.loss(), within(1e-6f));
            ContractFixtures.assertSameStep(a, b, w, new ReferenceModel(c, content, w).loss(batch, spec));
            // in training mode (dropout) the split stays deterministic: the same seed repeats the same step
            StepResult t1 = split.lossAndGradients(batch, spec, true);
            split.seekDropout(1);
            StepResult t2 = split.lossAndGradients(batch, spec, true);
            split.seekDropout(1);
            assertThat(split.lossAndGradients(batch, spec, true).loss()).isEqualTo(t2.loss());
            assertThat(t1.loss()).isNotEqualTo(a.loss());
        }
    }
}
