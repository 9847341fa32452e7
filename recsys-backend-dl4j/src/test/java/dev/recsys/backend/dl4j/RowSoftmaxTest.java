package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.contract.ContractFixtures;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossMath;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.StepInputs;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RowSoftmax} (a sequence row at a time, gradients by hand) against the engine-free reference
 * {@link LossMath#pretrain(StepInputs.Groups, double[])} over each counted position's concatenated
 * logits (target first, then its row's K negatives): the same loss, the same gradients of the user
 * vectors and of the item vectors (through the target and the negatives), with rows of several,
 * one and no counted positions, negatives equal to a target (dropped there), with and without log Q.
 */
class RowSoftmaxTest {
    private static final int ITEMS = 40;
    private static final int D = 8;
    private static final int K = 12;
    private static final int B = 4;
    private static final int L = 6;
    /** Counted positions per sequence row: row 1 has none, row 2 one. */
    private static final int[] COUNTED = {3, 0, 1, 6};

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rowByRowLossAndGradientsEqualTheReferenceOverTheConcatenatedLogits(boolean logQ) {
        SplittableRandom r = new SplittableRandom(logQ ? 11 : 7);
        ModelConfig cfg = ModelConfig.builder()
                .numItems(ITEMS)
                .dim(D)
                .heads(2)
                .ffnDim(16)
                .maxLen(L)
                .build();
        int[] items = new int[B * L];
        int[] targets = new int[B * L];
        for (int b = 0; b < B; b++) {
            for (int j = L - COUNTED[b]; j < L; j++) {
                items[b * L + j] = 1 + r.nextInt(ITEMS);
                targets[b * L + j] = 1 + r.nextInt(ITEMS);
            }
        }
        int[] negatives = new int[B * K];
        for (int i = 0; i < negatives.length; i++) {
            negatives[i] = 1 + r.nextInt(ITEMS);
        }
        negatives[3] = targets[L - 1]; // row 0's negative 3 is its last target: dropped there
        float[] targetLogQ = new float[B * L];
        float[] negLogQ = new float[B * K];
        for (int i = 0; i < targetLogQ.length; i++) {
            targetLogQ[i] = targets[i] == 0 ? 0f : (float) (-3 - r.nextDouble());
        }
        for (int i = 0; i < negLogQ.length; i++) {
            negLogQ[i] = (float) (-3 - r.nextDouble());
        }
        Negatives.SharedByRow shared =
                new Negatives.SharedByRow(negatives, K, logQ ? targetLogQ : null, logQ ? negLogQ : null);
        TrainBatch.NextItem batch = new TrainBatch.NextItem(new SeqBatch(B, L, items, null), targets, shared);
        StepInputs.Groups groups = StepInputs.nextItem(cfg, batch, new LossSpec.SampledSoftmax(K, logQ));
        assertThat(groups.count()).isEqualTo(10);
        assertThat(groups.dropped())
                .as("a negative equal to its position's target")
                .isNotNull();

        float[] table = ContractFixtures.normal(r, (ITEMS + 1) * D, 1.5);
        float[] u = ContractFixtures.normal(r, B * L * D, 1.5);
        float[] du = new float[B * L * D];
        float[] itemGrads = new float[table.length];
        float loss;
        try (RowSoftmax rs = new RowSoftmax(L, K, D)) {
            loss = rs.loss(u, groups, shared, table, null, du, itemGrads);
            float[] again = new float[du.length];
            assertThat(rs.loss(u, groups, shared, table, null, again, null))
                    .as("the loss alone")
                    .isEqualTo(loss);
        }

        int p = groups.count();
        int w = groups.width();
        double[] logits = new double[p * w];
        for (int g = 0; g < p; g++) {
            for (int c = 0; c < w; c++) {
                logits[g * w + c] = dot(u, groups.positions()[g], table, groups.item(g, c));
            }
        }
        LossMath.Result ref = LossMath.pretrain(groups, logits);
        double[] refDu = new double[du.length];
        double[] refItems = new double[table.length];
        for (int g = 0; g < p; g++) {
            int pos = groups.positions()[g];
            for (int c = 0; c < w; c++) {
                int item = groups.item(g, c);
                double gl = ref.gradient()[g * w + c];
                for (int j = 0; j < D; j++) {
                    refDu[pos * D + j] += gl * table[item * D + j];
                    refItems[item * D + j] += gl * u[pos * D + j];
                }
            }
        }
        assertThat(ref.value()).isGreaterThan(1.0);
        assertThat((double) loss).isCloseTo(ref.value(), within(1e-5 * ref.value()));
        ContractFixtures.assertCloseRelative(du, refDu, 1e-5);
        ContractFixtures.assertCloseRelative(itemGrads, refItems, 1e-5);
    }

    private static double dot(float[] u, int pos, float[] table, int item) {
        double s = 0;
        for (int j = 0; j < D; j++) {
            s += (double) u[pos * D + j] * table[item * D + j];
        }
        return s;
    }
}
