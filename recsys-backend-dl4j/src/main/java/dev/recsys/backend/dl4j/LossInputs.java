package dev.recsys.backend.dl4j;

import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.StepInputs;
import java.util.Arrays;

/**
 * The user graph of a training step chosen by the batch's negatives and the loss, with the loss's
 * coefficient inputs filled in Java from the engine-free step preparation ({@link StepInputs}):
 * the loss is computed in the graph as a weighted sum, so these weights carry the mean over
 * counted positions, gBCE's β, the dropped shared negatives and the log-Q correction.
 */
final class LossInputs {
    /** Added to the log Q of a dropped shared negative: its logit minus log Q is then about -1e9 (softmax weight 0). */
    static final float DROPPED = 1e9f;

    private final GraphCache graphs;

    LossInputs(GraphCache graphs) {
        this.graphs = graphs;
    }

    /** The pre-training graph of the batch's negatives and loss, with its loss coefficients set. */
    UserGraph pretrain(StepInputs.Groups groups, boolean dropout) {
        TrainBatch.NextItem n = groups.batch();
        SeqBatch in = n.input();
        if (groups.fullSoftmax()) {
            UserGraph g = graphs.user(new UserGraph.Spec(
                    UserGraph.Kind.PRE_SOFTMAX, UserGraph.Form.CE, in.size(), in.length(), 0, dropout, 0f, false));
            ceWeights(g, n.targets(), groups.groupWeight());
            return g;
        }
        if (n.negatives() instanceof Negatives.Shared shared) {
            return shared(groups, shared, dropout);
        }
        Negatives.PerPosition p = (Negatives.PerPosition) n.negatives();
        int positions = in.size() * in.length();
        int c = p.perRow();
        boolean logQ = groups.usesLogQ();
        UserGraph.Form form =
                groups.spec() instanceof LossSpec.SampledSoftmax ? UserGraph.Form.CE : UserGraph.Form.BINARY;
        UserGraph g = graphs.user(
                new UserGraph.Spec(UserGraph.Kind.PRE_RANK, form, in.size(), in.length(), c, dropout, 0f, logQ));
        if (form == UserGraph.Form.CE) {
            ceWeights(g, n.targets(), groups.groupWeight());
            if (logQ) {
                g.setPlaceholder(UserGraph.L_LOGQ, p.logQ());
            }
        } else {
            float[] pos = zeroed(g, UserGraph.L_POS, positions * c);
            float[] neg = zeroed(g, UserGraph.L_NEG, positions * c);
            float beta = groups.positiveWeight();
            float inv = groups.groupWeight();
            for (int r : groups.positions()) {
                pos[r * c] = beta;
                for (int k = 1; k < c; k++) {
                    neg[r * c + k] = inv;
                }
            }
            g.setPlaceholder(UserGraph.L_POS, pos);
            g.setPlaceholder(UserGraph.L_NEG, neg);
        }
        return g;
    }

    /**
     * Pre-training with K negatives shared by the batch or by sequence row (MODEL.md "Losses"): each
     * position's target logit {@code [B*L, 1]} and its K negative logits {@code [B*L, K]}, the
     * negatives of position {@code b*L + j} read at {@link Negatives.Shared#offset}; a shared negative
     * equal to the position's target is dropped there (bce, gbce: weight 0; sampled softmax: its
     * logit moved by -1e9 through the log-Q input, which a shared graph always has).
     */
    private UserGraph shared(StepInputs.Groups groups, Negatives.Shared shared, boolean dropout) {
        int k = shared.k();
        boolean logQ = groups.usesLogQ();
        SeqBatch in = groups.batch().input();
        int len = in.length();
        int positions = in.size() * len;
        UserGraph.Form form =
                groups.spec() instanceof LossSpec.SampledSoftmax ? UserGraph.Form.CE : UserGraph.Form.BINARY;
        UserGraph.Kind kind =
                shared instanceof Negatives.SharedByRow ? UserGraph.Kind.PRE_SHARED_ROW : UserGraph.Kind.PRE_SHARED;
        if (kind == UserGraph.Kind.PRE_SHARED_ROW && form == UserGraph.Form.CE) { // RowSoftmax reads the groups
            return graphs.user(new UserGraph.Spec(kind, form, in.size(), len, k, dropout, 0f, false));
        }
        UserGraph g =
                graphs.user(new UserGraph.Spec(kind, form, in.size(), len, k, dropout, 0f, form == UserGraph.Form.CE));
        if (form == UserGraph.Form.CE) {
            ceWeights(g, groups.batch().targets(), groups.groupWeight());
            float[] lqPos = g.buffer(UserGraph.L_LOGQ_POS, positions);
            float[] lq = g.buffer(UserGraph.L_LOGQ, positions * k);
            for (int r = 0; r < positions; r++) {
                int off = shared.offset(r, len);
                lqPos[r] = logQ ? shared.targetLogQ()[r] : 0f;
                for (int j = 0; j < k; j++) {
                    lq[r * k + j] = logQ ? shared.logQ()[off + j] : 0f;
                }
            }
            for (int gr = 0; gr < groups.count(); gr++) {
                int r = groups.positions()[gr];
                for (int j = 0; j < k; j++) {
                    if (groups.isDropped(gr, 1 + j)) {
                        lq[r * k + j] += DROPPED;
                    }
                }
            }
            g.setPlaceholder(UserGraph.L_LOGQ_POS, lqPos);
            g.setPlaceholder(UserGraph.L_LOGQ, lq);
        } else {
            float[] pos = zeroed(g, UserGraph.L_POS, positions);
            float[] neg = zeroed(g, UserGraph.L_NEG, positions * k);
            float beta = groups.positiveWeight();
            float inv = groups.groupWeight();
            for (int gr = 0; gr < groups.count(); gr++) {
                int r = groups.positions()[gr];
                pos[r] = beta;
                for (int j = 0; j < k; j++) {
                    neg[r * k + j] = groups.isDropped(gr, 1 + j) ? 0f : inv;
                }
            }
            g.setPlaceholder(UserGraph.L_POS, pos);
            g.setPlaceholder(UserGraph.L_NEG, neg);
        }
        return g;
    }

    /** The fine-tuning graph of the loss (checked by {@link StepInputs#candidates}), with its loss coefficients set. */
    UserGraph finetune(TrainBatch.Candidates f, LossSpec loss, boolean dropout) {
        SeqBatch in = f.input();
        int b = in.size();
        int c = f.perRow();
        int n = b * c;
        if (loss instanceof LossSpec.Bce || loss instanceof LossSpec.Mse) {
            boolean bce = loss instanceof LossSpec.Bce;
            UserGraph g = graphs.user(new UserGraph.Spec(
                    UserGraph.Kind.FINE,
                    bce ? UserGraph.Form.BINARY : UserGraph.Form.MSE,
                    b,
                    in.length(),
                    c,
                    dropout,
                    0f,
                    false));
            float[] y = f.labels();
            if (bce) {
                float[] pos = g.buffer(UserGraph.L_POS, n);
                float[] neg = g.buffer(UserGraph.L_NEG, n);
                for (int i = 0; i < n; i++) {
                    pos[i] = y[i] / n;
                    neg[i] = (1f - y[i]) / n;
                }
                g.setPlaceholder(UserGraph.L_POS, pos);
                g.setPlaceholder(UserGraph.L_NEG, neg);
            } else {
                float[] w = g.buffer(UserGraph.L_WEIGHT, n);
                Arrays.fill(w, 1f / n);
                g.setPlaceholder(UserGraph.L_LABEL, y);
                g.setPlaceholder(UserGraph.L_WEIGHT, w);
            }
            return g;
        }
        UserGraph.Form form = loss instanceof LossSpec.Bpr ? UserGraph.Form.BPR : UserGraph.Form.HINGE;
        float margin = loss instanceof LossSpec.Hinge h ? h.margin() : 0f;
        UserGraph g =
                graphs.user(new UserGraph.Spec(UserGraph.Kind.FINE, form, b, in.length(), c, dropout, margin, false));
        float[] w = g.buffer(UserGraph.L_WEIGHT, b * (c - 1));
        Arrays.fill(w, 1f / (b * (c - 1)));
        g.setPlaceholder(UserGraph.L_WEIGHT, w);
        return g;
    }

    /** The CE graph's row weights: {@code weight} (1 / counted) where the row has a target, 0 elsewhere. */
    private static void ceWeights(UserGraph g, int[] targets, float weight) {
        float[] w = g.buffer(UserGraph.L_WEIGHT, targets.length);
        for (int r = 0; r < targets.length; r++) {
            w[r] = targets[r] != 0 ? weight : 0f;
        }
        g.setPlaceholder(UserGraph.L_WEIGHT, w);
    }

    /** The graph's reusable coefficient buffer {@code name}, zero-filled. */
    private static float[] zeroed(UserGraph g, String name, int size) {
        float[] b = g.buffer(name, size);
        Arrays.fill(b, 0f);
        return b;
    }
}
