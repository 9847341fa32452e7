package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.reference.RefOps;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.rng.Random;

/**
 * The content side of a content model: the content-encoder graph run over a set of items (padded
 * to a bucket of rows), giving their item vectors and encoded content, and its backward pass
 * driven by the gradients the user graph produced for those outputs. {@code rng} draws the dropout
 * masks; {@code sinusoid} holds the sinusoidal positions {@code [contentLen, d]} (null with learned
 * positions).
 */
record ContentPass(
        ModelConfig config,
        ItemContent content,
        MasterWeights master,
        GraphCache graphs,
        Random rng,
        float[] sinusoid) {
    /** Items per content run when every item's vector is needed. */
    private static final int ITEM_CHUNK = 512;

    /** Output of the content graph for a set of items (padded to the graph's row count). */
    static final class Out {
        ContentGraph graph;
        int[] items;
        /** item id → row, -1 when absent. */
        int[] local;
        /** Item-id dropout of the run: per item id, whether its id row was left out (null: none). */
        boolean[] droppedIds;

        float[] vec;
        float[] ctx;
        float[] gradVec;
        float[] gradCtx;
    }

    /** The content pass of a content model, with its positions table. */
    static ContentPass of(
            ModelConfig config, ItemContent content, MasterWeights master, GraphCache graphs, Random rng) {
        return new ContentPass(
                config,
                content,
                master,
                graphs,
                rng,
                config.positional() == Positional.SINUSOIDAL
                        ? RefOps.sinusoidTable(config.contentLen(), config.dim())
                        : null);
    }

    /**
     * @param needCtxGrad the encoded content's gradient will be collected (fine-tuning)
     * @param train       the run will be back-propagated ({@link #backward}); else forward only
     */
    Out run(int[] items, boolean dropout, boolean needCtxGrad, boolean train) {
        return run(items, null, dropout, needCtxGrad, train);
    }

    /**
     * As {@link #run(int[], boolean, boolean, boolean)}, leaving out the id rows of the items flagged
     * in {@code droppedIds} (item-id dropout; null: none): their vectors are their content alone and
     * their id rows get no gradient.
     */
    Out run(int[] items, boolean[] droppedIds, boolean dropout, boolean needCtxGrad, boolean train) {
        int rows = bucket(items.length);
        ContentGraph g = graphs.content(rows, dropout, train);
        g.syncWeights(master.live(), master.version());
        int t = config.contentLen();
        int d = config.dim();
        int[] padded = Arrays.copyOf(items, rows); // padding rows: item 0
        float[] tok = g.buffer(ContentGraph.TOKENS, rows * t * d);
        float[] tt = master.data(ParamLayout.TOKEN_EMBEDDING);
        float[] ck = g.buffer(ContentGraph.CKEEP, rows * t);
        int[] tokens = content.tokens();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < t; j++) {
                int token = tokens[padded[r] * t + j];
                System.arraycopy(tt, token * d, tok, (r * t + j) * d, d);
                ck[r * t + j] = token != 0 ? 1f : 0f;
            }
        }
        g.setVariable(ContentGraph.TOKENS, tok);
        g.setPlaceholder(ContentGraph.CKEEP, ck);
        float[] cpos = config.positional() == Positional.LEARNED
                ? master.data(ParamLayout.CONTENT_POSITION_EMBEDDING)
                : sinusoid;
        g.setVariable(ContentGraph.POS, cpos);
        if (config.itemIds()) {
            Gathers.gatherRows(g, ContentGraph.IDS, padded, master.data(ParamLayout.ITEM_EMBEDDING), null, d);
            if (droppedIds != null) {
                float[] idRows = g.buffer(ContentGraph.IDS, rows * d);
                for (int r = 0; r < rows; r++) {
                    if (droppedIds[padded[r]]) {
                        Arrays.fill(idRows, r * d, (r + 1) * d, 0f);
                    }
                }
                g.setVariable(ContentGraph.IDS, idRows);
            }
        }
        if (dropout) {
            g.drawDropout(rng);
        }
        Map<String, float[]> out = g.output(List.of(ContentGraph.VEC, ContentGraph.CTX));
        Out co = new Out();
        co.graph = g;
        co.items = padded;
        co.droppedIds = droppedIds;
        co.local = new int[config.numItems() + 1];
        Arrays.fill(co.local, -1);
        for (int r = items.length - 1; r >= 0; r--) {
            co.local[items[r]] = r;
        }
        co.vec = out.get(ContentGraph.VEC);
        co.ctx = out.get(ContentGraph.CTX);
        co.gradVec = new float[rows * d];
        co.gradCtx = needCtxGrad ? new float[rows * t * d] : null;
        return co;
    }

    /** Back-propagates the gradients collected in co through the content graph into the master gradients. */
    void backward(Out co) {
        ContentGraph g = co.graph;
        int t = config.contentLen();
        int d = config.dim();
        int rows = co.items.length;
        g.setPlaceholder(ContentGraph.GRAD_VEC, co.gradVec);
        g.setPlaceholder(
                ContentGraph.GRAD_CTX, co.gradCtx != null ? co.gradCtx : g.buffer(ContentGraph.GRAD_CTX, rows * t * d));
        Graph.Result r = g.lossAndGradients(g.gradNames);
        for (String p : g.net.paramNames()) {
            master.addGrad(p, r.gradients().get(p));
        }
        float[] gt = r.gradients().get(ContentGraph.TOKENS);
        float[] tt = master.grad(ParamLayout.TOKEN_EMBEDDING);
        int[] tokens = content.tokens();
        for (int row = 0; row < rows; row++) {
            for (int j = 0; j < t; j++) {
                Gathers.addRow(tt, tokens[co.items[row] * t + j], gt, row * t + j, d);
            }
        }
        if (config.positional() == Positional.LEARNED) {
            master.addGrad(ParamLayout.CONTENT_POSITION_EMBEDDING, r.gradients().get(ContentGraph.POS));
        }
        if (config.itemIds()) {
            float[] gi = r.gradients().get(ContentGraph.IDS);
            float[] it = master.grad(ParamLayout.ITEM_EMBEDDING);
            for (int row = 0; row < rows; row++) {
                if (co.droppedIds == null || !co.droppedIds[co.items[row]]) {
                    Gathers.addRow(it, co.items[row], gi, row, d);
                }
            }
        }
    }

    /** KEYS {@code [B, C, T, d]} and KEY_KEEP {@code [B, C, T]} of the candidates, from a content run. */
    void gatherContext(Graph g, int[] ids, Out co) {
        gatherContext(g, ids, co.ctx, co.local);
    }

    /**
     * KEYS and KEY_KEEP of the candidates from encoded content {@code ctx}, whose row of item i is
     * {@code local[i]}, or i itself when local is null (the content of every item).
     */
    void gatherContext(Graph g, int[] ids, float[] ctx, int[] local) {
        int t = config.contentLen();
        int block = t * config.dim();
        float[] keys = g.buffer(UserGraph.KEYS, ids.length * block);
        float[] kk = g.buffer(UserGraph.KEY_KEEP, ids.length * t);
        for (int k = 0; k < ids.length; k++) {
            System.arraycopy(ctx, (local == null ? ids[k] : local[ids[k]]) * block, keys, k * block, block);
            for (int j = 0; j < t; j++) {
                kk[k * t + j] = content.tokens()[ids[k] * t + j] != 0 ? 1f : 0f;
            }
        }
        g.setVariable(UserGraph.KEYS, keys);
        g.setPlaceholder(UserGraph.KEY_KEEP, kk);
    }

    /** Eval-mode item vectors {@code [N+1, d]} and encoded content {@code [N+1, T, d]} of every item, in runs of {@value #ITEM_CHUNK} items. */
    Every every() {
        int n = config.numItems() + 1;
        int d = config.dim();
        int block = config.contentLen() * d;
        float[] vectors = new float[n * d];
        float[] outputs = new float[n * block];
        for (int start = 0; start < n; start += ITEM_CHUNK) {
            int count = Math.min(ITEM_CHUNK, n - start);
            Out co = run(Gathers.rangeFrom(start, count), false, false, false);
            System.arraycopy(co.vec, 0, vectors, start * d, count * d);
            System.arraycopy(co.ctx, 0, outputs, start * block, count * block);
        }
        return new Every(vectors, outputs);
    }

    /** Item vectors {@code [N+1, d]} and encoded content {@code [N+1, T, d]} of every item. */
    record Every(float[] vectors, float[] outputs) {}

    /** Rows of a content graph for n items: rounded up so that few graph shapes are built. */
    static int bucket(int n) {
        int step = n <= 256 ? 32 : n <= 2048 ? 128 : 512;
        return (n + step - 1) / step * step;
    }
}
