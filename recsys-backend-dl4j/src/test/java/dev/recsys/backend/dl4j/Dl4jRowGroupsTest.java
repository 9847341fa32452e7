package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.contract.ContractFixtures;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.StepResult;
import dev.recsys.api.train.Batcher;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Running a training batch's rows by groups of similar length ({@code RowGroups}: each group its own
 * graph shape, padded with empty rows) changes no loss and no gradient: a group per length bucket
 * against one run over the whole batch, and both against the reference model's loss.
 */
class Dl4jRowGroupsTest {
    private static final int N = 30;
    /** maxLen 16: length buckets of 2 columns. */
    private static final int L = 16;
    /** Row lengths: short and long rows, one row without a target. */
    private static final int[] LENS = {16, 3, 9, 1, 14, 5, 2, 11};

    private static ModelConfig idOnly() {
        return ContractFixtures.base()
                .numItems(N)
                .maxLen(L)
                .layers(2)
                .dropout(0.2f)
                .build();
    }

    private static ModelConfig content() {
        return ContractFixtures.base()
                .numItems(N)
                .maxLen(L)
                .layers(1)
                .content(9, 4, 1)
                .eventTypes(3)
                .build();
    }

    static Stream<Arguments> cases() {
        ModelConfig id = idOnly();
        ModelConfig c = content();
        return Stream.of(
                Arguments.of("per position bce", id, new LossSpec.Bce(2), perPosition(id, 3)),
                Arguments.of("softmax", id, new LossSpec.SoftmaxCe(), perPosition(id, 0)),
                Arguments.of(
                        "shared by batch, sampled softmax with log Q",
                        id,
                        new LossSpec.SampledSoftmax(3, true),
                        shared(id, 3, false)),
                Arguments.of("shared by row, bce", id, new LossSpec.Bce(2), shared(id, 2, true)),
                Arguments.of(
                        "shared by row, row softmax", id, new LossSpec.SampledSoftmax(2, false), shared(id, 2, true)),
                Arguments.of("content per position bce", c, new LossSpec.Bce(1), perPosition(c, 2)));
    }

    /** Left-padded rows of LENS, next-item targets at every real position but the last row's; C candidates (0: none). */
    private static TrainBatch.NextItem perPosition(ModelConfig c, int per) {
        SplittableRandom r = new SplittableRandom(5);
        int b = LENS.length;
        int[] items = new int[b * L];
        int[] events = c.eventTypes() > 0 ? new int[b * L] : null;
        int[] targets = new int[b * L];
        for (int row = 0; row < b; row++) {
            for (int j = L - LENS[row]; j < L; j++) {
                items[row * L + j] = 1 + r.nextInt(N);
                if (events != null) {
                    events[row * L + j] = r.nextInt(c.eventTypes());
                }
                targets[row * L + j] = row == b - 1 ? 0 : 1 + r.nextInt(N);
            }
        }
        SeqBatch in = new SeqBatch(b, L, items, events);
        if (per == 0) {
            return new TrainBatch.NextItem(in, targets, new Negatives.None());
        }
        int[] cand = new int[b * L * per];
        for (int p = 0; p < b * L; p++) {
            cand[p * per] = targets[p];
            for (int k = 1; k < per; k++) {
                cand[p * per + k] = targets[p] == 0 ? 0 : 1 + r.nextInt(N);
            }
        }
        return new TrainBatch.NextItem(in, targets, new Negatives.PerPosition(cand, per, null));
    }

    /** K negatives shared by the batch or by row (the first equal to a target: dropped there), with log Q. */
    private static TrainBatch.NextItem shared(ModelConfig c, int k, boolean byRow) {
        TrainBatch.NextItem p = perPosition(c, 0);
        SplittableRandom r = new SplittableRandom(8);
        int n = byRow ? LENS.length * k : k;
        int[] ids = new int[n];
        float[] logQ = new float[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i == 0 ? p.targets()[L - 1] : 1 + r.nextInt(N);
            logQ[i] = (float) Math.log(0.02 + r.nextDouble() * 0.2);
        }
        float[] targetLogQ = new float[p.targets().length];
        for (int i = 0; i < targetLogQ.length; i++) {
            targetLogQ[i] = (float) Math.log(0.02 + r.nextDouble() * 0.2);
        }
        Negatives neg = byRow
                ? new Negatives.SharedByRow(ids, k, targetLogQ, logQ)
                : new Negatives.SharedByBatch(ids, targetLogQ, logQ);
        return new TrainBatch.NextItem(p.input(), p.targets(), neg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void groupsByEveryLengthBucketGiveTheLossAndGradientsOfOneRun(
            String name, ModelConfig c, LossSpec spec, TrainBatch.NextItem batch) {
        ItemContent content = c.hasContent() ? TestInputs.content(c, N, new SplittableRandom(3), false) : null;
        Weights w = Initializer.init(c, 31);
        try (var backend = new Dl4jBackendProvider().create(BackendOptions.defaults());
                Dl4jModel split = (Dl4jModel) backend.create(c, content, w, 1);
                Dl4jModel whole = (Dl4jModel) backend.create(c, content, w, 1)) {
            split.rowGroupOverhead(0);
            split.groupRows(2); // a group of 2 rows per length bucket (each padded to 2 rows)
            whole.rowGroupOverhead(Double.POSITIVE_INFINITY);
            StepResult a = split.lossAndGradients(batch, spec, false);
            StepResult b = whole.lossAndGradients(batch, spec, false);
            ContractFixtures.assertSameStep(a, b, w, new ReferenceModel(c, content, w).loss(batch, spec));
            assertThat(split.trainingGraphs()).isGreaterThan(whole.trainingGraphs()); // it did split
            assertThat(split.evalLoss(batch, spec)).isCloseTo(a.loss(), within(1e-6f));
            // in training mode (dropout) the split stays deterministic: the same seed repeats the same step
            split.seekDropout(1);
            StepResult t2 = split.lossAndGradients(batch, spec, true);
            split.seekDropout(1);
            assertThat(split.lossAndGradients(batch, spec, true).loss()).isEqualTo(t2.loss());
            assertThat(t2.loss()).isNotEqualTo(a.loss());
        }
    }

    /** A batch of rows of random lengths (1 to L), next-item targets at every real position, one negative each. */
    private static TrainBatch.NextItem randomBatch(int rows, SplittableRandom r) {
        int[] items = new int[rows * L];
        int[] targets = new int[rows * L];
        int[] cand = new int[rows * L * 2];
        for (int row = 0; row < rows; row++) {
            for (int j = L - 1 - r.nextInt(L); j < L; j++) {
                int p = row * L + j;
                items[p] = 1 + r.nextInt(N);
                targets[p] = 1 + r.nextInt(N);
                cand[p * 2] = targets[p];
                cand[p * 2 + 1] = 1 + r.nextInt(N);
            }
        }
        return new TrainBatch.NextItem(
                new SeqBatch(rows, L, items, null), targets, new Negatives.PerPosition(cand, 2, null));
    }

    @Test
    void aTrainingRunBuildsAtMostAGraphPerLengthBucketAndRebuildsNone() {
        ModelConfig c = idOnly();
        SplittableRandom r = new SplittableRandom(11);
        try (var backend = new Dl4jBackendProvider().create(BackendOptions.defaults());
                Dl4jModel m = (Dl4jModel) backend.create(c, null, Initializer.init(c, 31), 1)) {
            m.rowGroupOverhead(0);
            m.groupRows(4); // groups of 4 rows
            for (int step = 0; step < 12; step++) {
                // two epochs of batches of 12 rows, each ending with a smaller batch
                int rows = step % 6 == 5 ? 5 : 12;
                StepResult s = m.lossAndGradients(randomBatch(rows, r), new LossSpec.Bce(1), true);
                assertThat(s.loss()).isFinite();
            }
            // the groups of every batch, the last smaller ones included, run as 4 rows: their length is the shape
            assertThat(m.graphBuilds()).isBetween(4, Batcher.LENGTH_BUCKETS);
            assertThat(m.graphRebuilds()).isZero();
            assertThat(m.trainingGraphs()).isEqualTo(m.graphBuilds());
        }
    }
}
