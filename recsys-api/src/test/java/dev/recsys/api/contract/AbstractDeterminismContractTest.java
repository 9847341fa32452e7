package dev.recsys.api.contract;

import static dev.recsys.api.contract.ContractFixtures.PER_ROW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded determinism: two models built from the same weights and seed give identical scores and
 * identical training-mode losses and gradients, call after call; training mode does apply
 * dropout (its loss differs from eval mode and from call to call); eval mode never depends on
 * the seed.
 */
public abstract class AbstractDeterminismContractTest extends BackendContractSupport {

    private static final LossSpec PRETRAIN = new LossSpec.Bce(2);

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameWeightsAndSeedGiveIdenticalScoresAndTrainingLossesWithDropout(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        SeqBatch batch = ContractFixtures.batch(cfg);
        TrainBatch train = ContractFixtures.nextItem(cfg, PRETRAIN);
        assertThat(cfg.dropout()).as("the contract cases train with dropout").isPositive();
        try (RecModel a = create(c, 7);
                RecModel b = create(c, 7)) {
            float eval = evalLoss(a, train, PRETRAIN);
            float[] losses = new float[2];
            assertThat(b.scoreAll(batch)).as("scoreAll").containsExactly(a.scoreAll(batch));
            assertThat(b.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW))
                    .as("scoreCandidates")
                    .containsExactly(a.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW));
            for (int step = 0; step < 2; step++) {
                StepResult ra = a.lossAndGradients(train, PRETRAIN, true);
                float lossA = ra.loss();
                Weights gradA = ra.gradients().copy(); // buffers may be reused by the next call
                StepResult rb = b.lossAndGradients(train, PRETRAIN, true);
                assertThat(rb.loss()).as("training-mode loss of call %d", step).isEqualTo(lossA);
                assertThat(rb.gradients().maxAbsDiff(gradA))
                        .as("training-mode gradients of call %d", step)
                        .isZero();
                losses[step] = lossA;
            }
            assertThat(losses[0])
                    .as("a training-mode loss (dropout) differs from the eval-mode loss %s", eval)
                    .isNotEqualTo(eval);
            assertThat(losses[1])
                    .as("the dropout stream moves on between calls")
                    .isNotEqualTo(losses[0]);
            assertThat(evalLoss(a, train, PRETRAIN))
                    .as("eval mode after training calls")
                    .isEqualTo(eval);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void seekingTheDropoutStreamRepeatsTheMasksOfThatCall(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        TrainBatch train = ContractFixtures.nextItem(cfg, PRETRAIN);
        try (RecModel a = create(c, 7);
                RecModel b = create(c, 7)) {
            float[] losses = new float[3];
            Weights third = null;
            for (int call = 0; call < 3; call++) {
                StepResult r = a.lossAndGradients(train, PRETRAIN, true);
                losses[call] = r.loss();
                third = r.gradients().copy();
            }
            // a fresh model sought to call 2 draws call 2's masks, then (sought back) call 0's
            b.seekDropout(2);
            StepResult r2 = b.lossAndGradients(train, PRETRAIN, true);
            assertThat(r2.loss()).as("the loss of call 2 after seekDropout(2)").isEqualTo(losses[2]);
            assertThat(r2.gradients().maxAbsDiff(third))
                    .as("the gradients of call 2 after seekDropout(2)")
                    .isZero();
            b.seekDropout(0);
            assertThat(b.lossAndGradients(train, PRETRAIN, true).loss())
                    .as("call 0 after seekDropout(0)")
                    .isEqualTo(losses[0]);
            assertThat(b.lossAndGradients(train, PRETRAIN, true).loss())
                    .as("then call 1")
                    .isEqualTo(losses[1]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evalModeIsRepeatableAndIndependentOfTheSeed(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        SeqBatch batch = ContractFixtures.batch(cfg);
        TrainBatch train = ContractFixtures.finetune(cfg, new LossSpec.Bpr(2));
        try (RecModel a = create(c, 1);
                RecModel b = create(c, 2)) {
            float[] scores = a.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW);
            assertThat(a.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW))
                    .as("second call")
                    .containsExactly(scores);
            assertThat(b.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW))
                    .as("other seed")
                    .containsExactly(scores);
            assertThat(b.userVectors(batch)).as("userVectors, other seed").containsExactly(a.userVectors(batch));
            float loss = evalLoss(a, train, new LossSpec.Bpr(2));
            assertThat(evalLoss(a, train, new LossSpec.Bpr(2)))
                    .as("eval loss, second call")
                    .isEqualTo(loss);
            assertThat(evalLoss(b, train, new LossSpec.Bpr(2)))
                    .as("eval loss, other seed")
                    .isEqualTo(loss);
        }
    }
}
