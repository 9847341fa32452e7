package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.model.ParamLayout;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The user side of the model for one batch shape: input sum, user encoder, stage-1 scores, and
 * (with candidates) cross-attention and the stage-2 scorer; in training graphs also the loss.
 *
 * <p>Embedding rows enter as trainable input variables holding gathered rows (item vectors of
 * the history and the candidates, event rows, position rows), so no gather is differentiated in
 * the graph (docs/ENGINES.md: SameDiff cannot train through gather); the model scatter-adds their
 * gradients into the tables in Java.
 */
final class UserGraph extends Graph {
    static final String HIST = "in.hist";
    static final String EVENTS = "in.events";
    static final String POS = "in.pos";
    static final String CAND = "in.cand";
    /** PRE_SHARED: the K negatives shared by every position, {@code [K, d]}; PRE_SHARED_ROW: K per sequence row, {@code [B, K, d]}. */
    static final String NEGS = "in.negs";

    static final String ALL = "in.all";
    static final String KEYS = "in.keys";
    static final String KEEP = "ph.keep";
    static final String USER_IN = "ph.user";
    static final String KEY_KEEP = "ph.keykeep";
    static final String USER_INPUT = "out.user_input";
    static final String USER = "out.user";
    static final String STAGE1 = "out.stage1";
    static final String CROSS = "out.cross";
    static final String STAGE2 = "out.stage2";
    static final String L_POS = "loss.pos";
    static final String L_NEG = "loss.neg";
    /** log Q of every score column (PRE_RANK: {@code [rows, C]}), or of the negatives (shared kinds: {@code [rows, K]}). */
    static final String L_LOGQ = "loss.logq";
    /** Shared kinds with CE: log Q of each row's target {@code [rows, 1]}. */
    static final String L_LOGQ_POS = "loss.logq_pos";

    /** PRE_SHARED_ROW with CE: the loss's gradient with respect to {@link #USER} {@code [B*L, d]} ({@link RowSoftmax}). */
    static final String UPSTREAM = "loss.upstream";

    static final String L_LABEL = "loss.label";
    /** BPR, hinge, MSE: per score weights {@code [groups, perGroup]}; CE: per row {@code [rows, 1]} (1 / counted, 0 without a target). */
    static final String L_WEIGHT = "loss.weight";

    /**
     * What the graph computes: EVAL = user encoder (and stage 2 with candidates); STAGE2 = stage 2
     * from an already encoded user sequence fed as {@link #USER_IN} (forward only); PRE_SHARED =
     * pre-training with negatives shared by the batch: the target's row per position in
     * {@link #CAND} {@code [B*L, d]} and the K negatives in {@link #NEGS} {@code [K, d]}, scores
     * {@code [B*L, 1 + K]} (target first), the negative logits as one product {@code U NEGS^T};
     * PRE_SHARED_ROW = the same with K negatives per sequence row, shared by that row's positions:
     * {@link #NEGS} {@code [B, K, d]}, the negative logits as one batched product
     * {@code U [B, L, d] x NEGS^T [B, d, K]} (no {@code [B, L, K, d]} tensor); with CE the graph
     * has neither: it outputs {@link #USER} and its loss is {@code Σ USER ⊙ UPSTREAM}, the sampled
     * softmax being computed row by row outside it ({@link RowSoftmax}, {@link #rowSoftmax()}).
     */
    enum Kind {
        EVAL,
        STAGE2,
        PRE_RANK,
        PRE_SHARED,
        PRE_SHARED_ROW,
        PRE_SOFTMAX,
        FINE
    }

    /** The loss expression on the scores. */
    enum Form {
        NONE,
        BINARY,
        CE,
        MSE,
        BPR,
        HINGE
    }

    /**
     * @param candidates C per position (PRE_RANK), K shared negatives (PRE_SHARED, PRE_SHARED_ROW: per row), per row
     *                   (FINE, EVAL; 0 = no stage 2)
     * @param margin     hinge margin
     * @param logQ       CE with a log-Q correction input
     */
    record Spec(
            Kind kind, Form form, int batch, int length, int candidates, boolean dropout, float margin, boolean logQ) {}

    final Spec spec;
    /** Variables whose gradients a training step needs: parameters, then inputs. */
    final List<String> gradNames = new ArrayList<>();

    private UserGraph(Net net, Spec spec) {
        super(net);
        this.spec = spec;
    }

    /** Whether the loss is computed outside the graph, row by row, from {@link #USER} ({@link RowSoftmax}). */
    boolean rowSoftmax() {
        return spec.kind() == Kind.PRE_SHARED_ROW && spec.form() == Form.CE;
    }

    static String layerOutput(int i) {
        return "out.layer." + i;
    }

    static UserGraph build(ModelConfig c, Spec spec) {
        boolean forwardOnly = spec.kind() == Kind.EVAL || spec.kind() == Kind.STAGE2;
        Net net = new Net(c, spec.dropout(), !forwardOnly);
        SameDiff sd = net.sd;
        long b = spec.batch();
        long l = spec.length();
        long d = c.dim();
        long rows = b * l;
        UserGraph g = new UserGraph(net, spec);
        List<String> inputs = new ArrayList<>();

        SDVariable keep = sd.placeHolder(KEEP, DataType.FLOAT, b, l);
        SDVariable u;
        SdEncoder encoder = null;
        if (spec.kind() == Kind.STAGE2) {
            u = sd.placeHolder(USER_IN, DataType.FLOAT, rows, d);
        } else {
            SDVariable hist = sd.var(HIST, DataType.FLOAT, b, l, d);
            inputs.add(HIST);
            SDVariable x = c.scaleEmbeddings() ? hist.mul(Math.sqrt(c.dim())) : hist;
            if (c.eventTypes() > 0) {
                x = x.add(sd.var(EVENTS, DataType.FLOAT, b, l, d));
                inputs.add(EVENTS);
            }
            x = x.add(sd.var(POS, DataType.FLOAT, l, d));
            inputs.add(POS);
            x = x.reshape(rows, d);
            SDVariable userInput = forwardOnly ? sd.identity(USER_INPUT, x) : x;
            encoder = new SdEncoder(net, ParamLayout.USER_ENCODER, c.layers(), true, b, l);
            u = encoder.encode(net.dropout(userInput, rows, d), keep);
        }
        if (spec.kind() == Kind.EVAL) {
            sd.identity(USER, u);
            for (int i = 0; i < encoder.layerOutputs().size(); i++) {
                sd.identity(layerOutput(i), encoder.layerOutputs().get(i));
            }
        }
        SDVariable scores;
        SDVariable ce = null; // the loss where a kind builds it from its parts
        long groups;
        long perGroup;
        switch (spec.kind()) {
            case PRE_RANK -> {
                long cc = spec.candidates();
                SDVariable cand = sd.var(CAND, DataType.FLOAT, rows, cc, d);
                inputs.add(CAND);
                // s[r, c] = Σ_k cand[r, c, k] u[r, k]: u repeated C times by a matmul with [I ... I], an element-wise
                // product and a sum over the last axis (a batched [C, d] x [d, 1] matmul per position ran 6400 tiny
                // gemms)
                INDArray tile = Nd4j.zeros(DataType.FLOAT, d, cc * d);
                for (int k = 0; k < cc; k++) {
                    for (int j = 0; j < d; j++) {
                        tile.putScalar(j, k * d + j, 1f);
                    }
                }
                SDVariable rep = sd.mmul(u, sd.constant(net.uniq("tile"), tile));
                scores =
                        cand.reshape(rows, cc * d).mul(rep).reshape(rows, cc, d).sum(2);
                groups = rows;
                perGroup = cc;
            }
            case PRE_SHARED -> {
                long kk = spec.candidates();
                SDVariable target = sd.var(CAND, DataType.FLOAT, rows, d);
                inputs.add(CAND);
                SDVariable negs = sd.var(NEGS, DataType.FLOAT, kk, d);
                inputs.add(NEGS);
                SDVariable pos = u.mul(target).sum(true, 1); // [rows, 1]
                SDVariable neg = sd.mmul(u, negs, false, true, false); // [rows, K]: one GEMM, no [rows, K, d] tensor
                ce = spec.form() == Form.CE
                        ? sharedCe(net, spec, pos, neg, rows, kk)
                        : sharedBinary(net, pos, neg, rows, kk);
                scores = null;
                groups = rows;
                perGroup = kk + 1;
            }
            case PRE_SHARED_ROW -> {
                if (spec.form() == Form.CE) {
                    ce = sd.identity(USER, u)
                            .mul(sd.placeHolder(UPSTREAM, DataType.FLOAT, rows, d))
                            .sum();
                    scores = null;
                    groups = 0;
                    perGroup = 0;
                    break;
                }
                long kk = spec.candidates();
                SDVariable target = sd.var(CAND, DataType.FLOAT, rows, d);
                inputs.add(CAND);
                SDVariable negs = sd.var(NEGS, DataType.FLOAT, b, kk, d);
                inputs.add(NEGS);
                SDVariable pos = u.mul(target).sum(true, 1); // [rows, 1]
                // [B, L, d] x [B, d, K] -> [B, L, K]: one batched GEMM over the rows, no [B, L, K, d] tensor
                SDVariable neg =
                        sd.mmul(u.reshape(b, l, d), negs, false, true, false).reshape(rows, kk);
                ce = spec.form() == Form.CE
                        ? sharedCe(net, spec, pos, neg, rows, kk)
                        : sharedBinary(net, pos, neg, rows, kk);
                scores = null;
                groups = rows;
                perGroup = kk + 1;
            }
            case PRE_SOFTMAX -> {
                SDVariable target =
                        sd.var(CAND, DataType.FLOAT, rows, d); // each position's target row (row 0 where none)
                inputs.add(CAND);
                SDVariable all = sd.var(ALL, DataType.FLOAT, c.numItems(), d);
                inputs.add(ALL);
                scores = sd.mmul(u, all, false, true, false);
                ce = crossEntropy(net, u.mul(target).sum(true, 1), scores, true, rows);
                groups = rows;
                perGroup = c.numItems();
            }
            case FINE, EVAL, STAGE2 -> {
                long cc = spec.candidates();
                if (cc == 0) {
                    scores = null;
                    groups = 0;
                    perGroup = 0;
                    break;
                }
                SDVariable cand = sd.var(CAND, DataType.FLOAT, b, cc, d);
                inputs.add(CAND);
                SDVariable keys;
                SDVariable keyKeep;
                long t = c.crossKeyLen();
                if (c.hasContent()) {
                    keys = sd.var(KEYS, DataType.FLOAT, b, cc, t, d);
                    inputs.add(KEYS);
                    keyKeep = sd.placeHolder(KEY_KEEP, DataType.FLOAT, b, cc, t);
                } else {
                    keys = cand.reshape(b, cc, 1, d);
                    keyKeep = sd.constant(net.uniq("keykeep"), Nd4j.ones(DataType.FLOAT, b, cc, 1));
                }
                SDVariable u3 = u.reshape(b, l, d);
                // u_last [B, d]: an interval of length 1 and a reshape, not SDIndex.point. A point index sets
                // shrink_axis_mask, and libnd4j 1.0.0-M2.1's strided_slice_bp validates begin/end without advancing
                // its index past a shrunk axis: begin l-1 and end l of axis 1 were checked against axis 2's size d,
                // so every fine-tuning step with L > d failed ("end_index = 49 for dimension 2" at L = 50, d = 32)
                SDVariable last = u3.get(SDIndex.all(), SDIndex.interval(l - 1, l), SDIndex.all())
                        .reshape(b, d);
                SDVariable s1 = sd.mmul(cand, last.reshape(b, d, 1)).reshape(b, cc);
                SdCrossAttention cross = new SdCrossAttention(net, b, l, cc, t);
                SDVariable s2;
                if (c.pooling() == Pooling.MEAN) {
                    s2 = cross.meanPooledScores(u3, keys, keyKeep, keep)
                            .add(net.param(ParamLayout.SCORER_BIAS))
                            .add(s1);
                    if (spec.kind() == Kind.EVAL) { // for traces only: SameDiff runs what the requested outputs need
                        sd.identity(CROSS, cross.attend(u3, keys, keyKeep));
                    }
                } else {
                    SDVariable attended = cross.attend(u3, keys, keyKeep);
                    s2 = new SdScorer(net, b, l, cc).score(attended, u3, keep, s1);
                    if (spec.kind() == Kind.EVAL) {
                        sd.identity(CROSS, attended);
                    }
                }
                if (forwardOnly) {
                    sd.identity(STAGE1, s1);
                    sd.identity(STAGE2, s2);
                }
                scores = s2;
                groups = b;
                perGroup = cc;
            }
            default -> throw new IllegalStateException(spec.kind().toString());
        }
        if (!forwardOnly) {
            (ce != null ? ce : loss(net, spec, scores, groups, perGroup)).rename(LOSS);
            sd.setLossVariables(LOSS);
            g.gradNames.addAll(net.paramNames());
            g.gradNames.addAll(inputs);
        }
        return g;
    }

    /**
     * bce / gbce over a target logit {@code [rows, 1]} and K negative logits {@code [rows, K]}:
     * {@code Σ L_POS ⊙ softplus(-pos) + Σ L_NEG ⊙ softplus(neg)}, with {@link #L_POS} {@code [rows, 1]} (β / counted) and
     * {@link #L_NEG} {@code [rows, K]} (1 / counted, 0 where a negative equals the row's target): each softplus over the
     * logits it needs, no concatenation.
     */
    private static SDVariable sharedBinary(Net net, SDVariable pos, SDVariable neg, long rows, long k) {
        SameDiff sd = net.sd;
        SDVariable wp = sd.placeHolder(L_POS, DataType.FLOAT, rows, 1);
        SDVariable wn = sd.placeHolder(L_NEG, DataType.FLOAT, rows, k);
        return wp.mul(net.softplus(pos.neg()))
                .sum()
                .add(wn.mul(net.softplus(neg)).sum());
    }

    /** Sampled softmax over a target logit {@code [rows, 1]} and K negative logits {@code [rows, K]}, log-Q corrected. */
    private static SDVariable sharedCe(Net net, Spec spec, SDVariable pos, SDVariable neg, long rows, long k) {
        SameDiff sd = net.sd;
        SDVariable zp = pos;
        SDVariable zn = neg;
        if (spec.logQ()) {
            zp = pos.sub(sd.placeHolder(L_LOGQ_POS, DataType.FLOAT, rows, 1));
            zn = neg.sub(sd.placeHolder(L_LOGQ, DataType.FLOAT, rows, k));
        }
        return crossEntropy(net, zp, zn, false, rows);
    }

    /**
     * Softmax cross-entropy {@code Σ_r w_r (lse_r - t_r)} from each row's target logit {@code t [rows, 1]} and the
     * other logits {@code z [rows, K]} (which hold the target too where {@code withTarget}), with the row weights
     * {@link #L_WEIGHT} {@code [rows, 1]}. No dense target matrix and no concatenation: the only passes over
     * {@code z} are its maximum, the shifted exp and its sum, and their backward passes. The shift goes through an
     * integer: SameDiff differentiates no integer variable, so the maximum gets no backward pass (through a
     * stop_gradient it still ran: {@code lse} does not depend on the shift); a shift within 1 of the maximum keeps
     * every {@code exp(z - m)} in (0, e].
     */
    private static SDVariable crossEntropy(Net net, SDVariable t, SDVariable z, boolean withTarget, long rows) {
        SameDiff sd = net.sd;
        SDVariable w = sd.placeHolder(L_WEIGHT, DataType.FLOAT, rows, 1);
        SDVariable max = z.max(true, 1);
        if (!withTarget) {
            max = sd.math.max(max, t);
        }
        SDVariable m = max.castTo(DataType.INT32).castTo(DataType.FLOAT);
        SDVariable sum = sd.math.exp(z.sub(m)).sum(true, 1);
        if (!withTarget) {
            sum = sum.add(sd.math.exp(t.sub(m)));
        }
        return sd.math.log(sum).add(m).sub(t).mul(w).sum();
    }

    private static SDVariable loss(Net net, Spec spec, SDVariable s, long groups, long perGroup) {
        SameDiff sd = net.sd;
        switch (spec.form()) {
            case BINARY -> {
                SDVariable pos = sd.placeHolder(L_POS, DataType.FLOAT, groups, perGroup);
                SDVariable neg = sd.placeHolder(L_NEG, DataType.FLOAT, groups, perGroup);
                return pos.mul(net.softplus(s.neg()))
                        .add(neg.mul(net.softplus(s)))
                        .sum();
            }
            case CE -> { // PRE_RANK: the target is column 0 of the scores
                SDVariable z = spec.logQ() ? s.sub(sd.placeHolder(L_LOGQ, DataType.FLOAT, groups, perGroup)) : s;
                return crossEntropy(net, z.get(SDIndex.all(), SDIndex.interval(0, 1)), z, true, groups);
            }
            case MSE -> {
                SDVariable y = sd.placeHolder(L_LABEL, DataType.FLOAT, groups, perGroup);
                SDVariable w = sd.placeHolder(L_WEIGHT, DataType.FLOAT, groups, perGroup);
                SDVariable e = s.sub(y);
                return w.mul(e.mul(e)).sum();
            }
            case BPR, HINGE -> {
                // d[:, k] = s[:, 0] - s[:, k+1] as a matmul with a fixed ±1 matrix (exact, cheap to differentiate)
                INDArray diff = Nd4j.zeros(DataType.FLOAT, perGroup, perGroup - 1);
                for (int k = 0; k < perGroup - 1; k++) {
                    diff.putScalar(0, k, 1f);
                    diff.putScalar(k + 1, k, -1f);
                }
                SDVariable dd = sd.mmul(s, sd.constant(net.uniq("pair_diff"), diff));
                SDVariable w = sd.placeHolder(L_WEIGHT, DataType.FLOAT, groups, perGroup - 1);
                SDVariable term = spec.form() == Form.BPR ? net.softplus(dd.neg()) : net.relu(dd.rsub(spec.margin()));
                return w.mul(term).sum();
            }
            default -> throw new IllegalStateException("no loss form for a training graph: " + spec.form());
        }
    }
}
