package dev.recsys.examples.example;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.train.Trainer;
import dev.recsys.api.train.TrainingData;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.metrics.PairedTest;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.protocol.ModelScorer;
import dev.recsys.eval.protocol.Protocol;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import dev.recsys.eval.synthetic.SyntheticMovieLens;

/**
 * Trains two configurations on the same data from the same seed and asks whether the difference
 * in test NDCG@10 is real: a paired t-test and a bootstrap interval over users
 * ({@link PairedTest}). By default: BCE with one negative (SASRec) against sampled softmax with 16
 * negatives, on the built-in synthetic MovieLens-like data.
 * Run: {@code java -cp recsys-examples/target/recsys.jar dev.recsys.examples.example.CompareConfigsExample [epochs [users items]]}
 * (users and items make a smaller synthetic data set with 8 items per user on average).
 */
public final class CompareConfigsExample {
    /** One configuration: a name, the model shape and the training settings. */
    public record Variant(String name, ModelConfig model, TrainConfig train) {}

    /** Both test results and their paired comparison (a minus b). */
    public record Outcome(EvalResult a, EvalResult b, PairedTest.Comparison ndcg, PairedTest.Comparison recall) {}

    private CompareConfigsExample() {}

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        SyntheticMovieLens.Config dc = SyntheticMovieLens.Config.defaults();
        if (args.length == 3) {
            dc = new SyntheticMovieLens.Config(
                    Integer.parseInt(args[1]), Integer.parseInt(args[2]), 8, dc.pSeries(), dc.seed());
        }
        Dataset data = SyntheticMovieLens.generate(dc);
        Variant[] v = defaults(data.numItems(), epochs, 42L);
        Outcome o = run(data, v[0], v[1], null);
        System.out.println(v[0].name() + ": " + o.a().summary());
        System.out.println(v[1].name() + ": " + o.b().summary());
        System.out.println(o.ndcg().summary());
        System.out.println(o.recall().summary());
        System.out.println(
                o.ndcg().pValue() < 0.05
                        ? "the NDCG difference is significant at 5%"
                        : "no significant NDCG difference at 5%");
    }

    /** BCE with 1 negative against sampled softmax with 16, same model shape and seed. */
    public static Variant[] defaults(int numItems, int epochs, long seed) {
        ModelConfig model = ModelConfig.builder()
                .numItems(numItems)
                .dim(32)
                .heads(1)
                .layers(2)
                .ffnDim(32)
                .maxLen(50)
                .dropout(0.2f)
                .build();
        TrainConfig base = TrainConfig.pretrainDefaults().withEpochs(epochs).withSeed(seed);
        base = new TrainConfig(
                base.stage(),
                base.loss(),
                base.sampling(),
                epochs,
                64,
                base.learningRate(),
                base.warmupSteps(),
                base.schedule(),
                base.minLrRatio(),
                base.optimizer(),
                1,
                3,
                0,
                seed);
        return new Variant[] {
            new Variant("bce-1", model, base),
            new Variant(
                    "sampled-softmax-16", model, base.withLoss(Stage.PRETRAIN, new LossSpec.SampledSoftmax(16, true)))
        };
    }

    /** Trains both variants on the same leave-one-out split and compares them on test. */
    public static Outcome run(Dataset data, Variant a, Variant b, String backendName) {
        Split split = LeaveOneOut.split(data);
        TrainingData training = TrainingData.of(data.numItems(), split.train());
        Evaluator evaluator =
                Evaluator.builder().protocol(Protocol.full()).ks(10).build();
        try (Backend backend = Backends.create(backendName, BackendOptions.defaults())) {
            EvalResult ra = trainAndTest(backend, a, split, training, evaluator);
            EvalResult rb = trainAndTest(backend, b, split, training, evaluator);
            return new Outcome(ra, rb, PairedTest.compare(ra, rb, "ndcg@10"), PairedTest.compare(ra, rb, "recall@10"));
        }
    }

    private static EvalResult trainAndTest(
            Backend backend, Variant v, Split split, TrainingData training, Evaluator evaluator) {
        long seed = v.train().seed();
        try (RecModel model = backend.create(v.model(), null, Initializer.init(v.model(), seed), seed)) {
            new Trainer(model, v.train(), training)
                    .validator(m -> evaluator
                            .evaluate(split, Target.VALIDATION, ModelScorer.stageOne(m))
                            .metric("ndcg@10"))
                    .fit();
            return evaluator.evaluate(split, Target.TEST, ModelScorer.stageOne(model));
        }
    }
}
