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
}
