package dev.recsys.examples.cli;

import dev.recsys.api.config.Batching;
import dev.recsys.examples.bench.Benchmark;
import dev.recsys.examples.bench.TrainBenchmark;
import dev.recsys.examples.workflow.ResultFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code recsys bench train}: training throughput and peak memory of one recipe on one backend. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Training throughput of one recipe on one backend, on the path recsys train runs (the config recsys train",
            "uses without --config, maxLen from the data, with the recipe's loss): sequences/s of the median step,",
            "wall and CPU time, peak resident memory of the process. Prints one line (--json for the details).",
            "Recipes: bce (1 unseen negative), sampled256 (sampled softmax, 256 uniform negatives), sasrec+ (sampled",
            "softmax, 3,000 unseen negatives), softmax (full softmax over the catalogue)."
        })
final class BenchTrainCommand implements Callable<Integer> {
    @Option(
            names = "--recipe",
            required = true,
            paramLabel = "NAME",
            description = "bce, sampled256, sasrec+ or softmax.")
    String recipe;

    @Option(
            names = "--data",
            paramLabel = "FORMAT:PATH",
            description = "Data (default: sasrec:../shared/data/sasrec/ml-1m.txt when present, else "
                    + Benchmark.SYNTHETIC + "); e.g. synthetic:users=31000,items=23700,medianLength=6.")
    String data;

    @Mixin
    EngineOptions engine;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed training steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", defaultValue = "10", description = "Timed training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--batching",
            defaultValue = "random",
            paramLabel = "random|length",
            description = "pretrain.batching: random or length (default: ${DEFAULT-VALUE}).")
    String batching;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config override, applied last.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Write the result as JSON.")
    Path json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json != null) {
            Outputs.file(json, "--json");
        }
        Batching b;
        try {
            b = Batching.valueOf(batching.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--batching must be random or length, found '" + batching + "'", e);
        }
        TrainBenchmark.Options o = new TrainBenchmark.Options(
                data,
                TrainBenchmark.Recipe.of(recipe),
                engine.backend(),
                engine.threads,
                engine.cacheDir,
                warmup,
                steps,
                b,
                overrides);
        TrainBenchmark.Result r = TrainBenchmark.run(o, out);
        out.println(r.line());
        if (json != null) {
            ResultFiles.writeJson(json, r.toMap());
            out.println("wrote " + json);
        }
        return Main.OK;
    }
}
