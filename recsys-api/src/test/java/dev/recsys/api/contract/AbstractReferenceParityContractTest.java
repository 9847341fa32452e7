package dev.recsys.api.contract;

import static dev.recsys.api.contract.ContractFixtures.LENGTH;
import static dev.recsys.api.contract.ContractFixtures.PER_ROW;
import static dev.recsys.api.contract.ContractFixtures.ROWS;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.RecModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with {@link ReferenceModel}: every trace entry (at valid positions) and every output of
 * the full forward pass within {@link #tolerance()} of the double-precision reference, with the
 * weights passed to the backend through a checkpoint.
 */
public abstract class AbstractReferenceParityContractTest extends BackendContractSupport {

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyTraceEntryMatchesTheReference(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        Weights w = ContractFixtures.weights(cfg);
        SeqBatch batch = ContractFixtures.batch(cfg);
        int[] cand = ContractFixtures.candidates();
        ForwardTrace ref = reference(c, w).trace(batch, cand, PER_ROW);
        int d = cfg.dim();
        double tol = tolerance();
        try (RecModel m = create(c, w, 1)) {
            ForwardTrace t = m.trace(batch, cand, PER_ROW);
            assertClose(
                    ForwardTrace.ITEM_VECTORS,
                    t.get(ForwardTrace.ITEM_VECTORS),
                    ref.get(ForwardTrace.ITEM_VECTORS),
                    tol);
            if (cfg.hasContent()) {
                int n1 = cfg.numItems() + 1;
                assertCloseAtValidPositions(
                        ForwardTrace.CONTENT_OUTPUT,
                        t.get(ForwardTrace.CONTENT_OUTPUT),
                        toDoubles(ref.get(ForwardTrace.CONTENT_OUTPUT)),
                        ContractFixtures.content(cfg).tokens(),
                        n1,
                        cfg.contentLen(),
                        1,
                        d,
                        tol);
            }
            int[] items = batch.items();
            assertCloseAtValidPositions(
                    ForwardTrace.USER_INPUT,
                    t.get(ForwardTrace.USER_INPUT),
                    toDoubles(ref.get(ForwardTrace.USER_INPUT)),
                    items,
                    ROWS,
                    LENGTH,
                    1,
                    d,
                    tol);
            for (int i = 0; i < cfg.layers(); i++) {
                String key = ForwardTrace.userLayer(i);
                assertCloseAtValidPositions(key, t.get(key), toDoubles(ref.get(key)), items, ROWS, LENGTH, 1, d, tol);
            }
            assertCloseAtValidPositions(
                    ForwardTrace.USER_OUTPUT,
                    t.get(ForwardTrace.USER_OUTPUT),
                    toDoubles(ref.get(ForwardTrace.USER_OUTPUT)),
                    items,
                    ROWS,
                    LENGTH,
                    1,
                    d,
                    tol);
            assertClose(ForwardTrace.STAGE1, t.get(ForwardTrace.STAGE1), ref.get(ForwardTrace.STAGE1), tol);
            assertCloseAtValidPositions(
                    ForwardTrace.CROSS_OUTPUT,
                    t.get(ForwardTrace.CROSS_OUTPUT),
                    toDoubles(ref.get(ForwardTrace.CROSS_OUTPUT)),
                    items,
                    ROWS,
                    LENGTH,
                    PER_ROW,
                    d,
                    tol);
            assertClose(ForwardTrace.STAGE2, t.get(ForwardTrace.STAGE2), ref.get(ForwardTrace.STAGE2), tol);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theFullForwardPassMatchesTheReference(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        Weights w = ContractFixtures.weights(cfg);
        ReferenceModel ref = reference(c, w);
        SeqBatch batch = ContractFixtures.batch(cfg);
        SeqBatch shorter = ContractFixtures.keepLast(batch, 2);
        int[] cand = ContractFixtures.candidates();
        double tol = tolerance();
        try (RecModel m = create(c, w, 1)) {
            assertClose("itemVectors", m.itemVectors(), ref.itemVectors(), tol);
            assertClose("userVectors", m.userVectors(batch), ref.userVectors(batch), tol);
            assertClose("scoreAll", m.scoreAll(batch), ref.scoreAll(batch), tol);
            assertClose(
                    "scoreCandidates",
                    m.scoreCandidates(batch, cand, PER_ROW),
                    ref.scoreCandidates(batch, cand, PER_ROW),
                    tol);
            assertClose("scoreAll of a batch shorter than maxLen", m.scoreAll(shorter), ref.scoreAll(shorter), tol);
            assertClose(
                    "scoreCandidates of a batch shorter than maxLen",
                    m.scoreCandidates(shorter, cand, PER_ROW),
                    ref.scoreCandidates(shorter, cand, PER_ROW),
                    tol);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bothStagesInOneCallMatchTheReference(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        Weights w = ContractFixtures.weights(cfg);
        ReferenceModel ref = reference(c, w);
        SeqBatch batch = ContractFixtures.batch(cfg);
        int n1 = cfg.numItems() + 1;
        try (RecModel m = create(c, w, 1)) {
            float[][] seen = new float[1][];
            // the picker takes the two best-scoring items of each row (not padding), as a recommender would
            RecModel.TwoStageScores s = m.scoreTwoStage(batch, s1 -> {
                seen[0] = s1.clone();
                int[] ids = new int[ROWS * 2];
                for (int r = 0; r < ROWS; r++) {
                    ids[r * 2] = argmax(s1, r * n1, n1, 0);
                    ids[r * 2 + 1] = argmax(s1, r * n1, n1, ids[r * 2]);
                }
                return new RecModel.Candidates(ids, 2);
            });
            assertClose("stage 1 given to the picker", seen[0], ref.scoreAll(batch), tolerance());
            assertClose("stage1", s.stage1(), ref.scoreAll(batch), tolerance());
            assertClose(
                    "stage2",
                    s.stage2(),
                    ref.scoreCandidates(batch, s.candidates().ids(), 2),
                    tolerance());
            RecModel.TwoStageScores none = m.scoreTwoStage(batch, s1 -> new RecModel.Candidates(new int[0], 0));
            org.junit.jupiter.api.Assertions.assertEquals(0, none.stage2().length, "no candidates, no stage 2");
        }
    }

    /** The best item 1..n1-1 of one row of scores, other than skip. */
    private static int argmax(float[] scores, int offset, int n1, int skip) {
        int best = -1;
        for (int i = 1; i < n1; i++) {
            if (i != skip && (best < 0 || scores[offset + i] > scores[offset + best])) {
                best = i;
            }
        }
        return best;
    }
}
