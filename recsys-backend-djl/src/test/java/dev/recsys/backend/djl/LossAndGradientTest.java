package dev.recsys.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss in eval mode against the reference value, and every parameter's gradient against
 * central finite differences of the double-precision reference model.
 */
class LossAndGradientTest {
    private static final int B = 3;
    private static final int L = 6;
    private static final int[] LENS = {6, 4, 2};

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("idOnly", Fixtures.idOnly(), new LossSpec.Bce(2)),
                Arguments.of("idOnly", Fixtures.idOnly(), new LossSpec.Gbce(3, 0.75f)),
                Arguments.of("idOnly", Fixtures.idOnly(), new LossSpec.SampledSoftmax(3, true)),
                Arguments.of("idOnly", Fixtures.idOnly(), new LossSpec.SampledSoftmax(2, false)),
                Arguments.of("idOnly", Fixtures.idOnly(), new LossSpec.SoftmaxCe()),
                Arguments.of("contentPost", Fixtures.contentPost(), new LossSpec.Bce(1)),
                Arguments.of("contentOnly", Fixtures.contentOnly(), new LossSpec.SoftmaxCe()),
                Arguments.of("idOnly/shared", Fixtures.idOnly(), new LossSpec.Bce(3)),
                Arguments.of("idOnly/shared", Fixtures.idOnly(), new LossSpec.Gbce(4, 0.5f)),
                Arguments.of("idOnly/shared", Fixtures.idOnly(), new LossSpec.SampledSoftmax(3, true)),
                Arguments.of("contentPost/shared", Fixtures.contentPost(), new LossSpec.SampledSoftmax(4, false)),
                Arguments.of("contentOnly/shared", Fixtures.contentOnly(), new LossSpec.Bce(3)),
                Arguments.of("idOnly/finetune", Fixtures.idOnly(), new LossSpec.Bpr(3)),
                Arguments.of("idOnly/finetune", Fixtures.idOnly(), new LossSpec.Hinge(2, 0.5f)),
                Arguments.of("contentPost/finetune", Fixtures.contentPost(), new LossSpec.Bce(2)),
                Arguments.of("contentOnly/finetune", Fixtures.contentOnly(), new LossSpec.Mse()),
                Arguments.of("contentOnly/finetune", Fixtures.contentOnly(), new LossSpec.Hinge(2, 1f)));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void lossAndEveryGradientMatchTheReference(String name, ModelConfig c, LossSpec spec) {
        ItemContent content = c.hasContent() ? Fixtures.content(c, 5) : null;
        Weights w = Initializer.init(c, 17);
        // non-trivial biases and gains, so that their gradients are exercised too
        SplittableRandom r = new SplittableRandom(3);
        for (String n : w.names()) {
            if (n.endsWith(".bias") || n.endsWith("norm.weight")) {
                float[] d = w.data(n);
                for (int i = 0; i < d.length; i++) {
                    d[i] += (float) (r.nextDouble() - 0.5) * 0.2f;
                }
            }
        }
        ReferenceModel ref = new ReferenceModel(c, content, w);
        TrainBatch batch = name.endsWith("finetune")
                ? candidates(c, spec)
                : name.endsWith("shared") ? sharedNegatives(c, spec) : nextItem(c, spec);
        try (RecModel m = Fixtures.backend().create(c, content, w, 1)) {
            StepResult res = m.lossAndGradients(batch, spec, false);
            double expected = ref.loss(batch, spec);
            assertThat((double) res.loss()).isCloseTo(expected, within(1e-4 + 1e-5 * Math.abs(expected)));
            assertThat(res.gradients().names()).containsExactlyElementsOf(w.names());
            double h = 1e-5; // small: ReLU and max kinks sit close to some pre-activations
            for (ParamLayout.Param p : ParamLayout.of(c)) {
                float[] g = res.gradients().data(p.name());
                for (int index : probes(p.size())) {
                    double base = ref.parameter(p.name(), index);
                    double up = ref.withParameter(p.name(), index, base + h).loss(batch, spec);
                    double down = ref.withParameter(p.name(), index, base - h).loss(batch, spec);
                    double fd = (up - down) / (2 * h);
                    assertThat((double) g[index])
                            .as("d loss / d %s[%d]", p.name(), index)
                            .isCloseTo(fd, within(2e-4 + 2e-3 * Math.abs(fd)));
                }
            }
        }
    }

    private static int[] probes(int size) {
        return size <= 4
                ? java.util.stream.IntStream.range(0, size).toArray()
                : new int[] {0, size / 3, size / 2 + 1, size - 1};
    }

    /** Next-item targets at every real position, the target first, then random negatives (and log Q). */
    static TrainBatch.NextItem nextItem(ModelConfig c, LossSpec spec) {
        SeqBatch in = Fixtures.batch(c, L, LENS, 21);
        SplittableRandom r = new SplittableRandom(4);
        int[] targets = new int[B * L];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = in.items()[i] == 0 ? 0 : 1 + r.nextInt(c.numItems());
        }
        if (spec instanceof LossSpec.SoftmaxCe) {
            return new TrainBatch.NextItem(in, targets, new Negatives.None());
        }
        int per = 1 + spec.negatives();
        int[] cand = new int[targets.length * per];
        float[] logQ = new float[cand.length];
        for (int p = 0; p < targets.length; p++) {
            cand[p * per] = targets[p] == 0 ? 0 : targets[p];
            for (int k = 1; k < per; k++) {
                cand[p * per + k] = targets[p] == 0 ? 0 : 1 + r.nextInt(c.numItems());
            }
        }
        for (int i = 0; i < logQ.length; i++) {
            logQ[i] = (float) Math.log(0.02 + r.nextDouble() * 0.2);
        }
        return new TrainBatch.NextItem(in, targets, new Negatives.PerPosition(cand, per, logQ));
    }

    /**
     * Next-item targets with K negatives shared by the batch; the first shared negative equals a
     * target of the batch, so that some groups drop it.
     */
    static TrainBatch.NextItem sharedNegatives(ModelConfig c, LossSpec spec) {
        TrainBatch.NextItem per = nextItem(c, new LossSpec.SoftmaxCe());
        SplittableRandom r = new SplittableRandom(9);
        int k = spec.negatives();
        int[] shared = new int[k];
        float[] sharedLogQ = new float[k];
        shared[0] = per.targets()[per.targets().length - 1];
        for (int i = 1; i < k; i++) {
            shared[i] = 1 + r.nextInt(c.numItems());
        }
        for (int i = 0; i < k; i++) {
            sharedLogQ[i] = (float) Math.log(0.02 + r.nextDouble() * 0.2);
        }
        float[] logQ = new float[per.targets().length];
        for (int i = 0; i < logQ.length; i++) {
            logQ[i] = (float) Math.log(0.02 + r.nextDouble() * 0.2);
        }
        return new TrainBatch.NextItem(
                per.input(), per.targets(), new Negatives.SharedByBatch(shared, logQ, sharedLogQ));
    }

    static TrainBatch.Candidates candidates(ModelConfig c, LossSpec spec) {
        SeqBatch in = Fixtures.batch(c, L, LENS, 22);
        int per = spec instanceof LossSpec.Mse ? 2 : 1 + spec.negatives();
        int[] cand = Fixtures.candidates(B, per, 23);
        float[] labels = null;
        if (spec instanceof LossSpec.Bce) {
            labels = new float[B * per];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % per == 0 ? 1f : 0f;
            }
        } else if (spec instanceof LossSpec.Mse) {
            labels = new float[B * per];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = 1 + i % 5;
            }
        }
        return new TrainBatch.Candidates(in, cand, per, labels);
    }
}
