package dev.recsys.backend.dl4j;

import dev.recsys.api.model.Weights;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A built SameDiff graph with fixed shapes, ready to run many times: the parameter values it
 * holds are refreshed only when the model's weight version changes, inputs are written into the
 * existing variable arrays (no graph rebuild, no new variables per step) and placeholders are
 * reused arrays. Not thread-safe: the model runs every graph under its lock.
 */
class Graph {
    /** Name of the scalar training objective. */
    static final String LOSS = "loss";

    final Net net;
    private final Map<String, INDArray> placeholders = new HashMap<>();
    private final Map<String, float[]> buffers = new HashMap<>();
    private long weightVersion = -1;
    private SameDiff gradFn;

    Graph(Net net) {
        this.net = net;
        if (OpProfile.INSTANCE != null) {
            net.sd.addListeners(OpProfile.INSTANCE);
        }
    }

    /** Copies the model's weights into this graph's parameter variables if they are stale. */
    void syncWeights(Weights weights, long version) {
        if (version == weightVersion) {
            return;
        }
        for (Map.Entry<String, SDVariable> e : net.params.entrySet()) {
            Arrays2.write(e.getValue().getArr(), weights.data(e.getKey()));
        }
        weightVersion = version;
    }

    /** A reusable Java buffer for an input, of the given size. */
    float[] buffer(String name, int size) {
        float[] b = buffers.get(name);
        if (b == null || b.length != size) {
            b = new float[size];
            buffers.put(name, b);
        }
        return b;
    }

    /** Writes values into the array of a (non-placeholder) input variable. */
    void setVariable(String name, float[] values) {
        Arrays2.write(net.sd.getVariable(name).getArr(), values);
    }

    boolean hasVariable(String name) {
        return net.sd.hasVariable(name);
    }

    /** Writes values into a placeholder (array reused between runs). */
    void setPlaceholder(String name, float[] values) {
        INDArray a = placeholders.get(name);
        if (a == null) {
            long[] shape = net.sd.getVariable(name).placeholderShape();
            a = Nd4j.create(DataType.FLOAT, shape);
            placeholders.put(name, a);
        }
        Arrays2.write(a, values);
    }

    /** Draws fresh dropout masks (Bernoulli(1-p) / (1-p)) from the model's generator. */
    void drawDropout(Random rng) {
        double keep = 1.0 - net.config.dropout();
        for (Map.Entry<String, long[]> e : net.dropoutMasks.entrySet()) {
            INDArray a = placeholders.get(e.getKey());
            if (a == null) {
                a = Nd4j.create(DataType.FLOAT, e.getValue());
                placeholders.put(e.getKey(), a);
            }
            Nd4j.getExecutioner().exec(new BernoulliDistribution(a, keep), rng);
            a.muli(1.0 / keep);
        }
    }

    /**
     * Forward pass: the named outputs as Java arrays (native results are released). Forward-only
     * graphs run as a {@link FixedPlan} from the second call with the same outputs on, where one
     * qualifies (small arrays, same outputs as SameDiff on the first call).
     */
    Map<String, float[]> output(Collection<String> names) {
        Nd4jRuntime.checkResident();
        PlanKey key = new PlanKey(false, List.copyOf(names));
        Object known = plans.get(key);
        if (known instanceof FixedPlan plan) {
            plan.run();
            Map<String, float[]> res = new HashMap<>();
            for (Map.Entry<String, INDArray> e : plan.outputs().entrySet()) {
                res.put(e.getKey(), Arrays2.toFloats(e.getValue()));
            }
            return res;
        }
        ReclaimingMemMgr memory = memory(net.sd);
        Map<String, INDArray> out = net.sd.output(placeholders, new ArrayList<>(names));
        Map<String, float[]> res = new HashMap<>();
        for (String n : names) {
            INDArray a = out.get(n);
            res.put(n, Arrays2.toFloats(a));
        }
        release(out.values(), memory.reclaim());
        if (known == null && PLANS && !net.differentiable) {
            FixedPlan plan = FixedPlan.build(net.sd, key.outputs(), placeholders, res, FixedPlan.MAX_BYTES);
            plans.put(key, plan == null ? NO_PLAN : plan);
        }
        return res;
    }

    private Result result(Map<String, INDArray> out, List<String> present) {
        float loss = out.get(LOSS).getFloat(0);
        Map<String, float[]> grads = new HashMap<>();
        for (String n : present) {
            grads.put(
                    n,
                    Arrays2.toFloats(out.get(net.sd.getVariable(n).getGradient().name())));
        }
        return new Result(loss, grads);
    }

    /** Training steps run as fixed plans too unless {@code -Drecsys.dl4j.fixedplan.training=false}. */
    static final boolean TRAINING_PLANS = !"false".equals(System.getProperty("recsys.dl4j.fixedplan.training"));

    /** Number of output sets of this graph that run as a {@link FixedPlan} (tests, diagnostics). */
    int fixedPlans() {
        int n = 0;
        for (Object p : plans.values()) {
            n += p instanceof FixedPlan ? 1 : 0;
        }
        return n;
    }

    /** Fixed plans are used unless {@code -Drecsys.dl4j.fixedplan=false} or the op profile (which listens to SameDiff) is on. */
    static final boolean PLANS =
            !"false".equals(System.getProperty("recsys.dl4j.fixedplan")) && OpProfile.INSTANCE == null;

    private static final Object NO_PLAN = new Object();
    /** A run of the forward graph or of the gradient function, by its requested outputs. */
    private record PlanKey(boolean gradient, List<String> outputs) {}

    /** Runs seen so far → their {@link FixedPlan}, or {@link #NO_PLAN}. */
    private final Map<PlanKey, Object> plans = new HashMap<>();

    /**
     * The memory manager of this thread's session of sd, created with the session: a
     * {@link ReclaimingMemMgr} ({@link CountingMemMgr} with {@code -Drecsys.dl4j.memstats=true}).
     */
    private static ReclaimingMemMgr memory(SameDiff sd) {
        InferenceSession s =
                sd.getSessions().computeIfAbsent(Thread.currentThread().getId(), k -> new InferenceSession(sd));
        if (s.getMmgr() instanceof ReclaimingMemMgr m) {
            return m;
        }
        ReclaimingMemMgr m = Boolean.getBoolean("recsys.dl4j.memstats") ? new CountingMemMgr() : new ReclaimingMemMgr();
        if (s.getMmgr() != null) {
            s.getMmgr().close();
        }
        s.setMmgr(m);
        return m;
    }

    /**
     * Forward and backward pass of {@link #LOSS}: the loss and the gradients of the named variables.
     *
     * <p>Runs SameDiff's gradient function directly instead of through
     * {@code SameDiff.calculateGradientsAndOutputs}, which switches the gradient function's array
     * cache off on every call ({@code setEnableCache(false)}), so that every op output of the
     * forward and backward pass became a fresh, zeroed native allocation: profiled at more than
     * half of the step time. With the cache on, released op outputs of the same shape are reused
     * from one step to the next. The contract and cross-backend tests check the gradients.
     */
    Result lossAndGradients(List<String> gradNames) {
        return lossAndGradients(gradNames, null, null, null);
    }

    /**
     * As {@link #lossAndGradients(List)} for a loss computed outside the graph from its output
     * {@code forward}: the graph's loss is {@code Σ forward ⊙ G} with G the placeholder
     * {@code upstream}, which {@code gradient} sets from {@code forward}'s values (it returns the
     * loss's gradient with respect to them), so that the backward pass gets that gradient. The
     * returned loss is this surrogate's; the caller knows the real one. Through a {@link FixedPlan}
     * the forward pass runs once (the plan stops where G is first read); through SameDiff (the
     * first step, or a graph without a plan) it runs twice, once for {@code forward}, once with
     * the backward pass.
     */
    Result lossAndGradients(List<String> gradNames, String forward, String upstream, UnaryOperator<float[]> gradient) {
        if (gradFn == null) {
            quietly(() -> net.sd.createGradFunction(LOSS));
            gradFn = net.sd.getFunction("grad");
            if (OpProfile.INSTANCE != null) {
                gradFn.addListeners(OpProfile.INSTANCE);
            }
        }
        List<String> outputs = new ArrayList<>(gradNames.size() + 2);
        outputs.add(LOSS);
        if (forward != null) {
            outputs.add(forward);
        }
        List<String> present = new ArrayList<>(gradNames.size());
        for (String n : gradNames) {
            SDVariable g = net.sd.getVariable(n).getGradient();
            if (g != null) {
                outputs.add(g.name());
                present.add(n);
            }
        }
        Nd4jRuntime.checkResident();
        PlanKey key = new PlanKey(true, List.copyOf(outputs));
        Object known = plans.get(key);
        if (known instanceof FixedPlan plan) {
            if (forward == null) {
                plan.run();
            } else {
                plan.runForward();
                setPlaceholder(
                        upstream, gradient.apply(Arrays2.toFloats(plan.outputs().get(forward))));
                plan.runRest();
            }
            return result(plan.outputs(), present);
        }
        float[] forwardValues = null;
        if (forward != null) {
            if (!placeholders.containsKey(upstream)) { // the forward pass does not read it, SameDiff may want it set
                long[] shape = net.sd.getVariable(upstream).placeholderShape();
                setPlaceholder(upstream, new float[Math.toIntExact(shape[0] * shape[1])]);
            }
            forwardValues = output(List.of(forward)).get(forward);
            setPlaceholder(upstream, gradient.apply(forwardValues));
        }
        gradFn.setEnableCache(true);
        ReclaimingMemMgr memory = memory(gradFn);
        memory.resetPeak();
        Map<String, INDArray> out = gradFn.output(placeholders, outputs);
        long peak = memory.peakBytes();
        Result result = result(out, present);
        release(out.values(), memory.reclaim());
        // a plan keeps about what SameDiff had out at its peak, and replaces this session's cache (closed below): it is
        // tried wherever SameDiff's own step stayed within maxbytes (a full softmax over 3,416 items at batch 128 and
        // length 200 peaks at 2.3 GiB; its plan ran 25-30 % faster than SameDiff and kept less resident)
        long budget = org.bytedeco.javacpp.Pointer.maxBytes();
        if (known == null && PLANS && TRAINING_PLANS && peak > budget) {
            plans.put(key, NO_PLAN);
        } else if (known == null && PLANS && TRAINING_PLANS) {
            Map<String, float[]> reference = new HashMap<>();
            reference.put(LOSS, new float[] {result.loss()});
            if (forward != null) {
                reference.put(forward, forwardValues);
            }
            for (String n : present) {
                reference.put(
                        net.sd.getVariable(n).getGradient().name(),
                        result.gradients().get(n));
            }
            closeSessions(gradFn); // SameDiff's cache of this function is not needed by a plan (nor while it is built)
            FixedPlan plan = FixedPlan.build(gradFn, key.outputs(), placeholders, reference, budget, upstream, forward);
            plans.put(key, plan == null ? NO_PLAN : plan);
        }
        return result;
    }

    /** Op-output arrays allocated by this graph's sessions and not given back (diagnostics, tests). */
    int outstandingArrays() {
        int n = 0;
        for (SameDiff sd : gradFn == null ? List.of(net.sd) : List.of(net.sd, gradFn)) {
            for (InferenceSession s : sd.getSessions().values()) {
                if (s.getMmgr() instanceof ReclaimingMemMgr m) {
                    n += m.outstanding();
                }
            }
        }
        return n;
    }

    /** Drops the cached arrays of every execution session of this graph. */
    void close() {
        for (Object p : plans.values()) {
            if (p instanceof FixedPlan plan) {
                plan.close();
            }
        }
        plans.clear();
        closeSessions(net.sd);
        if (gradFn != null) {
            closeSessions(gradFn);
        }
        for (INDArray a : placeholders.values()) {
            a.close();
        }
        placeholders.clear();
        buffers.clear();
    }

    private static void closeSessions(SameDiff sd) {
        for (InferenceSession s : sd.getSessions().values()) {
            if (s.getMmgr() != null) {
                s.getMmgr().close();
            }
        }
        sd.getSessions().clear();
    }

    /** Closes the outputs that the memory manager did not take back (those are cached for the next run). */
    private static void release(Collection<INDArray> arrays, List<INDArray> reclaimed) {
        java.util.Set<INDArray> taken = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        taken.addAll(reclaimed);
        for (INDArray a : arrays) {
            if (a != null && !taken.contains(a) && a.closeable() && !a.wasClosed()) {
                a.close();
            }
        }
    }

    /** Loss and gradients of one run. */
    record Result(float loss, Map<String, float[]> gradients) {}

    private static final Object STDOUT_LOCK = new Object();

    /**
     * Runs action with the ≈ 160 "Added differentiated op" lines that SameDiff prints to
     * {@code System.out} while building a gradient function filtered out; every other line passes.
     */
    static void quietly(Runnable action) {
        synchronized (STDOUT_LOCK) {
            PrintStream original = System.out;
            System.setOut(new PrintStream(new FilteringStream(original), true, StandardCharsets.UTF_8));
            try {
                action.run();
            } finally {
                System.out.flush();
                System.setOut(original);
            }
        }
    }

    /** Line filter for {@link #quietly}. */
    private static final class FilteringStream extends OutputStream {
        private final PrintStream target;
        private final StringBuilder line = new StringBuilder();

        FilteringStream(PrintStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            line.append((char) (b & 0xff));
            if (b == '\n') {
                String s = line.toString();
                line.setLength(0);
                if (!s.startsWith("Added differentiated op")) {
                    target.print(s);
                }
            }
        }

        @Override
        public void flush() {
            if (line.length() > 0 && !line.toString().startsWith("Added differentiated op")) {
                target.print(line);
                line.setLength(0);
            }
            target.flush();
        }
    }
}
