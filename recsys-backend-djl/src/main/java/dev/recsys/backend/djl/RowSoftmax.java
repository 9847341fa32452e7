package dev.recsys.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Sampled softmax cross-entropy with K negatives per sequence row, shared by the row's counted
 * positions, none dropped and no log Q (SASRec+: {@code sampling: unseen}), one sequence row at a
 * time with its gradients written by hand.
 *
 * <p>Per position p of row b: {@code loss_p = softplus(lse_p - pos_p)}, {@code lse_p = log Σ_k
 * exp(S_pk)}, {@code S_b = U_b V_b^T} ({@code U_b [n_b, d]}: the row's counted positions' user
 * vectors, {@code V_b [K, d]}: its negatives' item vectors); the loss is the mean over the P counted
 * positions. With {@code w_p = σ(lse_p - pos_p) / P} and {@code dS_b = w ⊙ softmax(S_b)}, the
 * negatives' gradients are {@code dU_b = dS_b V_b} and {@code dV_b = dS_b^T U_b} (scatter-added
 * into the item table's rows).
 *
 * <p>Why by hand: through autograd the step held {@code [B, L, K]} logits and their exp for the
 * backward pass (300 MB each at B 128, L 200, K 3000), every one a fresh allocation above glibc's
 * mmap threshold, so that each pass over them page-faulted its memory in again (a third of the
 * step's CPU time was the kernel's), and it computed padded positions. Here one row's tensors
 * ({@code [n_b, K]}, a few MB) live in a scope closed after the row, no tensor of the
 * negatives is kept for a backward pass, only counted positions are computed, and the passes over
 * the logits are one GEMM, a fused log-softmax, its exp scaled in place, and two GEMMs. The
 * negatives' gradients then enter autograd through {@code Σ U ⊙ dU + Σ T ⊙ dT} minus its own
 * detached value (0 exactly), so that the returned loss has the right value and gradient.
 */
final class RowSoftmax {
    private RowSoftmax() {}

    /**
     * @param c        the step's scope
     * @param vectors  {@code [R, d]} item vectors (rows as in {@code negRows}); differentiable
     * @param uv       {@code [P, d]} the counted positions' user vectors, grouped by sequence row in order; differentiable
     * @param pos      {@code [P, 1]} the counted positions' target logits; differentiable
     * @param rowOf    {@code [P]} sequence row of each counted position (non-decreasing)
     * @param negRows  {@code [B * K]} row in {@code vectors} of each row's negatives
     * @param k        K
     * @return the mean loss over the P positions
     */
    static NDArray loss(Ctx c, NDArray vectors, NDArray uv, NDArray pos, int[] rowOf, int[] negRows, int k) {
        int p = rowOf.length;
        int d = Math.toIntExact(uv.getShape().get(1));
        int tableRows = Math.toIntExact(vectors.getShape().get(0));
        NDArray vd = vectors.stopGradient();
        NDArray ud = uv.stopGradient();
        float[] posValues = DjlModel.floatsOf(pos.stopGradient());
        float[] lse = new float[p];
        float[] du = new float[p * d];
        float[] dt = new float[tableRows * d];
        float[] dv = new float[k * d];
        float invP = 1f / p;
        for (int g0 = 0; g0 < p; ) {
            int b = rowOf[g0];
            int g1 = g0 + 1;
            while (g1 < p && rowOf[g1] == b) {
                g1++;
            }
            int n = g1 - g0;
            try (NDManager sub = c.m.newSubManager()) {
                NDArray idx = sub.create(new Shape(k), DataType.INT64);
                LongBuffer lb = idx.toByteBuffer(true).asLongBuffer();
                for (int i = 0; i < k; i++) {
                    lb.put(i, negRows[b * k + i]);
                }
                NDArray vneg = c.rows(vd, idx); // [K, d]
                NDArray ub = ud.get(sub, new NDIndex("{}:{}", g0, g1)); // [n, d]
                NDArray s = ub.matMul(vneg.transpose()); // [n, K]
                NDArray logp = s.logSoftmax(1);
                float[] s0 = DjlModel.floatsOf(s.get(new NDIndex(":, 0")));
                float[] l0 = DjlModel.floatsOf(logp.get(new NDIndex(":, 0")));
                float[] w = new float[n];
                for (int i = 0; i < n; i++) {
                    float v = s0[i] - l0[i]; // log Σ_k exp(S_ik): S_i0 - log softmax_i0
                    lse[g0 + i] = v;
                    w[i] = (float) (invP / (1.0 + Math.exp(posValues[g0 + i] - v)));
                }
                NDArray wt = sub.create(new Shape(n, 1), DataType.FLOAT32);
                wt.toByteBuffer(true).asFloatBuffer().put(w);
                NDArray ds = logp.exp().muli(wt); // [n, K]
                NDArray dub = ds.matMul(vneg); // [n, d]
                dub.toByteBuffer(true).asFloatBuffer().get(du, g0 * d, n * d);
                NDArray dvb = ds.transpose().matMul(ub); // [K, d]
                FloatBuffer fb = dvb.toByteBuffer(true).asFloatBuffer();
                fb.get(dv, 0, k * d);
                for (int i = 0; i < k; i++) {
                    int at = negRows[b * k + i] * d;
                    int from = i * d;
                    for (int j = 0; j < d; j++) {
                        dt[at + j] += dv[from + j];
                    }
                }
            }
            g0 = g1;
        }
        NDArray lseT = c.floats(lse, p, 1);
        NDArray surrogate = uv.mul(c.floats(du, p, d))
                .sum()
                .add(vectors.mul(c.floats(dt, tableRows, d)).sum());
        NDArray value = Activation.softPlus(lseT.sub(pos)).sum().div(c.scalar((float) p));
        return value.add(surrogate.sub(surrogate.stopGradient()));
    }
}
