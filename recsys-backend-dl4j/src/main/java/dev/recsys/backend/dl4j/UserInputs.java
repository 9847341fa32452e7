package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.reference.RefOps;
import java.util.Map;

/**
 * The inputs of the user encoder gathered in Java (history item vectors, event embeddings,
 * positions, keep mask) and their gradients scattered back into the tables.
 */
final class UserInputs {
    private final ModelConfig config;
    private final MasterWeights master;
    /** Sinusoidal positions {@code [maxLen, d]}, or null with learned positions. */
    private final float[] sinusoid;

    UserInputs(ModelConfig config, MasterWeights master) {
        this.config = config;
        this.master = master;
        this.sinusoid = config.positional() == Positional.SINUSOIDAL
                ? RefOps.sinusoidTable(config.maxLen(), config.dim())
                : null;
    }

    /** HIST (item vectors of the history, from {@code table} rows), EVENTS, POS and KEEP. */
    void fill(UserGraph g, SeqBatch batch, float[] table, int[] local) {
        int d = config.dim();
        int b = batch.size();
        int l = batch.length();
        Gathers.gatherRows(g, UserGraph.HIST, batch.items(), table, local, d);
        if (config.eventTypes() > 0) {
            float[] ev = g.buffer(UserGraph.EVENTS, b * l * d);
            float[] et = master.data(ParamLayout.EVENT_EMBEDDING);
            for (int p = 0; p < b * l; p++) {
                System.arraycopy(et, eventOf(batch, p) * d, ev, p * d, d);
            }
            g.setVariable(UserGraph.EVENTS, ev);
        }
        float[] pos = g.buffer(UserGraph.POS, l * d);
        float[] src =
                config.positional() == Positional.LEARNED ? master.data(ParamLayout.POSITION_EMBEDDING) : sinusoid;
        System.arraycopy(src, (config.maxLen() - l) * d, pos, 0, l * d);
        g.setVariable(UserGraph.POS, pos);
        float[] keep = g.buffer(UserGraph.KEEP, b * l);
        for (int p = 0; p < b * l; p++) {
            keep[p] = batch.items()[p] != 0 ? 1f : 0f;
        }
        g.setPlaceholder(UserGraph.KEEP, keep);
    }

    /**
     * Scatter-adds the gradients of HIST (into {@code itemGrads}, rows as in {@link #fill}),
     * EVENTS and POS (into the master gradients).
     */
    void scatter(SeqBatch batch, Map<String, float[]> gr, int[] local, float[] itemGrads) {
        int d = config.dim();
        int n = batch.size() * batch.length();
        float[] gh = gr.get(UserGraph.HIST);
        for (int p = 0; p < n; p++) {
            Gathers.addRow(itemGrads, Gathers.row(local, batch.items()[p]), gh, p, d);
        }
        if (config.eventTypes() > 0) {
            float[] ge = gr.get(UserGraph.EVENTS);
            float[] et = master.grad(ParamLayout.EVENT_EMBEDDING);
            for (int p = 0; p < n; p++) {
                Gathers.addRow(et, eventOf(batch, p), ge, p, d);
            }
        }
        if (config.positional() == Positional.LEARNED) {
            float[] gp = gr.get(UserGraph.POS);
            float[] pt = master.grad(ParamLayout.POSITION_EMBEDDING);
            int offset = (config.maxLen() - batch.length()) * d;
            for (int i = 0; i < gp.length; i++) {
                pt[offset + i] += gp[i];
            }
        }
    }

    /** The event type at flat position p: 0 when the batch carries none. */
    private static int eventOf(SeqBatch batch, int p) {
        return batch.events() == null ? 0 : batch.events()[p];
    }
}
