package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.contract.AbstractAddedItemsContractTest;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.NewItem;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.io.ItemAddition;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import dev.recsys.api.train.Adam;
import dev.recsys.backend.djl.DjlBackendProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same checkpoint loaded in the DL4J and the DJL backend: the same scores within 1e-4 on a
 * fixed batch, and one training step from the same weights on the same batch gives the same loss
 * and gradients, and after the same Adam step (in Java) the same next loss, within 1e-4.
 * Both engines run in this JVM, single-threaded. A checkpoint made with DJL and extended with new
 * items without retraining ({@link ItemAddition}) scores the same on both, new items included.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossBackendParityTest {
    private static final double TOL = 1e-4;
    private static final int N = 40;
    private static final int B = 4;
    private static final int L = 12;
    private static final int C = 5;
    /** Negatives shared by the batch, or by each sequence row, in the shared pre-training cases. */
    private static final int SHARED = 8;

    private Backend dl4j;
    private Backend djl;

    @TempDir
    Path dir;

    @BeforeAll
    void open() {
        dl4j = new Dl4jBackendProvider().create(BackendOptions.defaults());
        djl = new DjlBackendProvider().create(BackendOptions.defaults());
    }

    @AfterAll
    void closeAll() {
        dl4j.close();
        djl.close();
    }

    static Stream<Arguments> configs() {
        ModelConfig.Builder base = ModelConfig.builder()
                .numItems(N)
                .dim(16)
                .heads(2)
                .ffnDim(24)
                .maxLen(L)
                .dropout(0.2f)
                .layerNormEps(1e-6f);
        return Stream.of(
                Arguments.of(
                        "content, ids, events, PRE, learned, mean",
                        base.layers(2)
                                .content(30, 6, 1)
                                .eventTypes(3)
                                .norm(Norm.PRE)
                                .positional(Positional.LEARNED)
                                .pooling(Pooling.MEAN)
                                .itemIds(true)
                                .scaleEmbeddings(true)
                                .build()),
                Arguments.of(
                        "ids only, POST, sinusoidal, max",
                        base.layers(1)
                                .content(0, 0, 0)
                                .eventTypes(0)
                                .norm(Norm.POST)
                                .positional(Positional.SINUSOIDAL)
                                .pooling(Pooling.MAX)
                                .itemIds(true)
                                .scaleEmbeddings(false)
                                .build()),
                Arguments.of(
                        "content, ids, SASREC, 1 head, learned, mean",
                        base.heads(1)
                                .layers(2)
                                .content(30, 6, 1)
                                .eventTypes(0)
                                .norm(Norm.SASREC)
                                .positional(Positional.LEARNED)
                                .pooling(Pooling.MEAN)
                                .itemIds(true)
                                .scaleEmbeddings(true)
                                .build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void oneCheckpointGivesTheSameScoresLossGradientsAndNextLossInBothBackends(String name, ModelConfig cfg)
            throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        ItemContent content = cfg.hasContent() ? TestInputs.content(cfg, N, r, false) : null;
        Weights w0 = Initializer.init(cfg, 17);
        Path ckpt = dir.resolve(name.replaceAll("[^a-z]", "_"));
        Checkpoint.write(ckpt, CheckpointData.of(cfg, w0, content));
        CheckpointData read = Checkpoint.read(ckpt);
        SeqBatch batch = TestInputs.batch(cfg, B, L, N, r);
        int[] cand = new int[B * C];
        for (int i = 0; i < cand.length; i++) {
            cand[i] = 1 + r.nextInt(N);
        }
        try (RecModel a = dl4j.create(read.config(), read.content(), read.weights(), 1);
                RecModel b = djl.create(read.config(), read.content(), read.weights(), 1)) {
            assertClose("itemVectors", a.itemVectors(), b.itemVectors());
            assertClose("userVectors", a.userVectors(batch), b.userVectors(batch));
            assertClose("scoreAll", a.scoreAll(batch), b.scoreAll(batch));
            assertClose("scoreCandidates", a.scoreCandidates(batch, cand, C), b.scoreCandidates(batch, cand, C));

            // per-position negatives, negatives shared by the batch, negatives shared by row, fine-tuning
            for (int kind = 0; kind < 4; kind++) {
                LossSpec loss = kind == 0
                        ? new LossSpec.Bce(2)
                        : kind == 1
                                ? new LossSpec.SampledSoftmax(SHARED, true)
                                : kind == 2 ? new LossSpec.Gbce(SHARED, 0.75f) : new LossSpec.Bpr(C - 1);
                TrainBatch tb = kind == 0
                        ? nextItem(batch, r)
                        : kind == 1
                                ? sharedNextItem(batch, r)
                                : kind == 2
                                        ? sharedByRowNextItem(batch, r)
                                        : new TrainBatch.Candidates(batch, cand, C, null);
                a.setWeights(read.weights());
                b.setWeights(read.weights());
                StepResult sa = a.lossAndGradients(tb, loss, false);
                StepResult sb = b.lossAndGradients(tb, loss, false);
                assertThat((double) sa.loss())
                        .as("%s loss", loss.name())
                        .isCloseTo(sb.loss(), org.assertj.core.data.Offset.offset(TOL));
                for (String p : sa.gradients().names()) {
                    assertClose(
                            loss.name() + " gradient of " + p,
                            sa.gradients().data(p),
                            sb.gradients().data(p));
                }
                Weights wa = read.weights().copy();
                Weights wb = read.weights().copy();
                new Adam(OptimizerConfig.adam(), wa).update(wa, sa.gradients().copy(), 1e-2f);
                new Adam(OptimizerConfig.adam(), wb).update(wb, sb.gradients().copy(), 1e-2f);
                a.setWeights(wa);
                b.setWeights(wb);
                float nextA = a.lossAndGradients(tb, loss, false).loss();
                float nextB = b.lossAndGradients(tb, loss, false).loss();
                assertThat((double) nextA)
                        .as("%s loss after one Adam step", loss.name())
                        .isCloseTo(nextB, org.assertj.core.data.Offset.offset(TOL));
                assertThat(nextA).as("the Adam step changed the loss").isNotEqualTo(sa.loss());
            }
        }
    }

    @Test
    void aDjlCheckpointWithAddedItemsScoresTheSameOnDl4j() throws IOException {
        ModelConfig cfg = (ModelConfig) configs().findFirst().orElseThrow().get()[1];
        SplittableRandom r = new SplittableRandom(11);
        ItemContent content = TestInputs.content(cfg, N, r, false);
        List<String> vocab = AbstractAddedItemsContractTest.vocabulary(cfg.contentVocab());
        List<String> ids = new ArrayList<>(List.of(""));
        for (int i = 1; i <= N; i++) {
            ids.add(Integer.toString(1000 + i));
        }
        Weights fromDjl;
        try (RecModel m = djl.create(cfg, content, Initializer.init(cfg, 23), 1)) {
            fromDjl = m.weights(); // the weights as the DJL backend holds them
        }
        ItemAddition add = new CheckpointData(cfg, fromDjl, content, vocab, ids, Map.of(), null)
                .withItems(
                        List.of(
                                new NewItem("2001", List.of("w4", "w17", "w29")),
                                new NewItem("2002", List.of("w8", "an-unknown-word")),
                                new NewItem("2003", List.of("w3", "w5", "w6", "w7", "w9", "w10", "w12"))),
                        false);
        Path ckpt = dir.resolve("with-added-items");
        Checkpoint.write(ckpt, add.data());
        CheckpointData read = Checkpoint.read(ckpt);
        assertThat(read.config().numItems()).isEqualTo(N + 3);
        assertThat(read.itemIds().subList(N + 1, N + 4)).containsExactly("2001", "2002", "2003");
        SeqBatch batch = TestInputs.batch(cfg, B, L, N, r);
        int[] cand = new int[B * C];
        for (int i = 0; i < cand.length; i++) {
            cand[i] = i % 2 == 0 ? N + 1 + (i / 2) % 3 : 1 + r.nextInt(N); // new and existing items
        }
        try (RecModel a = dl4j.create(read.config(), read.content(), read.weights(), 1);
                RecModel b = djl.create(read.config(), read.content(), read.weights(), 1)) {
            assertClose("itemVectors with added items", a.itemVectors(), b.itemVectors());
            assertClose("scoreAll with added items", a.scoreAll(batch), b.scoreAll(batch));
            assertClose(
                    "scoreCandidates with added items",
                    a.scoreCandidates(batch, cand, C),
                    b.scoreCandidates(batch, cand, C));
        }
    }

    private static void assertClose(String what, float[] a, float[] b) {
        assertThat(a).as("%s: length", what).hasSize(b.length);
        for (int i = 0; i < a.length; i++) {
            double allowed = TOL * Math.max(1, Math.abs(b[i]));
            if (!(Math.abs(a[i] - b[i]) <= allowed)) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + " in DL4J and " + b[i] + " in DJL");
            }
        }
    }

    /** Targets per position and {@link #SHARED} negatives for the whole batch, the first equal to some position's target. */
    private static TrainBatch.NextItem sharedNextItem(SeqBatch in, SplittableRandom r) {
        int[] targets = new int[B * L];
        float[] logQ = new float[B * L];
        int some = 0;
        for (int p = 0; p < targets.length; p++) {
            if (in.items()[p] != 0) {
                targets[p] = 1 + r.nextInt(N);
                logQ[p] = -1f - 0.1f * targets[p];
                some = targets[p];
            }
        }
        int[] shared = new int[SHARED];
        float[] sharedLogQ = new float[SHARED];
        for (int k = 0; k < SHARED; k++) {
            shared[k] = k == 0 ? some : 1 + r.nextInt(N);
            sharedLogQ[k] = -1f - 0.1f * shared[k];
        }
        return new TrainBatch.NextItem(in, targets, new Negatives.SharedByBatch(shared, logQ, sharedLogQ));
    }

    /**
     * Targets per position and {@link #SHARED} negatives for each sequence row (by row), the first of a
     * row equal to one of that row's targets where it has any.
     */
    private static TrainBatch.NextItem sharedByRowNextItem(SeqBatch in, SplittableRandom r) {
        int[] targets = new int[B * L];
        int[] shared = new int[B * SHARED];
        for (int b = 0; b < B; b++) {
            int some = 1 + r.nextInt(N);
            for (int j = 0; j < L; j++) {
                int p = b * L + j;
                if (in.items()[p] != 0) {
                    targets[p] = 1 + r.nextInt(N);
                    some = targets[p];
                }
            }
            for (int k = 0; k < SHARED; k++) {
                shared[b * SHARED + k] = k == 0 ? some : 1 + r.nextInt(N);
            }
        }
        return new TrainBatch.NextItem(in, targets, new Negatives.SharedByRow(shared, SHARED, null, null));
    }

    private static TrainBatch.NextItem nextItem(SeqBatch in, SplittableRandom r) {
        int[] targets = new int[B * L];
        int[] cand = new int[B * L * 3];
        for (int p = 0; p < targets.length; p++) {
            if (in.items()[p] != 0) {
                targets[p] = 1 + r.nextInt(N);
                cand[p * 3] = targets[p];
                cand[p * 3 + 1] = 1 + r.nextInt(N);
                cand[p * 3 + 2] = 1 + r.nextInt(N);
            }
        }
        return new TrainBatch.NextItem(in, targets, new Negatives.PerPosition(cand, 3, null));
    }
}
