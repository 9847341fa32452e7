package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.StepInputs;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.spi.StepResult;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.rng.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training step on a user graph: the item vectors the batch touches (the embedding table, or a
 * content pass over the batch's distinct items), the graph's inputs gathered from them, one forward
 * and backward pass, and the inputs' gradients scattered back into the master gradients (through
 * the content graph's backward pass for content models). {@code content} is null for an id-only
 * model; the dropout generator {@code rng} is seeded by the caller.
 */
record TrainingStep(
        ModelConfig config,
        MasterWeights master,
        LossInputs losses,
        UserInputs users,
        ContentPass content,
        Random rng) {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingStep.class);

    /** The item vectors of a step: a table with the map id → row ({@code local}, null = the id), and the content run behind it. */
    private record Items(float[] table, int[] local, ContentPass.Out content) {
        /** Where the gradients of these item vectors go: the item table (id-only) or the content run's vector gradient. */
        float[] gradients(MasterWeights master) {
            return content == null ? master.grad(ParamLayout.ITEM_EMBEDDING) : content.gradVec;
        }
    }

    /** The rows a step scores: each position's candidates (or targets), and the shared negatives (or null). */
    private record Rows(int[] candidates, int[] shared) {}

    /**
     * @param groups        the loss groups of a next-item batch, null for a fine-tuning batch
     * @param dropout       draw dropout masks (the generator is seeded by the caller)
     * @param withGradients false: the loss alone (one forward pass)
     */
    StepResult run(TrainBatch batch, LossSpec loss, StepInputs.Groups groups, boolean dropout, boolean withGradients) {
        master.zeroGrads();
        SeqBatch in = batch.input();
        UserGraph g;
        Rows rows;
        if (groups != null) {
            g = losses.pretrain(groups, dropout);
            // shared negatives: CAND holds each position's target row (row 0 where there is none), NEGS the K negatives
            // shared by the batch [K, d] or by row [B, K, d] (row b's K at [b*K, (b+1)*K) of the ids, in that order)
            Negatives negatives = groups.batch().negatives();
            rows = new Rows(
                    negatives instanceof Negatives.PerPosition p
                            ? p.candidates()
                            : groups.batch().targets(),
                    negatives instanceof Negatives.Shared s ? s.ids() : null);
        } else {
            TrainBatch.Candidates f = (TrainBatch.Candidates) batch;
            g = losses.finetune(f, loss, dropout);
            rows = new Rows(f.candidates(), null);
        }
        g.syncWeights(master.live(), master.version());
        Items items = items(g, batch, rows, dropout, withGradients);
        gatherInputs(g, in, rows, items);
        if (dropout) {
            g.drawDropout(rng);
        }
        if (g.rowSoftmax()) {
            return rowSoftmax(g, groups, items, withGradients);
        }
        if (!withGradients) {
            return new StepResult(g.output(List.of(Graph.LOSS)).get(Graph.LOSS)[0], null);
        }
        Graph.Result r = g.lossAndGradients(g.gradNames);
        if (!Float.isFinite(r.loss())) {
            LOG.warn("non-finite loss {} on a batch of {} x {}", r.loss(), in.size(), in.length());
        }
        scatterGradients(g, in, rows, items, r.gradients());
        return new StepResult(r.loss(), master.grads());
    }

    /**
     * A step whose loss {@link RowSoftmax} computes from the graph's user vectors: the graph's forward
     * pass, the loss row by row (adding the negatives' and targets' gradients to the item vectors'),
     * and the graph's backward pass from the user vectors' gradient.
     */
    private StepResult rowSoftmax(UserGraph g, StepInputs.Groups groups, Items items, boolean withGradients) {
        SeqBatch in = groups.batch().input();
        Negatives.SharedByRow shared = (Negatives.SharedByRow) groups.batch().negatives();
        float[] du = g.buffer(UserGraph.UPSTREAM, in.size() * in.length() * config.dim());
        float[] loss = new float[1];
        try (RowSoftmax rs = new RowSoftmax(in.length(), shared.k(), config.dim())) {
            if (!withGradients) {
                g.setPlaceholder(UserGraph.UPSTREAM, du); // not read by the forward pass
                float[] u = g.output(List.of(UserGraph.USER)).get(UserGraph.USER);
                return new StepResult(rs.loss(u, groups, shared, items.table(), items.local(), du, null), null);
            }
            float[] itemGrads = items.gradients(master);
            Graph.Result r = g.lossAndGradients(g.gradNames, UserGraph.USER, UserGraph.UPSTREAM, u -> {
                loss[0] = rs.loss(u, groups, shared, items.table(), items.local(), du, itemGrads);
                return du;
            });
            if (!Float.isFinite(loss[0])) {
                LOG.warn("non-finite loss {} on a batch of {} x {}", loss[0], in.size(), in.length());
            }
            scatterGradients(g, in, new Rows(new int[0], null), items, r.gradients());
        }
        return new StepResult(loss[0], master.grads());
    }

    /** The item vectors of the rows this batch touches. */
    private Items items(UserGraph g, TrainBatch batch, Rows rows, boolean dropout, boolean withGradients) {
        SeqBatch in = batch.input();
        if (content == null) {
            return new Items(master.data(ParamLayout.ITEM_EMBEDDING), null, null);
        }
        boolean softmax = g.spec.kind() == UserGraph.Kind.PRE_SOFTMAX;
        int[] uniq = softmax
                ? Gathers.rangeFrom(0, config.numItems() + 1)
                : rows.shared() != null
                        ? Gathers.distinct(new int[] {0}, in.items(), rows.candidates(), rows.shared())
                        : Gathers.distinct(in.items(), rows.candidates());
        boolean[] droppedIds = batch instanceof TrainBatch.NextItem n ? n.droppedIds() : null;
        ContentPass.Out co =
                content.run(uniq, droppedIds, dropout, g.spec.kind() == UserGraph.Kind.FINE, withGradients);
        return new Items(co.vec, co.local, co);
    }

    /** The user graph's inputs: history, catalogue (full softmax), candidates, shared negatives, candidate content. */
    private void gatherInputs(UserGraph g, SeqBatch in, Rows rows, Items items) {
        int d = config.dim();
        users.fill(g, in, items.table(), items.local());
        if (g.spec.kind() == UserGraph.Kind.PRE_SOFTMAX) {
            float[] all = g.buffer(UserGraph.ALL, config.numItems() * d);
            for (int i = 1; i <= config.numItems(); i++) {
                System.arraycopy(items.table(), Gathers.row(items.local(), i) * d, all, (i - 1) * d, d);
            }
            g.setVariable(UserGraph.ALL, all);
        }
        if (g.rowSoftmax()) { // RowSoftmax reads the targets' and negatives' rows from the table
            return;
        }
        Gathers.gatherRows(g, UserGraph.CAND, rows.candidates(), items.table(), items.local(), d);
        if (rows.shared() != null) {
            Gathers.gatherRows(g, UserGraph.NEGS, rows.shared(), items.table(), items.local(), d);
        }
        if (items.content() != null && g.spec.kind() == UserGraph.Kind.FINE) {
            content.gatherContext(g, rows.candidates(), items.content());
        }
    }

    /** The graph's gradients into the master gradients: parameters, then every gathered input back to its rows. */
    private void scatterGradients(UserGraph g, SeqBatch in, Rows rows, Items items, Map<String, float[]> gr) {
        for (String p : g.net.paramNames()) {
            master.addGrad(p, gr.get(p));
        }
        float[] itemGrads = items.gradients(master);
        int[] local = items.local();
        users.scatter(in, gr, local, itemGrads);
        int d = config.dim();
        if (g.spec.kind() == UserGraph.Kind.PRE_SOFTMAX) {
            float[] ga = gr.get(UserGraph.ALL);
            for (int i = 1; i <= config.numItems(); i++) {
                Gathers.addRow(itemGrads, Gathers.row(local, i), ga, i - 1, d);
            }
        }
        float[] gc = gr.get(UserGraph.CAND);
        int[] candidates = rows.candidates();
        for (int k = 0; k < candidates.length; k++) {
            Gathers.addRow(itemGrads, Gathers.row(local, candidates[k]), gc, k, d);
        }
        if (rows.shared() != null) {
            float[] gn = gr.get(UserGraph.NEGS);
            for (int k = 0; k < rows.shared().length; k++) {
                Gathers.addRow(itemGrads, Gathers.row(local, rows.shared()[k]), gn, k, d);
            }
        }
        ContentPass.Out co = items.content();
        if (co != null && co.gradCtx != null && g.spec.kind() == UserGraph.Kind.FINE) {
            float[] gk = gr.get(UserGraph.KEYS);
            int block = config.contentLen() * d;
            for (int k = 0; k < candidates.length; k++) {
                Gathers.addRow(co.gradCtx, co.local[candidates[k]], gk, k, block);
            }
        }
        if (co != null) {
            content.backward(co);
        }
    }
}
