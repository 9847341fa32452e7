package dev.recsys.api.contract;

import static dev.recsys.api.contract.ContractFixtures.PER_ROW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model's life: weights in and out, save and load through the checkpoint format, closing.
 */
public abstract class AbstractLifecycleContractTest extends BackendContractSupport {

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void setWeightsOfWeightsIsTheIdentity(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        Weights w = ContractFixtures.weights(cfg);
        SeqBatch batch = ContractFixtures.batch(cfg);
        try (RecModel m = create(c, w, 1)) {
            assertThat(m.weights().maxAbsDiff(w))
                    .as("weights() right after create")
                    .isZero();
            float[] all = m.scoreAll(batch);
            float[] cand = m.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW);
            m.setWeights(m.weights());
            assertThat(m.weights().maxAbsDiff(w))
                    .as("weights() after setWeights(weights())")
                    .isZero();
            assertThat(m.scoreAll(batch)).as("scoreAll").containsExactly(all);
            assertThat(m.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW))
                    .as("scoreCandidates")
                    .containsExactly(cand);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void weightsAreCopiedInAndOut(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        Weights w = ContractFixtures.weights(cfg);
        SeqBatch batch = ContractFixtures.batch(cfg);
        try (RecModel m = create(c, w, 1)) {
            float[] all = m.scoreAll(batch);
            Weights out = m.weights();
            for (String name : out.names()) {
                java.util.Arrays.fill(out.data(name), 0.5f);
            }
            Weights given = ContractFixtures.weights(cfg);
            m.setWeights(given);
            for (String name : given.names()) {
                java.util.Arrays.fill(given.data(name), -0.5f);
            }
            assertThat(m.scoreAll(batch))
                    .as("scores after mutating the arrays given and returned")
                    .containsExactly(all);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void setWeightsReplacesEveryParameterAndRefreshesItemVectors(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        Weights other = ContractFixtures.weights(cfg, 1234);
        SeqBatch batch = ContractFixtures.batch(cfg);
        try (RecModel m = create(c, 1)) {
            m.itemVectors(); // fills any cache
            m.scoreAll(batch);
            m.setWeights(other);
            assertThat(m.weights().maxAbsDiff(other)).isZero();
            var ref = reference(c, other);
            assertClose("itemVectors after setWeights", m.itemVectors(), ref.itemVectors(), tolerance());
            assertClose("scoreAll after setWeights", m.scoreAll(batch), ref.scoreAll(batch), tolerance());
            assertClose(
                    "scoreCandidates after setWeights",
                    m.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW),
                    ref.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW),
                    tolerance());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void savingAndLoadingGivesIdenticalScores(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        SeqBatch batch = ContractFixtures.batch(cfg);
        try (RecModel m = create(c, ContractFixtures.weights(cfg, 99), 1)) {
            CheckpointData saved = roundTrip(m.config(), m.weights(), m.content());
            try (RecModel loaded = sharedBackend().create(saved.config(), saved.content(), saved.weights(), 5)) {
                assertThat(loaded.scoreAll(batch)).as("scoreAll").containsExactly(m.scoreAll(batch));
                assertThat(loaded.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW))
                        .as("scoreCandidates")
                        .containsExactly(m.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW));
                assertThat(loaded.itemVectors()).as("itemVectors").containsExactly(m.itemVectors());
            }
        }
    }

    @Test
    void createRejectsWeightsOfAnotherShapeAndMissingContent() {
        ContractFixtures.Case c = cases().get(0);
        ModelConfig cfg = c.config();
        Weights wrong = ContractFixtures.weights(cfg.withNumItems(cfg.numItems() + 1));
        assertThat(catchThrowable(() -> sharedBackend().create(cfg, ContractFixtures.content(cfg), wrong, 1)))
                .as("create with the weights of a larger catalogue")
                .isInstanceOf(IllegalArgumentException.class);
        Weights missing = new Weights();
        ContractFixtures.weights(cfg).asMap().forEach((name, t) -> {
            if (!name.equals(ParamLayout.SCORER_BIAS)) {
                missing.put(name, t.shape(), t.data());
            }
        });
        assertThat(catchThrowable(() -> sharedBackend().create(cfg, ContractFixtures.content(cfg), missing, 1)))
                .as("create with weights without scorer.bias")
                .isInstanceOf(IllegalArgumentException.class);
        if (cfg.hasContent()) {
            assertThat(catchThrowable(() -> sharedBackend().create(cfg, null, ContractFixtures.weights(cfg), 1)))
                    .as("create a content model without content")
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void closingTwiceIsSafe() {
        RecModel m = create(cases().get(0), 1);
        m.scoreAll(ContractFixtures.batch(m.config()));
        m.close();
        assertThatCode(m::close).as("second close").doesNotThrowAnyException();
    }

    @Test
    void everyMethodFailsClearlyAfterClose() {
        ContractFixtures.Case c = cases().get(0);
        ModelConfig cfg = c.config();
        SeqBatch batch = ContractFixtures.batch(cfg);
        Weights w = ContractFixtures.weights(cfg);
        RecModel m = create(c, w, 1);
        m.close();
        Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
        calls.put("config", m::config);
        calls.put("content", m::content);
        calls.put("userVectors", () -> m.userVectors(batch));
        calls.put("itemVectors", m::itemVectors);
        calls.put("scoreAll", () -> m.scoreAll(batch));
        calls.put("scoreCandidates", () -> m.scoreCandidates(batch, ContractFixtures.candidates(), PER_ROW));
        calls.put(
                "lossAndGradients",
                () -> m.lossAndGradients(
                        ContractFixtures.finetune(cfg, new LossSpec.Bpr(2)), new LossSpec.Bpr(2), false));
        calls.put("weights", m::weights);
        calls.put("setWeights", () -> m.setWeights(w));
        calls.put("trace", () -> m.trace(batch, ContractFixtures.candidates(), PER_ROW));
        calls.forEach((name, call) -> assertThat(catchThrowable(call))
                .as("%s after close", name)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed"));
    }
}
