package dev.recsys.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceBackend;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The kit must fail on broken backends: each test wraps the reference backend with one typical
 * bug and checks that the matching contract test throws. (The kits below are static nested
 * classes, which the build does not run as tests themselves.)
 */
class KitSelfTest {
    /** id-only, one layer: the cheapest case for finite-difference gradients. */
    private static final ContractFixtures.Case IDS = ContractFixtures.cases().get(2);
    /** content only (no item ids). */
    private static final ContractFixtures.Case CONTENT =
            ContractFixtures.cases().get(1);

    @Test
    void aGradientWithTheWrongSignFails() {
        GradientKit kit = new GradientKit(m -> new Forwarding(m) {
            @Override
            public StepResult lossAndGradients(TrainBatch b, LossSpec l, boolean training) {
                StepResult r = super.lossAndGradients(b, l, training);
                for (int i = 0; i < r.gradients().data("user_encoder.layers.0.ffn.out.weight").length; i++) {
                    r.gradients().data("user_encoder.layers.0.ffn.out.weight")[i] *= -1;
                }
                return r;
            }
        });
        try {
            assertThatThrownBy(() -> kit.gradientsMatchFiniteDifferencesOfTheLoss(
                            IDS, new LossSpec.Bpr(2), AbstractGradientContractTest.BatchKind.FINETUNE))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("user_encoder.layers.0.ffn.out.weight[");
        } finally {
            kit.closeBackend();
        }
    }

    @Test
    void aMissingGradientTermFails() {
        GradientKit kit = new GradientKit(m -> new Forwarding(m) {
            @Override
            public StepResult lossAndGradients(TrainBatch b, LossSpec l, boolean training) {
                StepResult r = super.lossAndGradients(b, l, training);
                java.util.Arrays.fill(r.gradients().data(ParamLayout.TOKEN_EMBEDDING), 0f);
                return r;
            }
        });
        try {
            assertThatThrownBy(() -> kit.gradientsMatchFiniteDifferencesOfTheLoss(
                            CONTENT,
                            new LossSpec.SampledSoftmax(2, true),
                            AbstractGradientContractTest.BatchKind.PRETRAIN))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining(ParamLayout.TOKEN_EMBEDDING + "[");
        } finally {
            kit.closeBackend();
        }
    }

    @Test
    void aStage2ScoreOffByOneHundredthFailsParity() {
        ParityKit kit = new ParityKit(m -> new Forwarding(m) {
            @Override
            public ForwardTrace trace(SeqBatch batch, int[] candidates, int perRow) {
                ForwardTrace t = super.trace(batch, candidates, perRow);
                float[] s2 = t.get(ForwardTrace.STAGE2);
                s2[s2.length - 1] += 1e-2f;
                return t;
            }
        });
        try {
            assertThatThrownBy(() -> kit.everyTraceEntryMatchesTheReference(IDS))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining(ForwardTrace.STAGE2);
        } finally {
            kit.closeBackend();
        }
    }

    @Test
    void aFutureItemLeakingIntoEarlierPositionsFails() {
        MaskKit kit = new MaskKit(m -> new Forwarding(m) {
            @Override
            public ForwardTrace trace(SeqBatch batch, int[] candidates, int perRow) {
                ForwardTrace t = super.trace(batch, candidates, perRow);
                float[] u = t.get(ForwardTrace.USER_OUTPUT);
                int d = config().dim();
                int l = batch.length();
                for (int b = 0; b < batch.size(); b++) {
                    for (int j = 0; j < l; j++) {
                        for (int later = j + 1; later < l; later++) {
                            u[(b * l + j) * d] += 0.01f * batch.item(b, later); // sees the future
                        }
                    }
                }
                return t;
            }
        });
        try {
            assertThatThrownBy(() -> kit.aLaterPositionNeverChangesAnEarlierOne(IDS))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining(ForwardTrace.USER_OUTPUT);
        } finally {
            kit.closeBackend();
        }
    }

    @Test
    void aLossThatDiffersFromTheReferenceFails() {
        LossKit kit = new LossKit(m -> new Forwarding(m) {
            @Override
            public StepResult lossAndGradients(TrainBatch b, LossSpec l, boolean training) {
                // a cheap mutant: the reference loss plus 1e-3, no real gradients
                return new StepResult(
                        ReferenceBackend.evalLoss(delegate, b, l) + 1e-3f,
                        weights().zerosLike());
            }
        });
        try {
            assertThatThrownBy(() -> kit.everyLossMatchesTheReference(
                            IDS, new LossSpec.Hinge(2, 1f), dev.recsys.api.loss.Stage.FINETUNE))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Hinge");
        } finally {
            kit.closeBackend();
        }
    }

    @Test
    void aBackendThatKeepsSharedNegativesEqualToTheTargetFails() {
        LossKit kit = new LossKit(m -> new Forwarding(m) {
            @Override
            public StepResult lossAndGradients(TrainBatch b, LossSpec l, boolean training) {
                // the mutant: every position's group is [t, n_1..n_K], collisions kept (per-position candidates)
                TrainBatch.NextItem n = (TrainBatch.NextItem) b;
                int[] shared = ((Negatives.Shared) n.negatives()).ids();
                int c = 1 + shared.length;
                int[] cand = new int[n.targets().length * c];
                for (int p = 0; p < n.targets().length; p++) {
                    cand[p * c] = n.targets()[p];
                    System.arraycopy(shared, 0, cand, p * c + 1, c - 1);
                }
                TrainBatch.NextItem kept =
                        new TrainBatch.NextItem(n.input(), n.targets(), new Negatives.PerPosition(cand, c, null));
                return new StepResult(
                        ReferenceBackend.evalLoss(delegate, kept, l), weights().zerosLike());
            }
        });
        try {
            assertThatThrownBy(() -> kit.sharedNegativeLossesMatchTheReference(
                            IDS, new LossSpec.Bce(ContractFixtures.sharedNegatives().length)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("shared");
        } finally {
            kit.closeBackend();
        }
    }

    @Test
    void anUnseededDropoutFailsDeterminism() {
        DeterminismKit kit = new DeterminismKit(m -> new Forwarding(m) {
            private final java.util.Random unseeded = new java.util.Random();

            @Override
            public StepResult lossAndGradients(TrainBatch b, LossSpec l, boolean training) {
                float loss = ReferenceBackend.evalLoss(delegate, b, l);
                return new StepResult(
                        training ? loss * (1 + 0.1f * unseeded.nextFloat()) : loss,
                        weights().zerosLike());
            }
        });
        try {
            assertThatThrownBy(() -> kit.sameWeightsAndSeedGiveIdenticalScoresAndTrainingLossesWithDropout(IDS))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("training-mode loss of call 0");
        } finally {
            kit.closeBackend();
        }
    }

    @Test
    void aModelThatKeepsWorkingAfterCloseFails() {
        LifecycleKit kit = new LifecycleKit(m -> new Forwarding(m) {
            @Override
            public void close() {
                // forgets to close
            }
        });
        try {
            assertThatThrownBy(kit::everyMethodFailsClearlyAfterClose)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("config after close");
            assertThatCode(kit::closingTwiceIsSafe).doesNotThrowAnyException();
        } finally {
            kit.closeBackend();
        }
    }

    @Test
    void theReferenceBackendsEvalLossHookIsTheLossOfLossAndGradients() {
        ContractFixtures.Case c = IDS;
        try (ReferenceBackend backend = new ReferenceBackend();
                RecModel m = backend.create(c.config(), null, ContractFixtures.weights(c.config()), 1)) {
            TrainBatch b = ContractFixtures.finetune(c.config(), new LossSpec.Bpr(2));
            assertThat(ReferenceBackend.evalLoss(m, b, new LossSpec.Bpr(2)))
                    .isEqualTo(m.lossAndGradients(b, new LossSpec.Bpr(2), false).loss());
        }
    }

    // ------------------------------------------------------------------ mutants

    /** A backend that wraps every model of the reference backend. */
    private static Backend mutant(UnaryOperator<RecModel> wrap) {
        ReferenceBackend inner = new ReferenceBackend();
        return new Backend() {
            @Override
            public String name() {
                return "mutant";
            }

            @Override
            public String engineVersion() {
                return inner.engineVersion();
            }

            @Override
            public RecModel create(ModelConfig config, ItemContent content, Weights weights, long seed) {
                return wrap.apply(inner.create(config, content, weights, seed));
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    /** Delegates everything. */
    private static class Forwarding implements RecModel {
        final RecModel delegate;

        Forwarding(RecModel delegate) {
            this.delegate = delegate;
        }

        @Override
        public ModelConfig config() {
            return delegate.config();
        }

        @Override
        public ItemContent content() {
            return delegate.content();
        }

        @Override
        public float[] userVectors(SeqBatch batch) {
            return delegate.userVectors(batch);
        }

        @Override
        public float[] itemVectors() {
            return delegate.itemVectors();
        }

        @Override
        public float[] scoreAll(SeqBatch batch) {
            return delegate.scoreAll(batch);
        }

        @Override
        public float[] scoreCandidates(SeqBatch batch, int[] candidates, int perRow) {
            return delegate.scoreCandidates(batch, candidates, perRow);
        }

        @Override
        public void seekDropout(long call) {
            delegate.seekDropout(call);
        }

        @Override
        public StepResult lossAndGradients(TrainBatch batch, LossSpec loss, boolean training) {
            return delegate.lossAndGradients(batch, loss, training);
        }

        @Override
        public Weights weights() {
            return delegate.weights();
        }

        @Override
        public void setWeights(Weights weights) {
            delegate.setWeights(weights);
        }

        @Override
        public ForwardTrace trace(SeqBatch batch, int[] candidates, int perRow) {
            return delegate.trace(batch, candidates, perRow);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private static final class GradientKit extends AbstractGradientContractTest {
        private final UnaryOperator<RecModel> wrap;

        GradientKit(UnaryOperator<RecModel> wrap) {
            this.wrap = wrap;
        }

        @Override
        protected Backend backend() {
            return mutant(wrap);
        }

        @Override
        protected float evalLoss(RecModel model, TrainBatch batch, LossSpec loss) {
            return ReferenceBackend.evalLoss(((Forwarding) model).delegate, batch, loss);
        }
    }

    private static final class ParityKit extends AbstractReferenceParityContractTest {
        private final UnaryOperator<RecModel> wrap;

        ParityKit(UnaryOperator<RecModel> wrap) {
            this.wrap = wrap;
        }

        @Override
        protected Backend backend() {
            return mutant(wrap);
        }
    }

    private static final class MaskKit extends AbstractMaskContractTest {
        private final UnaryOperator<RecModel> wrap;

        MaskKit(UnaryOperator<RecModel> wrap) {
            this.wrap = wrap;
        }

        @Override
        protected Backend backend() {
            return mutant(wrap);
        }
    }

    private static final class LossKit extends AbstractLossContractTest {
        private final UnaryOperator<RecModel> wrap;

        LossKit(UnaryOperator<RecModel> wrap) {
            this.wrap = wrap;
        }

        @Override
        protected Backend backend() {
            return mutant(wrap);
        }
    }

    private static final class DeterminismKit extends AbstractDeterminismContractTest {
        private final UnaryOperator<RecModel> wrap;

        DeterminismKit(UnaryOperator<RecModel> wrap) {
            this.wrap = wrap;
        }

        @Override
        protected Backend backend() {
            return mutant(wrap);
        }

        @Override
        protected float evalLoss(RecModel model, TrainBatch batch, LossSpec loss) {
            return ReferenceBackend.evalLoss(((Forwarding) model).delegate, batch, loss);
        }
    }

    private static final class LifecycleKit extends AbstractLifecycleContractTest {
        private final UnaryOperator<RecModel> wrap;

        LifecycleKit(UnaryOperator<RecModel> wrap) {
            this.wrap = wrap;
        }

        @Override
        protected Backend backend() {
            return mutant(wrap);
        }
    }
}
