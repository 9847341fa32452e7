package dev.recsys.examples.cli;

import dev.recsys.examples.compare.CompareReport;
import dev.recsys.examples.compare.CompareStudy;
import dev.recsys.examples.workflow.ResultFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code recsys compare}: the backend comparison study in one command. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = {
            "Compare backends: the same config, seed and data on each backend in turn (each in its own JVM by default).",
            "Reports test NDCG/Recall with 95%% bootstrap CIs and paired differences, training sequences/s, recommend latency",
            "p50/p99, peak memory, and a parity check (one saved model loaded in every backend gives the same scores).",
            "Writes report.md, report.json and a self-contained report.html with charts into --out.",
            "Exit code 1 when the parity check fails (the reports are still written), 2 for bad input (nothing written)."
        })
final class CompareCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (.json, .yaml).")
    Path config;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Override a config key, e.g. --set pretrain.epochs=5.")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--backends",
            split = ",",
            paramLabel = "NAME",
            description = "Backends in run order (default: every available one).")
    List<String> backends = new ArrayList<>();

    @Option(names = "--threads", defaultValue = "1", description = "Engine threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where the engines' natives are extracted.")
    Path cacheDir;

    @Option(
            names = "--isolation",
            defaultValue = "process",
            description = "process (default: a child JVM per backend, clean memory numbers) or none (all in this JVM).")
    String isolation;

    @Option(
            names = "--latency-calls",
            defaultValue = "300",
            description = "Timed recommend calls per backend (default: ${DEFAULT-VALUE}).")
    int latencyCalls;

    @Option(
            names = "--latency-warmup",
            defaultValue = "30",
            description = "Untimed calls before them (default: ${DEFAULT-VALUE}).")
    int latencyWarmup;

    @Option(
            names = "--parity-users",
            defaultValue = "32",
            description = "Users of the parity batch (default: ${DEFAULT-VALUE}).")
    int parityUsers;

    @Option(
            names = "--parity-tolerance",
            defaultValue = "1e-4",
            description = "Max absolute score difference that passes (default: ${DEFAULT-VALUE}).")
    double parityTolerance;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Report folder (default: recsys-out/compare-<timestamp>).")
    Path out;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write report.json here.")
    Path json;

    @Option(
            names = "--cold-items",
            paramLabel = "SPEC",
            description =
                    "Cold-start items protocol (F, random:F or newest:F): every backend trains without those items; "
                            + "each backend's eval.json reports warm-target, cold-target and all users.")
    String coldItems;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter pw = spec.commandLine().getOut();
        CompareStudy.Isolation iso = switch (isolation.toLowerCase(Locale.ROOT)) {
            case "process" -> CompareStudy.Isolation.PROCESS;
            case "none" -> CompareStudy.Isolation.NONE;
            default ->
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--isolation must be process or none, found " + isolation);
        };
        Path dir = out != null
                ? out
                : Path.of(
                        "recsys-out",
                        "compare-"
                                + LocalDateTime.now()
                                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        Outputs.folder(dir, "--out");
        if (json != null) {
            Outputs.file(json, "--json");
        }
        CompareStudy.Options o = new CompareStudy.Options(
                data.data,
                data.itemMap,
                data.movies,
                config,
                overrides,
                backends,
                threads,
                cacheDir,
                iso,
                latencyCalls,
                latencyWarmup,
                parityUsers,
                parityTolerance,
                dir,
                coldItems);
        CompareReport r = CompareStudy.run(o, pw);
        pw.println();
        pw.print(r.markdown());
        if (json != null) {
            ResultFiles.writeAtomically(json, Files.readString(dir.resolve(CompareStudy.REPORT_JSON)));
        }
        pw.println("wrote " + dir.resolve(CompareStudy.REPORT_MD) + ", " + CompareStudy.REPORT_JSON + ", "
                + CompareStudy.REPORT_HTML + (json != null ? " and " + json : ""));
        if (!r.parity().pass()) {
            spec.commandLine()
                    .getErr()
                    .println("recsys: parity check failed: the same weights gave scores that differ by more than "
                            + parityTolerance + " (see the parity table in " + dir.resolve(CompareStudy.REPORT_MD)
                            + ")");
            return Main.FAILURE;
        }
        return Main.OK;
    }
}
