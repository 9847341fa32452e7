package dev.recsys.api.io;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.Weights;
import dev.recsys.api.train.TrainState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where an interrupted two-stage training run continues, as saved in its checkpoint folder next to
 * the model ({@link Checkpoint}):
 *
 * <pre>
 * weights.safetensors    the weights at the moment of saving ({@link TrainState#weights})
 * trainer.json           {"stage": "PRETRAIN" | "FINETUNE", "epochsDone", "step", "stepInEpoch",
 *                         "bestMetric" (null = none yet), "bestEpoch", "badChecks"}
 * optimizer.safetensors  the optimiser tensors (F32, {@link TrainState#optimizer}),
 *                        "best.&lt;param&gt;" F32: the weights of the best validation so far (when any),
 *                        "finetune.hardNegatives" I32 [users, pool]: each user's hard-negative item ids,
 *                        0-padded (fine-tuning on hard negatives only)
 * </pre>
 *
 * <p>Runs saved before the pools were integers stored them as F32 under the same name (exact
 * below 2^24 items); {@link #read} reads both.
 *
 * @param stage         the stage the state belongs to
 * @param state         the trainer's position, weights, optimiser and early-stopping state
 * @param hardNegatives the fine-tuning hard-negative pools in use (index = dense user id; null = none)
 */
public record ResumeState(Stage stage, TrainState state, int[][] hardNegatives) {
    /** Name of the hard-negative pools in optimizer.safetensors. */
    public static final String HARD_NEGATIVES = "finetune.hardNegatives";
    /** Prefix of the best weights in optimizer.safetensors. */
    public static final String BEST = "best.";

    public ResumeState {
        if (stage == null || state == null) {
            throw new IllegalArgumentException(
                    "a resume state needs a stage and a trainer state, found stage=" + stage + ", state=" + state);
        }
    }

    /** Writes the model and this state as one atomic checkpoint folder; {@code model} holds {@code state().weights()}. */
    public static void write(Path dir, CheckpointData model, ResumeState s) throws IOException {
        Checkpoint.write(dir, model, s.toTrainingState());
    }

    /** The files' content: see the class comment. */
    public TrainingState toTrainingState() {
        TrainState st = state;
        Weights opt = st.optimizer().copy();
        if (st.bestWeights() != null) {
            st.bestWeights().asMap().forEach((k, v) -> opt.put(BEST + k, v.shape(), v.data()));
        }
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("stage", stage.name());
        trainer.put("epochsDone", (long) st.epochsDone());
        trainer.put("step", st.step());
        trainer.put("stepInEpoch", (long) st.stepInEpoch());
        trainer.put("bestMetric", Double.isNaN(st.bestMetric()) ? null : st.bestMetric());
        trainer.put("bestEpoch", (long) st.bestEpoch());
        trainer.put("badChecks", (long) st.badChecks());
        Map<String, TrainingState.IntTensor> ints =
                hardNegatives == null ? Map.of() : Map.of(HARD_NEGATIVES, pack(hardNegatives));
        return new TrainingState(opt, trainer, ints);
    }

    /**
     * Reads the resume state of a checkpoint folder, or empty when it holds a model only.
     *
     * @throws CheckpointException naming the file and field when the state is incomplete or invalid
     */
    public static Optional<ResumeState> read(Path dir) throws IOException {
        Optional<TrainingState> ts = Checkpoint.readTrainingState(dir);
        if (ts.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(of(ts.get(), Checkpoint.read(dir).weights(), dir));
    }

    /** Parses the files' content (see the class comment); {@code dir} names the folder in errors. */
    public static ResumeState of(TrainingState ts, Weights weights, Path dir) {
        Map<String, Object> t = ts.trainer();
        Weights opt = new Weights();
        Weights best = new Weights();
        int[][] pools = null;
        for (Map.Entry<String, Weights.Tensor> e : ts.optimizer().asMap().entrySet()) {
            String k = e.getKey();
            Weights.Tensor v = e.getValue();
            if (k.equals(HARD_NEGATIVES)) {
                pools = unpackFloats(v, dir); // written before the pools were integers
            } else if (k.startsWith(BEST)) {
                best.put(k.substring(BEST.length()), v.shape(), v.data());
            } else {
                opt.put(k, v.shape(), v.data());
            }
        }
        TrainingState.IntTensor p = ts.integers().get(HARD_NEGATIVES);
        if (p != null) {
            pools = unpack(p, dir);
        }
        Object bm = t.get("bestMetric");
        if (bm != null && !(bm instanceof Number)) {
            throw new CheckpointException(
                    dir + "/" + Checkpoint.TRAINER + ": field 'bestMetric' must be a number or null, found " + bm);
        }
        TrainState st = new TrainState(
                (int) num(t, "epochsDone", dir),
                num(t, "step", dir),
                (int) num(t, "stepInEpoch", dir),
                weights,
                opt,
                bm == null ? Double.NaN : ((Number) bm).doubleValue(),
                (int) num(t, "bestEpoch", dir),
                (int) num(t, "badChecks", dir),
                best.size() == 0 ? null : best);
        Stage stage;
        try {
            stage = Stage.valueOf(String.valueOf(t.get("stage")));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(dir + "/" + Checkpoint.TRAINER + ": unknown stage '" + t.get("stage")
                    + "'; expected PRETRAIN or FINETUNE");
        }
        return new ResumeState(stage, st, pools);
    }

    private static TrainingState.IntTensor pack(int[][] pools) {
        int width = 1;
        for (int[] x : pools) {
            width = Math.max(width, x == null ? 0 : x.length);
        }
        int[] flat = new int[pools.length * width];
        for (int u = 0; u < pools.length; u++) {
            if (pools[u] != null) {
                for (int j = 0; j < pools[u].length; j++) {
                    if (pools[u][j] <= 0) {
                        throw new IllegalArgumentException("hard-negative pool of user " + u + " holds item "
                                + pools[u][j] + "; item ids are >= 1 (0 pads the table)");
                    }
                    flat[u * width + j] = pools[u][j];
                }
            }
        }
        return new TrainingState.IntTensor(new int[] {pools.length, width}, flat);
    }

    private static int[][] unpack(TrainingState.IntTensor t, Path dir) {
        int[] shape = shape2(t.shape(), dir);
        return rows(shape, i -> t.data()[i]);
    }

    private static int[][] unpackFloats(Weights.Tensor t, Path dir) {
        int[] shape = shape2(t.shape(), dir);
        return rows(shape, i -> (int) t.data()[i]);
    }

    private static int[] shape2(int[] shape, Path dir) {
        if (shape.length != 2) {
            throw new CheckpointException(dir + "/" + Checkpoint.OPTIMIZER + ": " + HARD_NEGATIVES
                    + " must be [users, pool], found rank " + shape.length);
        }
        return shape;
    }

    /** Each row up to its first 0. */
    private static int[][] rows(int[] shape, java.util.function.IntUnaryOperator at) {
        int[][] pools = new int[shape[0]][];
        for (int u = 0; u < shape[0]; u++) {
            int n = 0;
            while (n < shape[1] && at.applyAsInt(u * shape[1] + n) != 0) {
                n++;
            }
            pools[u] = new int[n];
            for (int j = 0; j < n; j++) {
                pools[u][j] = at.applyAsInt(u * shape[1] + j);
            }
        }
        return pools;
    }

    private static long num(Map<String, Object> m, String k, Path dir) {
        Object v = m.get(k);
        if (!(v instanceof Number n)) {
            throw new CheckpointException(
                    dir + "/" + Checkpoint.TRAINER + ": field '" + k + "' is missing or not a number");
        }
        return n.longValue();
    }
}
