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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff graph of fixed shapes (a scoring graph, or a training graph's gradient function) run
 * without SameDiff's interpreter: the ops the requested outputs need, in creation order (which is
 * topological), each bound once to its input and output arrays; output buffers allocated once and
 * shared by arrays whose lifetimes do not overlap; no per-run shape inference, dependency
 * tracking or allocation.
 *
 * <p>Why: scoring one user runs ≈ 115 small ops, and SameDiff's session spent ≈ 25 µs of
 * bookkeeping on each on top of the op itself (a 60-op chain on {@code [50, 64]}: 1,430 µs per run
 * through {@code SameDiff.output}, 290 µs bound this way, equal results); a training step runs
 * ≈ 500 ops and kept other threads busy with the garbage of that bookkeeping. A plan is built on
 * the second call with the same outputs, only within a byte budget ({@link #MAX_BYTES} for
 * scoring graphs: single users and small batches, where the overhead dominates), and only if its
 * first run gives SameDiff's outputs of that call; otherwise the caller keeps using SameDiff.
 *
 * <p>Inputs are the arrays SameDiff itself reads: parameter and input variables, whose data the
 * {@link Graph} overwrites in place, constants, and the graph's reused placeholder arrays
 * (dropout masks are redrawn into them). Not thread-safe: run under the model's lock.
 */
final class FixedPlan implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FixedPlan.class);
    /** Largest total size of the buffers of a scoring graph's plan. */
    static final long MAX_BYTES = 64L << 20;

    private final List<Runnable> steps;
    private final Map<String, INDArray> outputs;
    private final List<INDArray> owned;
    /** Steps that read no value of the upstream placeholder (see {@link #runForward}); all steps without one. */
    private final int split;

    private FixedPlan(List<Runnable> steps, Map<String, INDArray> outputs, List<INDArray> owned, int split) {
        this.steps = steps;
        this.outputs = outputs;
        this.owned = owned;
        this.split = split;
    }

    /** As {@link #build(SameDiff, List, Map, Map, long, String, String)} without an upstream placeholder. */
    static FixedPlan build(
            SameDiff sd,
            List<String> names,
            Map<String, INDArray> placeholders,
            Map<String, float[]> reference,
            long maxBytes) {
        return build(sd, names, placeholders, reference, maxBytes, null, null);
    }

    /**
     * Builds the plan of the named outputs, or returns null when the graph does not qualify: an
     * op kind this executor does not bind, arrays over {@link #MAX_BYTES}, a placeholder without
     * an array, or outputs that differ from SameDiff's on the current inputs.
     *
     * <p>With an {@code upstream} placeholder the plan runs in two parts: {@link #runForward} runs the
     * steps before the first one that depends on it (which must compute {@code forward}, one of the
     * names), so that the caller can set the placeholder from {@code forward}'s value before
     * {@link #runRest}; null when the graph does not split so.
     *
     * @param reference SameDiff's outputs on the same inputs, for the check
     * @param maxBytes  the most the plan's buffers may take
     * @param upstream  a placeholder set between the two parts, or null
     * @param forward   the output read between the two parts (with upstream), or null
     */
    static FixedPlan build(
            SameDiff sd,
            List<String> names,
            Map<String, INDArray> placeholders,
            Map<String, float[]> reference,
            long maxBytes,
            String upstream,
            String forward) {
        // the ops the outputs need, in creation order (topological)
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
                    stack.addAll(List.of(op.argNames()));
                }
            }
        }
        List<DifferentialFunction> ops = new ArrayList<>();
        for (DifferentialFunction df : sd.ops()) {
            if (opsNeeded.contains(df.getOwnName())) {
                ops.add(df);
            }
        }
        int split = ops.size();
        if (upstream != null) {
            Set<String> dependent = new HashSet<>(Set.of(upstream));
            for (int i = ops.size() - 1; i >= 0; i--) {
                if (List.of(ops.get(i).outputVariablesNames()).contains(forward)) {
                    split = i + 1; // forward's op; then the first op after it that reads the placeholder's values
                    break;
                }
            }
            for (int i = 0; i < ops.size(); i++) {
                if (List.of(ops.get(i).argNames()).stream().anyMatch(dependent::contains)) {
                    if (i < split) {
                        return null; // forward itself, or an op before it, reads the placeholder
                    }
                    dependent.addAll(List.of(ops.get(i).outputVariablesNames()));
                }
            }
        }
        // last op reading each intermediate array; requested outputs live on
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            for (String in : ops.get(i).argNames()) {
                lastUse.put(in, i);
            }
        }
        for (String n : names) {
            lastUse.put(n, Integer.MAX_VALUE);
        }
        Map<String, INDArray> arrays = new HashMap<>();
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
                default -> {}
            }
        }
        // bind and run each op once, giving its outputs buffers freed by arrays no later op reads
        Pool pool = new Pool(maxBytes);
        Map<String, INDArray> buffers = new HashMap<>(); // intermediate name -> its pooled buffer
        List<Runnable> steps = new ArrayList<>();
        try {
            for (int i = 0; i < ops.size(); i++) {
                DifferentialFunction df = ops.get(i);
                String[] ins = df.argNames();
                INDArray[] in = new INDArray[ins.length];
                for (int k = 0; k < ins.length; k++) {
                    in[k] = arrays.get(ins[k]);
                    if (in[k] == null) {
                        return pool.abandon();
                    }
                }
                OpContext ctx = Nd4j.getExecutioner().buildContext();
                ctx.setInputArrays(in);
                Runnable step;
                if (df instanceof CustomOp op) {
                    ctx.setIArguments(op.iArgs());
                    ctx.setTArguments(op.tArgs());
                    ctx.setBArguments(op.bArgs());
                    ctx.setDArguments(op.dArgs());
                    step = () -> Nd4j.getExecutioner().exec(op, ctx);
                } else if (df instanceof Op op && in.length >= 1 && in.length <= 2) {
                    // legacy op (scalar, transform, pairwise, reduce): arrays from the context, as in SameDiff's
                    // session
                    step = () -> Nd4j.getExecutioner().exec(op, ctx);
                } else {
                    return pool.abandon();
                }
                List<LongShapeDescriptor> shapes = df.calculateOutputShape(ctx);
                String[] outs = df.outputVariablesNames();
                if (shapes == null || shapes.size() != outs.length) {
                    return pool.abandon();
                }
                INDArray[] out = new INDArray[outs.length];
                for (int k = 0; k < outs.length; k++) {
                    INDArray buffer = pool.take(
                            shapes.get(k).dataType(), length(shapes.get(k).getShape()));
                    if (buffer == null) {
                        return pool.abandon();
                    }
                    out[k] = shapes.get(k).getShape().length == 0
                            ? buffer.reshape('c', new long[0])
                            : buffer.reshape('c', shapes.get(k).getShape());
                    arrays.put(outs[k], out[k]);
                    buffers.put(outs[k], buffer);
                }
                ctx.setOutputArrays(out);
                step.run();
                steps.add(step);
                for (String n : ins) {
                    if (buffers.containsKey(n) && lastUse.get(n) == i) {
                        pool.give(buffers.remove(n));
                    }
                }
                for (String n : outs) {
                    if (!lastUse.containsKey(n)) { // read by no later op and not requested
                        pool.give(buffers.remove(n));
                    }
                }
            }
        } catch (RuntimeException e) {
            return pool.abandon();
        }
        Map<String, INDArray> outputs = new LinkedHashMap<>();
        for (String n : names) {
            outputs.put(n, arrays.get(n));
        }
        FixedPlan plan = new FixedPlan(steps, outputs, pool.all, split);
        LOG.debug("fixed plan: {} ops, {} buffers, {} MiB", steps.size(), pool.all.size(), pool.bytes >> 20);
        for (String n : names) {
            if (!same(outputs.get(n), reference.get(n))) {
                plan.close();
                return null;
            }
        }
        return plan;
    }

    private static long length(long[] shape) {
        long n = 1;
        for (long x : shape) {
            n *= x;
        }
        return n;
    }

    /** Buffers by data type and length, allocated up to a byte budget; freed ones are handed out again. */
    private static final class Pool {
        final List<INDArray> all = new ArrayList<>();
        private final Map<String, List<INDArray>> free = new HashMap<>();
        private final long maxBytes;
        private long bytes;

        Pool(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        INDArray take(DataType type, long length) {
            List<INDArray> l = free.get(type + ":" + length);
            if (l != null && !l.isEmpty()) {
                return l.remove(l.size() - 1);
            }
            bytes += Math.max(1, length) * type.width();
            if (bytes > maxBytes) {
                return null;
            }
            INDArray a = Nd4j.createUninitialized(type, Math.max(1, length));
            all.add(a);
            return a;
        }

        void give(INDArray buffer) {
            free.computeIfAbsent(buffer.dataType() + ":" + buffer.length(), k -> new ArrayList<>())
                    .add(buffer);
        }

        FixedPlan abandon() {
            close(all);
            return null;
        }
    }

    /** Runs every op; the outputs are then in {@link #outputs()} until the next run. */
    void run() {
        runForward();
        runRest();
    }

    /** Runs the ops before the upstream placeholder is read: the forward output is then in {@link #outputs()}. */
    void runForward() {
        for (int i = 0; i < split; i++) {
            steps.get(i).run();
        }
    }

    /** Runs the ops after {@link #runForward} (the upstream placeholder set in between). */
    void runRest() {
        for (int i = split; i < steps.size(); i++) {
            steps.get(i).run();
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

    private static boolean same(INDArray a, float[] y) {
        if (a == null || y == null || a.length() != y.length) {
            return false;
        }
        float[] x = Arrays2.toFloats(a);
        for (int i = 0; i < x.length; i++) {
            if (!(Math.abs(x[i] - y[i]) <= 1e-6 * Math.max(1, Math.abs(y[i])))) {
                return false;
            }
        }
        return true;
    }
}
