package dev.recsys.backend.dl4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A forward-only SameDiff graph of fixed shapes run without SameDiff's interpreter: the ops the
 * requested outputs need, in creation order (which is topological), each with its input and
 * output arrays bound once, outputs allocated once, no per-run shape inference, dependency
 * tracking or allocation.
 *
 * <p>Why: scoring one user runs ≈ 115 small ops, and SameDiff's session spent ≈ 25 µs of
 * bookkeeping on each on top of the op itself (a 60-op chain on {@code [50, 64]}: 1,430 µs per run
 * through {@code SameDiff.output}, 290 µs bound this way, equal results). Built only for graphs
 * whose arrays are small ({@link #MAX_BYTES}: single users and small batches, where the overhead
 * dominates), and only after a check run gave the same outputs as SameDiff; otherwise the caller
 * keeps using SameDiff.
 *
 * <p>Inputs are the arrays SameDiff itself reads: parameter and input variables, whose data the
 * {@link Graph} overwrites in place, constants, and the graph's reused placeholder arrays. Not
 * thread-safe: run under the model's lock, like the graph.
 */
final class FixedPlan implements AutoCloseable {
    /** Largest total size of the arrays a plan may allocate. */
    static final long MAX_BYTES = 64L << 20;

    private final List<Runnable> steps;
    private final Map<String, INDArray> outputs;
    private final List<INDArray> owned;

    private FixedPlan(List<Runnable> steps, Map<String, INDArray> outputs, List<INDArray> owned) {
        this.steps = steps;
        this.outputs = outputs;
        this.owned = owned;
    }

    /**
     * Builds the plan of the named outputs, or returns null when the graph does not qualify: an
     * op kind this executor does not bind, arrays over {@link #MAX_BYTES}, a placeholder without
     * an array, or outputs that differ from SameDiff's on the current inputs.
     *
     * @param reference SameDiff's outputs on the same inputs, for the check (not retained)
     */
    static FixedPlan build(SameDiff sd, List<String> names, Map<String, INDArray> placeholders, Map<String, INDArray> reference) {
        Set<String> needed = new HashSet<>();
        List<String> stack = new ArrayList<>(names);
        Set<String> opsNeeded = new HashSet<>();
        while (!stack.isEmpty()) {
            String v = stack.remove(stack.size() - 1);
            if (!needed.add(v)) {
                continue;
            }
            SDVariable var = sd.getVariable(v);
            if (var == null) {
                return null;
            }
            if (var.getVariableType() == VariableType.ARRAY) {
                DifferentialFunction op = sd.getVariableOutputOp(v);
                if (op == null) {
                    return null;
                }
                if (opsNeeded.add(op.getOwnName())) {
                    for (String in : op.argNames()) {
                        stack.add(in);
                    }
                }
            }
        }
        Map<String, INDArray> arrays = new HashMap<>();
        List<INDArray> owned = new ArrayList<>();
        long bytes = 0;
        for (String v : needed) {
            SDVariable var = sd.getVariable(v);
            switch (var.getVariableType()) {
                case VARIABLE, CONSTANT -> arrays.put(v, var.getArr());
                case PLACEHOLDER -> {
                    INDArray a = placeholders.get(v);
                    if (a == null) {
                        return null;
                    }
                    arrays.put(v, a);
                }
                default -> {
                }
            }
        }
        // shapes of the intermediate arrays from one SameDiff run of all of them
        List<String> intermediates = new ArrayList<>();
        for (String v : needed) {
            if (sd.getVariable(v).getVariableType() == VariableType.ARRAY) {
                intermediates.add(v);
            }
        }
        Map<String, INDArray> shapes = sd.output(placeholders, intermediates);
        try {
            for (String v : intermediates) {
                INDArray s = shapes.get(v);
                if (s == null) {
                    return null;
                }
                bytes += s.length() * s.dataType().width();
                if (bytes > MAX_BYTES) {
                    return null;
                }
                INDArray a = Nd4j.create(s.dataType(), s.shape(), 'c');
                owned.add(a);
                arrays.put(v, a);
            }
        } finally {
            for (INDArray a : shapes.values()) {
                if (a != null && a.closeable() && !a.wasClosed()) {
                    a.close();
                }
            }
        }
        List<Runnable> steps = new ArrayList<>();
        for (DifferentialFunction df : sd.ops()) {
            if (!opsNeeded.contains(df.getOwnName())) {
                continue;
            }
            String[] ins = df.argNames();
            String[] outs = df.outputVariablesNames();
            INDArray[] in = new INDArray[ins.length];
            for (int i = 0; i < ins.length; i++) {
                in[i] = arrays.get(ins[i]);
            }
            INDArray[] out = new INDArray[outs.length];
            for (int i = 0; i < outs.length; i++) {
                out[i] = arrays.get(outs[i]);
                if (out[i] == null) { // an output of a needed op that nothing needs: bind a scratch array
                    INDArray s = sd.output(placeholders, outs[i]).get(outs[i]);
                    out[i] = Nd4j.create(s.dataType(), s.shape(), 'c');
                    owned.add(out[i]);
                }
            }
            OpContext ctx = Nd4j.getExecutioner().buildContext();
            ctx.setInputArrays(in);
            ctx.setOutputArrays(out);
            if (df instanceof CustomOp op) {
                ctx.setIArguments(op.iArgs());
                ctx.setTArguments(op.tArgs());
                ctx.setBArguments(op.bArgs());
                ctx.setDArguments(op.dArgs());
                steps.add(() -> Nd4j.getExecutioner().exec(op, ctx));
            } else if (df instanceof Op op && out.length == 1 && in.length >= 1 && in.length <= 2) {
                // legacy op (scalar, transform, pairwise, reduce): its arrays come from the context, as in SameDiff's session
                steps.add(() -> Nd4j.getExecutioner().exec(op, ctx));
            } else {
                close(owned);
                return null;
            }
        }
        Map<String, INDArray> outputs = new LinkedHashMap<>();
        for (String n : names) {
            outputs.put(n, arrays.get(n));
        }
        FixedPlan plan = new FixedPlan(steps, outputs, owned);
        try {
            plan.run();
        } catch (RuntimeException e) {
            plan.close();
            return null;
        }
        for (String n : names) {
            if (!same(plan.outputs.get(n), reference.get(n))) {
                plan.close();
                return null;
            }
        }
        return plan;
    }

    /** Runs every op; the outputs are then in {@link #outputs()} until the next run. */
    void run() {
        for (Runnable s : steps) {
            s.run();
        }
    }

    /** The requested outputs, by name (arrays owned by the plan or the graph: read, do not close). */
    Map<String, INDArray> outputs() {
        return outputs;
    }

    @Override
    public void close() {
        close(owned);
        owned.clear();
    }

    private static void close(List<INDArray> arrays) {
        for (INDArray a : arrays) {
            if (!a.wasClosed()) {
                a.close();
            }
        }
    }

    private static boolean same(INDArray a, INDArray b) {
        if (a == null || b == null || !java.util.Arrays.equals(a.shape(), b.shape())) {
            return false;
        }
        float[] x = Arrays2.toFloats(a);
        float[] y = Arrays2.toFloats(b);
        for (int i = 0; i < x.length; i++) {
            if (!(Math.abs(x[i] - y[i]) <= 1e-6 * Math.max(1, Math.abs(y[i])))) {
                return false;
            }
        }
        return true;
    }
}
