package dev.recsys.backend.dl4j;

import dev.recsys.api.data.Negatives;
import dev.recsys.api.loss.StepInputs;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Sampled softmax cross-entropy with K negatives per sequence row, shared by the row's counted
 * positions ({@link UserGraph.Kind#PRE_SHARED_ROW}, SASRec+), one sequence row at a time with its
 * gradients written by hand, outside the user graph.
 *
 * <p>Per counted position p of row b: {@code loss_p = lse_p - t_p}, {@code lse_p = log(exp t_p + Σ_k
 * exp z_pk)}, {@code t_p = u_p · v_target - logQ_target} and {@code z_b = U_b V_b^T - logQ_b}
 * ({@code U_b [n_b, d]}: the row's counted positions' user vectors, {@code V_b [K, d]}: its
 * negatives' item vectors; a negative equal to the position's target is moved by -1e9, as the
 * graph form did, so its weight is 0); the loss is {@code w Σ_p loss_p} with {@code w = 1 / P}. With
 * {@code dZ_b = w softmax(z_b)} and {@code dt_p = w (softmax_target - 1)}: {@code dU_b = dZ_b V_b +
 * dt ⊙ v_target}, {@code dV_b = dZ_b^T U_b}, {@code dv_target += dt_p u_p}.
 *
 * <p>Why: inside the graph the loss ran over the whole {@code [B*L, K]} logits (padded positions
 * too), and the training plan kept about seven such tensors (300 MB each at B 128, L 200, K 3000)
 * for the forward and backward passes. Here one row's {@code [n_b, K]} logits (a few MB, reused)
 * take one GEMM, a maximum, a shifted exp in place, a sum, a scaling and two GEMMs; the user graph
 * only outputs {@code U} and back-propagates {@code dU} ({@link Graph#lossAndGradients(java.util.List,
 * String, String, java.util.function.UnaryOperator)}). The negatives' and targets' gradients go
 * straight into the item-vector gradients, as the graph's gathered inputs' did.
 */
final class RowSoftmax implements AutoCloseable {
    private final int k;
    private final int d;
    private final INDArray v; // [K, d] the row's negatives
    private final INDArray dv; // [K, d] their gradient
    private final INDArray uFlat; // [L*d] the row's counted user vectors, first n*d used
    private final INDArray duFlat; // [L*d] their gradient
    private final INDArray sFlat; // [L*K] the row's logits, then dZ
    private final INDArray colFlat; // [L] a per-position column
    private final INDArray lq; // [1, K] the row's negatives' log Q
    private final float[] vRows; // the row's negatives' vectors, then their gradient
    private final float[] uRows;
    private final float[] duRows;

    /** Buffers for rows of up to {@code length} positions and K negatives of dimension d. */
    RowSoftmax(int length, int k, int d) {
        this.k = k;
        this.d = d;
        v = Nd4j.create(DataType.FLOAT, k, d);
        dv = Nd4j.create(DataType.FLOAT, k, d);
        uFlat = Nd4j.create(DataType.FLOAT, (long) length * d);
        duFlat = Nd4j.create(DataType.FLOAT, (long) length * d);
        sFlat = Nd4j.create(DataType.FLOAT, (long) length * k);
        colFlat = Nd4j.create(DataType.FLOAT, length);
        lq = Nd4j.create(DataType.FLOAT, 1, k);
        vRows = new float[k * d];
        uRows = new float[length * d];
        duRows = new float[length * d];
    }

    /**
     * The loss of a batch's groups, and with {@code itemGrads} its gradients.
     *
     * @param u         the user vectors {@code [B*L, d]} of every position
     * @param groups    the loss groups (counted positions in flat order, their targets, the dropped negatives)
     * @param shared    the negatives of each sequence row
     * @param table     item vectors, the row of item i at {@code Gathers.row(local, i)}
     * @param local     map id → table row, or null (the id)
     * @param du        out: the loss's gradient with respect to u {@code [B*L, d]} (0 at positions without a target)
     * @param itemGrads the item vectors' gradients, added to (rows as in table); null: the loss alone
     * @return the loss
     */
    float loss(
            float[] u,
            StepInputs.Groups groups,
            Negatives.SharedByRow shared,
            float[] table,
            int[] local,
            float[] du,
            float[] itemGrads) {
        Arrays.fill(du, 0f);
        int p = groups.count();
        int len = groups.batch().input().length();
        int[] positions = groups.positions();
        boolean logQ = groups.usesLogQ();
        float w = groups.groupWeight();
        double loss = 0;
        for (int g0 = 0; g0 < p; ) {
            int b = positions[g0] / len;
            int g1 = g0 + 1;
            while (g1 < p && positions[g1] / len == b) {
                g1++;
            }
            int n = g1 - g0;
            int off = shared.offset(positions[g0], len);
            gather(table, local, shared.ids(), off, vRows);
            Arrays2.write(v, vRows);
            float[] zt = targetLogits(u, groups, g0, n, shared, table, local);
            Arrays2.write(uFlat, uRows, n * d);
            INDArray ub = Arrays2.view(uFlat, n, d);
            INDArray s = Arrays2.view(sFlat, n, k);
            Nd4j.matmul(ub, v, s, false, true, false);
            if (logQ) {
                Arrays2.write(lq, Arrays.copyOfRange(shared.logQ(), off, off + k));
                s.subiRowVector(lq);
            }
            if (groups.dropped() != null) {
                drop(s, groups, g0, n);
            }
            float[] m;
            try (INDArray max = s.max(1)) {
                m = Arrays2.toFloats(max);
            }
            for (int i = 0; i < n; i++) {
                m[i] = Math.max(m[i], zt[i]);
            }
            INDArray col = Arrays2.view(colFlat, n, 1);
            Arrays2.write(colFlat, m, n);
            s.subiColumnVector(col);
            Transforms.exp(s, false);
            float[] sum;
            try (INDArray total = s.sum(1)) {
                sum = Arrays2.toFloats(total);
            }
            float[] scale = new float[n];
            float[] dt = new float[n];
            for (int i = 0; i < n; i++) {
                double all = sum[i] + Math.exp(zt[i] - m[i]);
                double lse = m[i] + Math.log(all);
                loss += lse - zt[i];
                scale[i] = (float) (w / all);
                dt[i] = (float) (w * (Math.exp(zt[i] - lse) - 1.0));
            }
            if (itemGrads != null) {
                Arrays2.write(colFlat, scale, n);
                s.muliColumnVector(col); // dZ
                Nd4j.matmul(s, v, Arrays2.view(duFlat, n, d), false, false, false);
                Nd4j.matmul(s, ub, dv, true, false, false);
                Arrays2.read(duFlat, duRows, n * d);
                Arrays2.read(dv, vRows, k * d);
                scatter(groups, g0, n, dt, table, local, du, itemGrads);
                for (int j = 0; j < k; j++) {
                    Gathers.addRow(itemGrads, Gathers.row(local, shared.ids()[off + j]), vRows, j, d);
                }
            }
            g0 = g1;
        }
        return (float) (w * loss);
    }

    /** {@code into [K, d]}: the table rows of the K ids from {@code off}. */
    private void gather(float[] table, int[] local, int[] ids, int off, float[] into) {
        for (int j = 0; j < k; j++) {
            System.arraycopy(table, Gathers.row(local, ids[off + j]) * d, into, j * d, d);
        }
    }

    /** The target logits of groups g0..g0+n-1, their user vectors copied into {@link #uRows}. */
    private float[] targetLogits(
            float[] u,
            StepInputs.Groups groups,
            int g0,
            int n,
            Negatives.SharedByRow shared,
            float[] table,
            int[] local) {
        float[] zt = new float[n];
        for (int i = 0; i < n; i++) {
            int pos = groups.positions()[g0 + i];
            System.arraycopy(u, pos * d, uRows, i * d, d);
            int t = Gathers.row(local, groups.targets()[g0 + i]) * d;
            float dot = 0f;
            for (int c = 0; c < d; c++) {
                dot += uRows[i * d + c] * table[t + c];
            }
            zt[i] = groups.usesLogQ() ? dot - shared.targetLogQ()[pos] : dot;
        }
        return zt;
    }

    /** Moves the logits of the negatives dropped from groups g0..g0+n-1 (equal to their target) by -{@link LossInputs#DROPPED}. */
    private void drop(INDArray s, StepInputs.Groups groups, int g0, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                if (groups.isDropped(g0 + i, 1 + j)) {
                    s.putScalar(i, j, s.getFloat(i, j) - LossInputs.DROPPED);
                }
            }
        }
    }

    /** du of groups g0..g0+n-1 ({@link #duRows} plus the target term) and their targets' gradients. */
    private void scatter(
            StepInputs.Groups groups,
            int g0,
            int n,
            float[] dt,
            float[] table,
            int[] local,
            float[] du,
            float[] itemGrads) {
        for (int i = 0; i < n; i++) {
            int pos = groups.positions()[g0 + i] * d;
            int t = Gathers.row(local, groups.targets()[g0 + i]) * d;
            for (int c = 0; c < d; c++) {
                du[pos + c] = duRows[i * d + c] + dt[i] * table[t + c];
                itemGrads[t + c] += dt[i] * uRows[i * d + c];
            }
        }
    }

    @Override
    public void close() {
        for (INDArray a : new INDArray[] {v, dv, uFlat, duFlat, sFlat, colFlat, lq}) {
            if (!a.wasClosed()) {
                a.close();
            }
        }
    }
}
