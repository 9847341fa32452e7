package dev.recsys.examples.compare;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.recsys.api.BackendException;
import dev.recsys.api.DataException;
import dev.recsys.api.RecsysException;
import dev.recsys.api.io.Provenance;
import dev.recsys.api.spi.BackendProvider;
import dev.recsys.api.spi.Backends;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetStats;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.metrics.PairedTest;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.split.ColdItems;
import dev.recsys.examples.workflow.ConfigLoader;
import dev.recsys.examples.workflow.DataSource;
import dev.recsys.examples.workflow.ExperimentConfig;
import dev.recsys.examples.workflow.ResultFiles;
import dev.recsys.examples.workflow.Workflow;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The backend comparison study: the same config, seed and data on each backend in turn (in a child
 * JVM each by default), then confidence intervals, paired differences and the parity check, and
 * the three report files. Bad input (data, config, backend names) fails before anything runs, and
 * the report files are written only once everything has been measured.
 */
public final class CompareStudy {
    /** Where each backend runs. */
    public enum Isolation {
        /** A child JVM per backend: clean peak-memory numbers (the default). */
        PROCESS,
        /** All backends in this JVM (faster to start; memory numbers are cumulative). */
        NONE
    }

    /**
     * The study's settings.
     *
     * @param data            {@code --data} spec
     * @param itemMap         sasrec item map or null
     * @param movies          sasrec movies file or null
     * @param configFile      config file or null
     * @param overrides       {@code --set} overrides
     * @param backends        backend names in run order (empty = every available backend)
     * @param threads         engine threads
     * @param cacheDir        engine natives folder or null
     * @param isolation       process or none
     * @param latencyCalls    timed recommend calls per backend
     * @param latencyWarmup   untimed calls before them
     * @param parityUsers     users of the parity batch
     * @param parityTolerance pass threshold of the parity check
     * @param outDir          report folder
     * @param coldItems       the cold-start items protocol ({@code --cold-items}), or null
     */
    public record Options(
            String data,
            Path itemMap,
            Path movies,
            Path configFile,
            List<String> overrides,
            List<String> backends,
            int threads,
            Path cacheDir,
            Isolation isolation,
            int latencyCalls,
            int latencyWarmup,
            int parityUsers,
            double parityTolerance,
            Path outDir,
            String coldItems) {
        public Options {
            overrides = overrides == null ? List.of() : List.copyOf(overrides);
            backends = backends == null ? List.of() : List.copyOf(backends);
            if (latencyCalls < 1 || latencyWarmup < 0 || parityUsers < 1 || threads < 1) {
                throw new IllegalArgumentException(
                        "expected --latency-calls >= 1, --latency-warmup >= 0, --parity-users >= 1 and "
                                + "--threads >= 1, found " + latencyCalls + ", " + latencyWarmup + ", " + parityUsers
                                + ", " + threads);
            }
            if (!(parityTolerance > 0)) {
                throw new IllegalArgumentException("--parity-tolerance must be > 0, found " + parityTolerance);
            }
        }
    }

    /** The three files written into the report folder. */
    public static final String REPORT_MD = "report.md";

    public static final String REPORT_JSON = "report.json";
    public static final String REPORT_HTML = "report.html";

    private CompareStudy() {}

    /** Every available backend's name, by priority. */
    public static List<String> availableBackends() {
        return Backends.providers().stream()
                .filter(BackendProvider::isAvailable)
                .map(BackendProvider::name)
                .toList();
    }

    /** Runs the study and writes report.md, report.json and report.html into {@code o.outDir()}. */
    public static CompareReport run(Options o, PrintWriter progress) throws IOException {
        ExperimentConfig c = ConfigLoader.load(o.configFile(), o.overrides());
        List<String> names = o.backends().isEmpty() ? availableBackends() : o.backends();
        if (names.isEmpty()) {
            throw new BackendException("no backend is available; add " + Backends.KNOWN_ARTIFACTS);
        }
        for (String n : names) {
            Backends.select(n); // unknown or unusable names fail here, before any work
        }
        Dataset d = DataSource.load(o.data(), o.itemMap(), o.movies());
        ColdItems cold = o.coldItems() == null ? null : ColdItems.parse(o.coldItems(), d, c.seed());
        Prepared p = Workflow.prepare(d, c, cold);
        Workflow.modelConfig(c, p); // an impossible model shape fails here too
        String summary = DatasetStats.of(d).summary();
        progress.println("data: " + d.name() + ": " + summary);
        progress.println("backends: " + String.join(", ", names) + " ("
                + o.isolation().name().toLowerCase(Locale.ROOT) + " isolation)");

        Path work = Files.createTempDirectory("recsys-compare-");
        try {
            Path configFile = work.resolve("config.json");
            Files.writeString(configFile, ConfigLoader.toJson(c));
            Path model = work.resolve("model");
            List<String> labels = labels(names);
            List<CompareReport.Entry> entries = new ArrayList<>();
            List<EvalResult> evals = new ArrayList<>();
            List<float[][]> parityScores = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                Path out = work.resolve("run-" + i);
                RunJob job = new RunJob(
                        o.data(),
                        str(o.itemMap()),
                        str(o.movies()),
                        configFile.toString(),
                        names.get(i),
                        o.threads(),
                        str(o.cacheDir()),
                        o.latencyCalls(),
                        o.latencyWarmup(),
                        o.parityUsers(),
                        i == 0 ? model.toString() : null,
                        model.toString(),
                        out.toString(),
                        o.coldItems());
                progress.println("== " + labels.get(i) + " ==");
                runJob(job, o.isolation(), work.resolve("job-" + i + ".json"), labels.get(i), progress);
                RunInfo info = BackendRunner.JSON.readValue(
                        out.resolve(BackendRunner.RUN_JSON).toFile(), RunInfo.class);
                if (!p.fingerprint().equals(info.dataFingerprint())) {
                    throw new RecsysException(labels.get(i) + " trained on other data (fingerprint "
                            + info.dataFingerprint() + ", expected " + p.fingerprint() + ")");
                }
                EvalResult r = ResultFiles.read(out.resolve(BackendRunner.EVAL_JSON));
                if (cold != null) { // the warm/cold groups live in the per-backend result only: keep it
                    ResultFiles.writeAtomically(
                            o.outDir().resolve("eval-" + labels.get(i) + ".json"),
                            Files.readString(out.resolve(BackendRunner.EVAL_JSON)));
                }
                evals.add(r);
                parityScores.add(new float[][] {
                    BackendRunner.readFloats(out.resolve(BackendRunner.PARITY_STAGE1)),
                    BackendRunner.readFloats(out.resolve(BackendRunner.PARITY_STAGE2))
                });
                int k = headlineK(c.eval().ks());
                entries.add(new CompareReport.Entry(
                        labels.get(i), info, r.metrics(), intervals(r, k, c.seed()), r.usersEvaluated()));
            }
            int k = headlineK(c.eval().ks());
            List<CompareReport.Difference> diffs = new ArrayList<>();
            for (int i = 1; i < evals.size(); i++) {
                for (String m : List.of("ndcg@" + k, "recall@" + k)) {
                    if (evals.get(0).usersEvaluated() >= 2) {
                        diffs.add(new CompareReport.Difference(
                                labels.get(i),
                                labels.get(0),
                                PairedTest.compare(evals.get(i), evals.get(0), m, 0.95, 2000, c.seed())));
                    }
                }
            }
            List<CompareReport.ParityRow> rows = new ArrayList<>();
            for (int i = 0; i < parityScores.size(); i++) {
                double s1 = BackendRunner.maxAbsDiff(
                        parityScores.get(0)[0], parityScores.get(i)[0]);
                double s2 = BackendRunner.maxAbsDiff(
                        parityScores.get(0)[1], parityScores.get(i)[1]);
                rows.add(new CompareReport.ParityRow(
                        labels.get(i), s1, s2, s1 < o.parityTolerance() && s2 < o.parityTolerance()));
            }
            RunInfo first = entries.get(0).run();
            CompareReport.Parity parity = new CompareReport.Parity(
                    labels.get(0),
                    o.parityTolerance(),
                    first.parityRows(),
                    first.parityCandidates(),
                    rows,
                    first.roundTripMaxAbsDiff());
            Map<String, String> versions = new LinkedHashMap<>();
            versions.put("recsysVersion", Provenance.currentRecsysVersion());
            versions.put("java", Provenance.currentJavaVersion());
            versions.put("os", Provenance.currentOs());
            Map<String, Object> config = BackendRunner.JSON.readValue(
                    ConfigLoader.toJson(c), new TypeReference<LinkedHashMap<String, Object>>() {});
            EvalResult r0 = evals.get(0);
            CompareReport report = new CompareReport(
                    d.name(),
                    summary,
                    p.fingerprint(),
                    c.seed(),
                    r0.split(),
                    r0.target(),
                    r0.protocol(),
                    k,
                    config,
                    o.isolation().name().toLowerCase(Locale.ROOT),
                    versions,
                    OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                    entries,
                    diffs,
                    parity);
            write(report, o.outDir());
            return report;
        } finally {
            deleteTree(work);
        }
    }

    /** Renders all three files, then writes each atomically. */
    static void write(CompareReport report, Path outDir) throws IOException {
        String json = BackendRunner.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report.toMap()) + "\n";
        String md = report.markdown();
        String html = HtmlReport.render(report);
        ResultFiles.writeAtomically(outDir.resolve(REPORT_JSON), json);
        ResultFiles.writeAtomically(outDir.resolve(REPORT_MD), md);
        ResultFiles.writeAtomically(outDir.resolve(REPORT_HTML), html);
    }

    private static void runJob(RunJob job, Isolation isolation, Path jobFile, String label, PrintWriter progress)
            throws IOException {
        if (isolation == Isolation.NONE) {
            BackendRunner.run(job, progress);
            return;
        }
        BackendRunner.JSON.writeValue(jobFile.toFile(), job);
        // the child's one error line, wherever it lands among its merged stdout/stderr lines
        String[] errorLine = new String[1];
        ChildJvm.Result r = ChildJvm.run(BackendRunner.class, List.of(jobFile.toString()), line -> {
            if (line.startsWith(BackendRunner.ERROR_PREFIX)) {
                errorLine[0] = line.substring(BackendRunner.ERROR_PREFIX.length());
            }
            progress.println("  " + line);
        });
        if (r.exitCode() != 0) {
            String err = errorLine[0] != null
                    ? errorLine[0]
                    : "exit code " + r.exitCode()
                            + (r.lastLines().isEmpty()
                                    ? ""
                                    : ": " + r.lastLines().get(r.lastLines().size() - 1));
            String msg = "backend " + label + " failed in its child JVM: " + err;
            throw r.exitCode() == 2 ? new DataException(msg) : new RecsysException(msg);
        }
    }

    /** Names made unique: {@code djl, djl#2, …}. */
    static List<String> labels(List<String> names) {
        Map<String, Integer> seen = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String key = n.trim().toLowerCase(Locale.ROOT);
            int c = seen.merge(key, 1, Integer::sum);
            out.add(c == 1 ? key : key + "#" + c);
        }
        return out;
    }

    /** 10 when evaluated, else the largest cut-off below it, else the smallest. */
    static int headlineK(int[] ks) {
        int[] s = ks.clone();
        Arrays.sort(s);
        int best = s[0];
        for (int k : s) {
            if (k <= 10) {
                best = k;
            }
        }
        return best;
    }

    /** 95% percentile-bootstrap intervals of the mean of the headline metrics (users resampled; PairedTest's bootstrap against 0). */
    static Map<String, double[]> intervals(EvalResult r, int k, long seed) {
        Map<String, double[]> ci = new LinkedHashMap<>();
        if (r.usersEvaluated() < 2) {
            return ci;
        }
        for (String m : List.of("ndcg@" + k, "recall@" + k, "mrr")) {
            if (!r.perUserKeys().contains(m)) {
                continue;
            }
            double[] v = r.perUser(m);
            PairedTest.Comparison cmp = PairedTest.compare(m, v, new double[v.length], 0.95, 2000, seed);
            ci.put(m, new double[] {cmp.ciLow(), cmp.ciHigh()});
        }
        return ci;
    }

    private static String str(Path p) {
        return p == null ? null : p.toString();
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    // a leftover temp file is harmless; keep deleting the rest
                }
            });
        } catch (IOException e) {
            // the folder is under the system temp folder; nothing else to do
        }
    }
}
