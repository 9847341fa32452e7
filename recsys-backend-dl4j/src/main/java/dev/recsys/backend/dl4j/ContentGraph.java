package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.model.ParamLayout;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The item side of a content model for a fixed number of item rows U: token rows (gathered in
 * Java) plus content positions through the content encoder, giving {@code I [U, T, d]} and the
 * item vectors {@code (id row) + mean_{t: ckeep} I[t]} {@code [U, d]}.
 *
 * <p>Its backward pass is driven from outside: the user graph's gradients with respect to the
 * item vectors and the keys it used, scatter-added per item into {@link #GRAD_VEC} and
 * {@link #GRAD_CTX}, define the objective {@code Σ vec ⊙ G_vec + Σ I ⊙ G_ctx}, whose gradients
 * are exactly the chain rule through this graph.
 */
final class ContentGraph extends Graph {
    static final String TOKENS = "in.tokens";
    static final String POS = "in.cpos";
    static final String IDS = "in.ids";
    static final String CKEEP = "ph.ckeep";
    static final String GRAD_VEC = "ph.grad_vec";
    static final String GRAD_CTX = "ph.grad_ctx";
    static final String VEC = "out.vec";
    static final String CTX = "out.ctx";

    final int rows;
    final List<String> gradNames = new ArrayList<>();

    private ContentGraph(Net net, int rows) {
        super(net);
        this.rows = rows;
    }

    static ContentGraph build(ModelConfig c, int rows, boolean dropout, boolean differentiable) {
        Net net = new Net(c, dropout, differentiable);
        SameDiff sd = net.sd;
        long u = rows;
        long t = c.contentLen();
        long d = c.dim();
        ContentGraph g = new ContentGraph(net, rows);
        List<String> inputs = new ArrayList<>();
        SDVariable tok = sd.var(TOKENS, DataType.FLOAT, u, t, d);
        inputs.add(TOKENS);
        SDVariable x = c.scaleEmbeddings() ? tok.mul(Math.sqrt(c.dim())) : tok;
        x = x.add(sd.var(POS, DataType.FLOAT, t, d));
        inputs.add(POS);
        x = x.reshape(u * t, d);
        SDVariable ckeep = sd.placeHolder(CKEEP, DataType.FLOAT, u, t);
        SdEncoder encoder = new SdEncoder(net, ParamLayout.CONTENT_ENCODER, c.contentLayers(), false, u, t);
        SDVariable ctx = encoder.encode(net.dropout(x, u * t, d), ckeep);
        SDVariable count = ckeep.sum(true, 1); // >= 1: the marker is always kept
        SDVariable weight = ckeep.div(count).reshape(u, 1, t);
        SDVariable vec = sd.mmul(weight, ctx.reshape(u, t, d)).reshape(u, d);
        if (c.itemIds()) {
            vec = vec.add(sd.var(IDS, DataType.FLOAT, u, d));
            inputs.add(IDS);
        }
        sd.identity(VEC, vec);
        sd.identity(CTX, ctx);
        SDVariable gv = sd.placeHolder(GRAD_VEC, DataType.FLOAT, u, d);
        SDVariable gc = sd.placeHolder(GRAD_CTX, DataType.FLOAT, u * t, d);
        vec.mul(gv).sum().add(ctx.mul(gc).sum()).rename(LOSS);
        sd.setLossVariables(LOSS);
        g.gradNames.addAll(net.paramNames());
        g.gradNames.addAll(inputs);
        return g;
    }
}
