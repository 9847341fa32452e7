package dev.recsys.examples.cli;

import dev.recsys.examples.bench.Benchmark;
import dev.recsys.examples.workflow.ResultFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code recsys bench}: the benchmarks behind the README's performance table. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        subcommands = {BenchServeCommand.class, BenchTrainCommand.class},
        description = {
            "Benchmarks on one backend: data loading, training sequences/s for the SASRec shape (d=64, 2 layers, 1 head,",
            "maxLen 200, batch 128, BCE 1 negative), recommend latency p50/p99 for one user (history 200, re-rank 100) and",
            "throughput with several calling threads, and evaluation time for all users. Prints a Markdown table."
        })
final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            paramLabel = "FORMAT:PATH",
            description = "Data (default: sasrec:../shared/data/sasrec/ml-1m.txt when present, else "
                    + Benchmark.SYNTHETIC + ").")
    String data;

    @Mixin
    EngineOptions engine;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Override the SASRec shape, e.g. --set model.maxLen=50.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed training steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", defaultValue = "20", description = "Timed training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--calls", defaultValue = "300", description = "Timed recommend calls (default: ${DEFAULT-VALUE}).")
    int calls;

    @Option(
            names = "--calls-warmup",
            defaultValue = "30",
            description = "Untimed recommend calls (default: ${DEFAULT-VALUE}).")
    int callsWarmup;

    @Option(
            names = "--callers",
            defaultValue = "2",
            description = "Threads of the recommend throughput run (default: ${DEFAULT-VALUE}).")
    int callers;

    @Option(
            names = "--history",
            defaultValue = "200",
            description = "History length of the latency user, at most (default: ${DEFAULT-VALUE}).")
    int history;

    @Option(names = "--no-eval", description = "Skip the full evaluation.")
    boolean noEval;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Write the result as JSON (a metrics object, protocol, fingerprint, versions).")
    Path json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json != null) {
            Outputs.file(json, "--json");
        }
        Benchmark.Options o = new Benchmark.Options(
                data,
                overrides,
                engine.backend(),
                engine.options().threads(),
                engine.options().cacheDir(),
                warmup,
                steps,
                callsWarmup,
                calls,
                callers,
                history,
                !noEval);
        Benchmark.Result r = Benchmark.run(o, out);
        out.println();
        out.print(r.markdown());
        if (json != null) {
            ResultFiles.writeJson(json, r.toMap());
            out.println("wrote " + json);
        }
        return Main.OK;
    }
}
