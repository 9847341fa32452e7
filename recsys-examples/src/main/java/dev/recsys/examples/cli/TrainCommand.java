package dev.recsys.examples.cli;

import dev.recsys.api.DataException;
import dev.recsys.api.io.ResumeState;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.eval.data.DatasetStats;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.pipeline.TrainingPipeline;
import dev.recsys.eval.split.ColdItems;
import dev.recsys.eval.split.GroupedResult;
import dev.recsys.eval.split.Target;
import dev.recsys.examples.workflow.ConfigLoader;
import dev.recsys.examples.workflow.DataRecipe;
import dev.recsys.examples.workflow.ExperimentConfig;
import dev.recsys.examples.workflow.Workflow;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code recsys train}: pre-train, fine-tune, select on validation, report test, save a checkpoint. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train a model on a data set and write a checkpoint folder (model.json + weights.safetensors).",
            "Config: a JSON or YAML file (docs/CONFIG.md) over the defaults, then --set overrides; without --config,",
            "the best recipe of the README's results with its window and negatives chosen from the data (SASRec+:",
            "sampled softmax over unseen items, ids only, early stopping). The effective config is printed first."
        })
final class TrainCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    EngineOptions engine;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (.json, .yaml).")
    Path config;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Override a config key, e.g. --set pretrain.epochs=5.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Checkpoint folder to write.")
    Path outDir;

    @Option(
            names = "--force",
            description = "Write the checkpoint into --out even though that folder holds other files "
                    + "(they are kept; only the checkpoint's own files are written there).")
    boolean force;

    @Option(
            names = "--resume",
            description =
                    "Continue from the training state saved in --out (needs checkpointEvery > 0 when it was written).")
    boolean resume;

    @Option(
            names = "--init-from",
            paramLabel = "DIR",
            description =
                    "Start from the weights of this checkpoint folder "
                            + "(same items and dim; e.g. add content to an ids-only model: its content output starts at zero, so the "
                            + "model starts with the source's scores). Pre-training must then beat it on validation or is undone.")
    Path initFrom;

    @Option(names = "--seed", description = "Seed of the run (overrides the config).")
    Long seed;

    @Option(names = "--epochs", description = "Pre-training epochs (overrides pretrain.epochs).")
    Integer epochs;

    @Option(
            names = "--cold-items",
            paramLabel = "SPEC",
            description = "Cold-start items protocol: train without F, random:F or "
                    + "newest:F (0 < F < 1) of the catalogue (chosen with the run's seed); the model records the list, and evaluate "
                    + "needs the same value.")
    String coldItems;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<String> sets = new ArrayList<>(overrides);
        if (seed != null) {
            sets.add("seed=" + seed);
        }
        if (epochs != null) {
            sets.add("pretrain.epochs=" + epochs);
        }
        ExperimentConfig c = ConfigLoader.load(config, sets);
        if (!resume) {
            Outputs.checkpointFolder(outDir, "--out", force);
        }
        var d = data.load();
        out.println("data: " + d.name() + ": " + DatasetStats.of(d).summary());
        if (config == null) {
            List<String> recipe = new ArrayList<>(DataRecipe.overrides(d));
            recipe.addAll(sets);
            c = ConfigLoader.load(null, recipe);
            out.println(
                    "config: no --config, so the recipe chosen from the data (docs/CONFIG.md \"Without --config\"); "
                            + "--set overrides it");
        }
        out.println("effective config: " + ConfigLoader.toLine(c));
        ColdItems cold = coldItems == null ? null : ColdItems.parse(coldItems, d, c.seed());
        Prepared p = Workflow.prepare(d, c, cold);
        if (cold != null) {
            out.println("cold items: " + cold.items().length + " of " + d.numItems() + " held out of training ("
                    + cold.rule() + ", seed " + cold.seed() + ")");
        }
        ResumeState resumeAt = null;
        if (resume) {
            resumeAt = TrainingPipeline.readResume(outDir);
            out.println("resuming " + resumeAt.stage() + " at epoch "
                    + (resumeAt.state().epochsDone() + 1) + ", step "
                    + resumeAt.state().step());
        }
        Path ckpt = c.pretrain().checkpointEvery() > 0
                        || (c.finetune() != null && c.finetune().checkpointEvery() > 0)
                ? outDir
                : null;
        try (GracefulStop stop = new GracefulStop(ckpt, 60_000, System.err);
                Backend backend = Backends.create(engine.backend(), engine.options());
                RecModel model = Workflow.newModel(backend, c, p)) {
            out.println("backend: " + backend.name() + " (" + backend.engineVersion() + "), model: " + model.config());
            if (resumeAt != null
                    && !resumeAt.state()
                            .weights()
                            .names()
                            .equals(model.weights().names())) {
                throw new DataException(outDir
                        + " holds a model of another shape than this config and data; resume with the same config");
            }
            if (initFrom != null && resumeAt == null) {
                var w = TrainingPipeline.warmStart(model, initFrom);
                out.println("started from " + initFrom + ": " + w.copied().size() + " tensors copied, "
                        + w.fresh().size() + " initialised"
                        + (w.zeroed().isEmpty()
                                ? ""
                                : ", content output at zero (" + String.join(", ", w.zeroed()) + ")"));
            }
            boolean tty = Progress.isTerminal();
            TrainingPipeline pipeline = Workflow.pipeline(c, backend)
                    .checkpoints(ckpt)
                    .listener(new Progress(out, tty, "train"))
                    .listener(stop)
                    .describe(Workflow.META_COLD, Workflow.coldLabel(cold))
                    .build();
            if (resumeAt != null) {
                pipeline.resume(model, p, resumeAt);
            } else if (initFrom != null) {
                pipeline.trainWarmStarted(model, p);
            } else {
                pipeline.train(model, p);
            }
            stop.check("after training, before saving the model");
            pipeline.save(outDir, model, p);
            stop.check("after saving the model, before the final evaluation");
            EvalResult val = pipeline.evaluate(model, p, Target.VALIDATION);
            EvalResult test = pipeline.evaluate(model, p, Target.TEST);
            out.println("validation: " + val.summary());
            out.println("test:       " + test.summary());
            if (cold != null) {
                GroupedResult g = GroupedResult.of(test, p.split(Target.TEST), Target.TEST, cold);
                out.println("test, users with a warm target: " + g.warm().summary());
                out.println("test, users with a cold target: " + g.cold().summary());
            }
            out.println("saved " + outDir.toAbsolutePath());
        }
        return Main.OK;
    }
}
