package dev.recsys.api.reference;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import java.util.Map;

/**
 * A test-only backend on top of {@link ReferenceModel}: forward passes in double precision,
 * gradients by central finite differences in double precision over every parameter (so it is
 * only usable on tiny models). It exists to validate the contract test kit itself; dropout in
 * training mode uses {@link ReferenceModel#trainingLoss} with one seed per call drawn from the
 * model's seed.
 */
public final class ReferenceBackend implements Backend {
    /** Finite-difference step of the gradients (double precision). */
    static final double STEP = 1e-5;

    private boolean closed;

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String engineVersion() {
        return "plain Java reference (double precision, finite-difference gradients)";
    }

    @Override
    public RecModel create(ModelConfig config, ItemContent content, Weights weights, long seed) {
        if (closed) {
            throw new IllegalStateException("the reference backend is closed");
        }
        return new Model(config, content, weights, seed);
    }

    @Override
    public void close() {
        closed = true;
    }

    /**
     * The eval-mode loss of a model of this backend without its (expensive, finite-difference)
     * gradients: the same number {@code lossAndGradients(batch, loss, false).loss()} reports.
     */
    public static float evalLoss(RecModel model, TrainBatch batch, LossSpec loss) {
        return ((Model) model).evalLoss(batch, loss);
    }

    /** The reference model behind the SPI. */
    static final class Model implements RecModel {
        private final ModelConfig config;
        private final ItemContent content;
        private final long seed;
        private long call;
        private Weights weights;
        private ReferenceModel model;
        private boolean closed;

        Model(ModelConfig config, ItemContent content, Weights weights, long seed) {
            this.config = config;
            this.content = config.hasContent() ? content : null;
            this.seed = seed;
            this.model = new ReferenceModel(config, content, weights);
            this.weights = weights.copy();
        }

        private ReferenceModel open() {
            if (closed) {
                throw new IllegalStateException("this reference model is closed; create a new one");
            }
            return model;
        }

        @Override
        public ModelConfig config() {
            open();
            return config;
        }

        @Override
        public ItemContent content() {
            open();
            return content;
        }

        @Override
        public float[] userVectors(SeqBatch batch) {
            return RefOps.toFloats(open().userVectors(batch));
        }

        @Override
        public float[] itemVectors() {
            return RefOps.toFloats(open().itemVectors());
        }

        @Override
        public float[] scoreAll(SeqBatch batch) {
            return RefOps.toFloats(open().scoreAll(batch));
        }

        @Override
        public float[] scoreCandidates(SeqBatch batch, int[] candidates, int perRow) {
            return RefOps.toFloats(open().scoreCandidates(batch, candidates, perRow));
        }

        /** The eval-mode loss alone, without the expensive gradients (what {@code lossAndGradients(..).loss()} reports). */
        float evalLoss(TrainBatch batch, LossSpec loss) {
            return (float) open().loss(batch, loss);
        }

        @Override
        public void seekDropout(long call) {
            if (call < 0) {
                throw new IllegalArgumentException("call must be >= 0, found " + call);
            }
            this.call = call;
        }

        @Override
        public StepResult lossAndGradients(TrainBatch batch, LossSpec loss, boolean training) {
            ReferenceModel m = open();
            long dropSeed = training ? RecModel.dropoutSeed(seed, call++) : 0;
            double value = lossOf(m, batch, loss, training, dropSeed);
            Weights grads = weights.zerosLike();
            boolean pretraining = batch instanceof TrainBatch.NextItem;
            for (Map.Entry<String, Weights.Tensor> e : grads.asMap().entrySet()) {
                String name = e.getKey();
                if (pretraining && isStage2(name)) {
                    continue; // stage-1 logits never read the cross-attention or the scorer: exactly 0
                }
                float[] g = e.getValue().data();
                for (int i = 0; i < g.length; i++) {
                    double w = m.parameter(name, i);
                    double plus = lossOf(m.withParameter(name, i, w + STEP), batch, loss, training, dropSeed);
                    double minus = lossOf(m.withParameter(name, i, w - STEP), batch, loss, training, dropSeed);
                    g[i] = (float) ((plus - minus) / (2 * STEP));
                }
            }
            return new StepResult((float) value, grads);
        }

        private static boolean isStage2(String name) {
            return name.startsWith(ParamLayout.CROSS + ".")
                    || name.equals(ParamLayout.SCORER_WEIGHT)
                    || name.equals(ParamLayout.SCORER_BIAS);
        }

        private static double lossOf(
                ReferenceModel m, TrainBatch batch, LossSpec loss, boolean training, long dropSeed) {
            return training ? m.trainingLoss(batch, loss, dropSeed) : m.loss(batch, loss);
        }

        @Override
        public Weights weights() {
            open();
            return weights.copy();
        }

        @Override
        public void setWeights(Weights w) {
            open();
            ParamLayout.validate(config, w);
            this.model = new ReferenceModel(config, content, w);
            this.weights = w.copy();
        }

        @Override
        public ForwardTrace trace(SeqBatch batch, int[] candidates, int perRow) {
            return open().trace(batch, candidates, perRow);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
