package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fine-tuning batches of varying sizes and lengths, several of them longer than the model
 * dimension, run one after another through the same model (graphs cached per shape, one reused):
 * every step gives the reference model's loss, and gradients equal to central finite differences
 * of the reference model's double-precision loss.
 *
 * <p>Regression: a sequence length above {@code dim} (ML-1M at maxLen 50, dim 32) made every
 * fine-tuning step fail in libnd4j's {@code strided_slice_bp} ("begin index should be <=
 * corresponding dimension ... end_index = 49 for dimension 2"); the contract kit only uses L ≤ d.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Dl4jFineTuningShapesTest {
    private static final int N = 30;
    private static final int DIM = 8;
    private static final int MAX_LEN = 20;
    private static final int PER_ROW = 4;
    private static final double LOSS_TOL = 1e-4;
    private static final double FD_STEP = 1e-5;

    private Backend backend;

    @BeforeAll
    void open() {
        backend = new Dl4jBackendProvider().create(BackendOptions.defaults());
    }

    @AfterAll
    void close() {
        backend.close();
    }

    static Stream<Arguments> configs() {
        ModelConfig.Builder base = ModelConfig.builder()
                .numItems(N)
                .dim(DIM)
                .heads(2)
                .ffnDim(16)
                .maxLen(MAX_LEN)
                .dropout(0.2f)
                .layerNormEps(1e-6f);
        return Stream.of(
                Arguments.of(
                        "ids only, PRE, learned, mean (the ML-1M setup)",
                        base.layers(2)
                                .content(0, 0, 0)
                                .eventTypes(0)
                                .norm(Norm.PRE)
                                .positional(Positional.LEARNED)
                                .pooling(Pooling.MEAN)
                                .itemIds(true)
                                .scaleEmbeddings(true)
                                .build()),
                Arguments.of(
                        "content, ids, events, POST, sinusoidal, mean",
                        base.layers(1)
                                .content(12, 3, 1)
                                .eventTypes(2)
                                .norm(Norm.POST)
                                .positional(Positional.SINUSOIDAL)
                                .pooling(Pooling.MEAN)
                                .itemIds(true)
                                .scaleEmbeddings(false)
                                .build()));
    }

    /** (rows, length, bce instead of bpr): lengths above, at and below dim, a single row, and the first shape again. */
    private static final int[][] SHAPES = {
        {4, MAX_LEN, 0}, {3, 13, 0}, {4, 5, 0}, {1, DIM + 1, 0}, {2, 17, 1}, {3, DIM, 0}, {4, MAX_LEN, 0}
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void fineTuningBatchesOfEveryLengthAndSizeGiveTheReferenceLossAndGradients(String name, ModelConfig cfg) {
        SplittableRandom r = new SplittableRandom(23);
        ItemContent content = cfg.hasContent() ? content(cfg, r) : null;
        Weights w = Initializer.init(cfg, 31);
        ReferenceModel ref = new ReferenceModel(cfg, content, w);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (RecModel m = backend.create(cfg, content, w, 1)) {
            for (int[] shape : SHAPES) {
                int b = shape[0];
                int l = shape[1];
                boolean bce = shape[2] == 1;
                TrainBatch.Candidates batch = batch(cfg, b, l, bce, r);
                LossSpec loss = bce ? new LossSpec.Bce(PER_ROW - 1) : new LossSpec.Bpr(PER_ROW - 1);
                String what = name + ", " + loss.name() + " on [" + b + ", " + l + "]";

                StepResult step = m.lossAndGradients(batch, loss, false);
                assertThat((double) step.loss())
                        .as("%s: loss", what)
                        .isCloseTo(ref.loss(batch, loss), within(LOSS_TOL));
                float[] scores = m.scoreCandidates(batch.input(), batch.candidates(), PER_ROW);
                double[] refScores = ref.scoreCandidates(batch.input(), batch.candidates(), PER_ROW);
                for (int i = 0; i < scores.length; i++) {
                    assertThat((double) scores[i])
                            .as("%s: stage-2 score %d", what, i)
                            .isCloseTo(refScores[i], within(LOSS_TOL));
                }

                Weights g = step.gradients();
                for (ParamLayout.Param p : ParamLayout.of(cfg)) {
                    float[] gp = g.data(p.name());
                    for (int index : sample(cfg, p, gp, l, r)) {
                        double v = ref.parameter(p.name(), index);
                        double fd =
                                (ref.withParameter(p.name(), index, v + FD_STEP).loss(batch, loss)
                                                - ref.withParameter(p.name(), index, v - FD_STEP)
                                                        .loss(batch, loss))
                                        / (2 * FD_STEP);
                        if (Math.abs(gp[index] - fd) > 1e-4 + 1e-2 * Math.max(Math.abs(gp[index]), Math.abs(fd))) {
                            failures.add(what + ": " + p.name() + "[" + index + "] gradient " + gp[index]
                                    + ", finite difference " + fd);
                        }
                        checked++;
                    }
                }
            }
        }
        assertThat(failures)
                .as("gradients that disagree with the reference's finite differences (%d checked)", checked)
                .isEmpty();
        assertThat(checked).as("entries checked").isGreaterThan(100);
    }

    /**
     * Entries to check in one tensor: the largest |gradient|, one random entry, and for the learned
     * position table every column of the last position (its gradient flows through u_last).
     */
    private static List<Integer> sample(
            ModelConfig cfg, ParamLayout.Param p, float[] g, int length, SplittableRandom r) {
        Set<Integer> chosen = new LinkedHashSet<>();
        int best = 0;
        for (int i = 1; i < g.length; i++) {
            if (Math.abs(g[i]) > Math.abs(g[best])) {
                best = i;
            }
        }
        chosen.add(best);
        chosen.add(r.nextInt(g.length));
        if (p.name().equals(ParamLayout.POSITION_EMBEDDING)) {
            for (int k = 0; k < cfg.dim(); k++) {
                chosen.add((cfg.maxLen() - 1) * cfg.dim() + k);
                chosen.add((cfg.maxLen() - length) * cfg.dim() + k);
            }
        }
        return new ArrayList<>(chosen);
    }

    /** Left-padded rows of random lengths (the first row full), positive first, labels 1 for the first candidate of a row. */
    private static TrainBatch.Candidates batch(ModelConfig cfg, int b, int l, boolean labelled, SplittableRandom r) {
        int[] items = new int[b * l];
        int[] events = cfg.eventTypes() > 0 ? new int[b * l] : null;
        for (int row = 0; row < b; row++) {
            int len = row == 0 ? l : 1 + r.nextInt(l);
            for (int j = l - len; j < l; j++) {
                items[row * l + j] = 1 + r.nextInt(N);
                if (events != null) {
                    events[row * l + j] = r.nextInt(cfg.eventTypes());
                }
            }
        }
        int[] cand = new int[b * PER_ROW];
        float[] labels = labelled ? new float[cand.length] : null;
        for (int i = 0; i < cand.length; i++) {
            cand[i] = 1 + r.nextInt(N);
            if (labels != null) {
                labels[i] = i % PER_ROW == 0 ? 1f : 0f;
            }
        }
        return new TrainBatch.Candidates(new SeqBatch(b, l, items, events), cand, PER_ROW, labels);
    }

    private static ItemContent content(ModelConfig cfg, SplittableRandom r) {
        int[][] per = new int[N + 1][];
        for (int i = 1; i <= N; i++) {
            per[i] = new int[r.nextInt(cfg.contentLen())];
            for (int k = 0; k < per[i].length; k++) {
                per[i][k] = 2 + r.nextInt(cfg.contentVocab() - 2);
            }
        }
        return ItemContent.of(N, cfg.contentLen(), per);
    }
}
