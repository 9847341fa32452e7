package dev.recsys.api.contract;

import static dev.recsys.api.contract.ContractFixtures.LENGTH;
import static dev.recsys.api.contract.ContractFixtures.PER_ROW;
import static dev.recsys.api.contract.ContractFixtures.ROWS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Masks: extra left padding and anything at a padded position (its event, the padding rows of
 * the embedding tables) never change an output, and a later position never changes an earlier
 * one (causal mask).
 */
public abstract class AbstractMaskContractTest extends BackendContractSupport {

    /** Tolerance for outputs that must not change (float32 noise from different shapes only). */
    protected double invarianceTolerance() {
        return 1e-5;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void extraLeftPaddingNeverChangesAnyOutput(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        SeqBatch shortBatch = ContractFixtures.keepLast(ContractFixtures.batch(cfg), 3);
        SeqBatch padded = ContractFixtures.padLeft(shortBatch, 2);
        int[] cand = ContractFixtures.candidates();
        double tol = invarianceTolerance();
        try (RecModel m = create(c, 1)) {
            assertClose("userVectors", m.userVectors(padded), toDoubles(m.userVectors(shortBatch)), tol);
            assertClose("scoreAll", m.scoreAll(padded), toDoubles(m.scoreAll(shortBatch)), tol);
            assertClose(
                    "scoreCandidates",
                    m.scoreCandidates(padded, cand, PER_ROW),
                    toDoubles(m.scoreCandidates(shortBatch, cand, PER_ROW)),
                    tol);
            float[] uShort = m.trace(shortBatch, cand, PER_ROW).get(ForwardTrace.USER_OUTPUT);
            float[] uLong = m.trace(padded, cand, PER_ROW).get(ForwardTrace.USER_OUTPUT);
            int d = cfg.dim();
            for (int b = 0; b < ROWS; b++) {
                for (int j = 0; j < 3; j++) {
                    if (shortBatch.item(b, j) == 0) {
                        continue;
                    }
                    float[] a = java.util.Arrays.copyOfRange(uLong, (b * 5 + j + 2) * d, (b * 5 + j + 3) * d);
                    float[] e = java.util.Arrays.copyOfRange(uShort, (b * 3 + j) * d, (b * 3 + j + 1) * d);
                    assertClose("user output [row " + b + ", position " + j + "]", a, e, tol);
                }
            }
            int[] targets = {0, 0, 5, 2, 6, 0, 0, 6, 3, 1, 0, 0, 0, 0, 4}; // 0 at every padded position
            int[] shortTargets = new int[ROWS * 3];
            for (int b = 0; b < ROWS; b++) {
                System.arraycopy(targets, b * 5 + 2, shortTargets, b * 3, 3);
            }
            LossSpec softmax = new LossSpec.SoftmaxCe();
            float lossShort =
                    evalLoss(m, new TrainBatch.NextItem(shortBatch, shortTargets, new Negatives.None()), softmax);
            float lossLong = evalLoss(m, new TrainBatch.NextItem(padded, targets, new Negatives.None()), softmax);
            assertClose("softmax loss", new float[] {lossLong}, new double[] {lossShort}, tol);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void whateverSitsAtAPaddedPositionNeverChangesAnyOutput(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        SeqBatch batch = ContractFixtures.batch(cfg);
        int[] cand = ContractFixtures.candidates();
        double tol = invarianceTolerance();
        Weights w = ContractFixtures.weights(cfg);
        Weights changed = w.copy();
        if (cfg.itemIds()) {
            fillRow(changed.data(ParamLayout.ITEM_EMBEDDING), 0, cfg.dim(), 3f); // the padding item
        }
        if (cfg.hasContent()) {
            fillRow(changed.data(ParamLayout.TOKEN_EMBEDDING), 0, cfg.dim(), -3f); // the padding token
        }
        SeqBatch changedEvents = batch;
        if (cfg.eventTypes() > 0) {
            int[] events = batch.events().clone();
            for (int i = 0; i < events.length; i++) {
                if (batch.items()[i] == 0) {
                    events[i] = 1;
                }
            }
            changedEvents = new SeqBatch(batch.size(), batch.length(), batch.items(), events);
        }
        try (RecModel m = create(c, w, 1);
                RecModel m2 = create(c, changed, 1)) {
            assertClose("userVectors", m2.userVectors(changedEvents), toDoubles(m.userVectors(batch)), tol);
            assertClose(
                    "scoreCandidates",
                    m2.scoreCandidates(changedEvents, cand, PER_ROW),
                    toDoubles(m.scoreCandidates(batch, cand, PER_ROW)),
                    tol);
            int n1 = cfg.numItems() + 1;
            int d = cfg.dim();
            float[] all = m.scoreAll(batch);
            float[] all2 = m2.scoreAll(changedEvents);
            float[] items = m.itemVectors();
            float[] items2 = m2.itemVectors();
            // column / row 0 is the padding item itself, whose vector may change with its embedding
            for (int b = 0; b < ROWS; b++) {
                assertClose(
                        "scoreAll row " + b + " items 1..N",
                        java.util.Arrays.copyOfRange(all2, b * n1 + 1, (b + 1) * n1),
                        toDoubles(java.util.Arrays.copyOfRange(all, b * n1 + 1, (b + 1) * n1)),
                        tol);
            }
            assertClose(
                    "itemVectors of items 1..N",
                    java.util.Arrays.copyOfRange(items2, d, n1 * d),
                    toDoubles(java.util.Arrays.copyOfRange(items, d, n1 * d)),
                    tol);
            if (cfg.hasContent()) {
                ItemContent content = ContractFixtures.content(cfg);
                float[] co = m.trace(batch, cand, PER_ROW).get(ForwardTrace.CONTENT_OUTPUT);
                float[] co2 = m2.trace(changedEvents, cand, PER_ROW).get(ForwardTrace.CONTENT_OUTPUT);
                assertCloseAtValidPositions(
                        "content output at real tokens",
                        co2,
                        toDoubles(co),
                        content.tokens(),
                        n1,
                        cfg.contentLen(),
                        1,
                        d,
                        tol);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aLaterPositionNeverChangesAnEarlierOne(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        SeqBatch batch = ContractFixtures.batch(cfg);
        int[] items = batch.items().clone();
        int[] events = batch.events() == null ? null : batch.events().clone();
        for (int b = 0; b < ROWS; b++) {
            int last = b * LENGTH + LENGTH - 1;
            items[last] = items[last] % cfg.numItems() + 1; // a different item at the last position
            if (events != null) {
                events[last] = 1 - events[last];
            }
        }
        SeqBatch future = new SeqBatch(ROWS, LENGTH, items, events);
        int[] cand = ContractFixtures.candidates();
        int[] earlier = batch.items().clone();
        for (int b = 0; b < ROWS; b++) {
            earlier[b * LENGTH + LENGTH - 1] = 0; // compare positions 0..L-2 only
        }
        try (RecModel m = create(c, 1)) {
            ForwardTrace t = m.trace(batch, cand, PER_ROW);
            ForwardTrace t2 = m.trace(future, cand, PER_ROW);
            for (int i = 0; i < cfg.layers(); i++) {
                assertCloseAtValidPositions(
                        ForwardTrace.userLayer(i) + " before the changed position",
                        t2.get(ForwardTrace.userLayer(i)),
                        toDoubles(t.get(ForwardTrace.userLayer(i))),
                        earlier,
                        ROWS,
                        LENGTH,
                        1,
                        cfg.dim(),
                        invarianceTolerance());
            }
            assertCloseAtValidPositions(
                    ForwardTrace.USER_OUTPUT + " before the changed position",
                    t2.get(ForwardTrace.USER_OUTPUT),
                    toDoubles(t.get(ForwardTrace.USER_OUTPUT)),
                    earlier,
                    ROWS,
                    LENGTH,
                    1,
                    cfg.dim(),
                    invarianceTolerance());
            // and the change itself is seen at the last position (the test would be vacuous otherwise)
            float[] u = m.userVectors(batch);
            float[] u2 = m.userVectors(future);
            assertThat(maxAbsDiff(u, u2))
                    .as("the last position sees its own item")
                    .isGreaterThan(1e-3);
        }
    }

    private static void fillRow(float[] table, int row, int dim, float value) {
        java.util.Arrays.fill(table, row * dim, (row + 1) * dim, value);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
