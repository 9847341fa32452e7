package dev.recsys.examples.example;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.config.Sampling;
import dev.recsys.api.config.Schedule;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.ResumeState;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.train.TrainingListener;
import dev.recsys.eval.data.ContentBuilder;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.pipeline.TrainingPipeline;
import dev.recsys.eval.split.Target;
import dev.recsys.eval.synthetic.SyntheticMovieLens;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The two-stage pipeline as a library user calls it (the README's "Using it as a library"): content
 * tokens from the titles, pre-training then fine-tuning on hard negatives, each stage selected on
 * validation, a resumable checkpoint every few steps, and a run that was interrupted continues from
 * its checkpoint to the weights of an uninterrupted one.
 * Run: {@code java -cp recsys-examples/target/recsys.jar dev.recsys.examples.example.TwoStagePipelineExample model/}.
 */
public final class TwoStagePipelineExample {
    /** What a run produced: the stages' results, the test metrics and the final weights. */
    public record Outcome(TrainingPipeline.Result training, EvalResult test, Weights weights) {}

    private TwoStagePipelineExample() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: TwoStagePipelineExample MODEL_DIR");
            System.exit(2);
        }
        try (Backend backend = Backends.create(null, BackendOptions.defaults())) {
            Outcome o = trainOrResume(backend, Path.of(args[0]), new TrainingListener() {});
            System.out.println("test: " + o.test().summary());
        }
    }

    /**
     * Trains on synthetic data and saves the model in {@code modelDir}, or, when {@code modelDir}
     * holds the state of an interrupted run, continues that run.
     *
     * @param listener sees every step (progress, or a test's simulated crash)
     */
    public static Outcome trainOrResume(Backend backend, Path modelDir, TrainingListener listener) throws IOException {
        // README:begin
        Dataset data = SyntheticMovieLens.generate(new SyntheticMovieLens.Config(200, 60, 10, 0.3, 7));
        Prepared prepared = Prepared.of(data, new ContentBuilder(6, 1, 10_000)); // leave-one-out split, title tokens
        ModelConfig config = ModelConfig.builder()
                .numItems(prepared.numItems())
                .dim(16)
                .heads(2)
                .layers(1)
                .ffnDim(16)
                .maxLen(12)
                .content(prepared.contentVocab(), 6, 1)
                .build();
        // stage, loss, sampling, epochs, batch, learning rate, warm-up, schedule, floor, optimizer,
        // validate every N epochs, patience, checkpoint every N steps, seed
        TrainConfig pretrain = new TrainConfig(
                Stage.PRETRAIN,
                new LossSpec.SampledSoftmax(8, true),
                Sampling.UNIFORM,
                4,
                32,
                2e-3f,
                0,
                Schedule.CONSTANT,
                0f,
                OptimizerConfig.adam(),
                1,
                2,
                3,
                42L);
        TrainConfig finetune = new TrainConfig(
                Stage.FINETUNE,
                new LossSpec.Bpr(4),
                Sampling.UNIFORM,
                2,
                32,
                5e-4f,
                0,
                Schedule.CONSTANT,
                0f,
                OptimizerConfig.adam(),
                1,
                1,
                3,
                42L);
        TrainingPipeline pipeline = TrainingPipeline.builder(backend)
                .pretrain(pretrain) // stage 1, selected on validation NDCG@10
                .finetune(finetune)
                .hardNegatives(10)
                .rerank(10) // stage 2 re-ranks stage 1's top 10
                .checkpoints(modelDir) // a resumable state every 3 steps
                .listener(listener)
                .seed(42L)
                .build();
        try (RecModel model = pipeline.newModel(config, prepared)) {
            Optional<ResumeState> interrupted =
                    Checkpoint.isCheckpoint(modelDir) ? ResumeState.read(modelDir) : Optional.empty();
            TrainingPipeline.Result result = interrupted.isPresent()
                    ? pipeline.resume(model, prepared, interrupted.get())
                    : pipeline.train(model, prepared);
            EvalResult test = pipeline.evaluate(model, prepared, Target.TEST); // test once, at the end
            pipeline.save(modelDir, model, prepared); // the selected model, no training state
            return new Outcome(result, test, model.weights());
        }
        // README:end
    }
}
