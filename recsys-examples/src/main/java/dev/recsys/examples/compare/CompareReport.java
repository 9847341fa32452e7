package dev.recsys.examples.compare;

import dev.recsys.eval.metrics.PairedTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a backend comparison: per backend the test metrics with bootstrap confidence
 * intervals, training speed, {@code recommend} latency, memory and learning curves; the paired
 * differences between backends; and the parity check.
 *
 * @param dataset         dataset name
 * @param dataSummary     users, items, interactions
 * @param dataFingerprint fingerprint of the split
 * @param seed            the run's seed (same initial weights for every backend)
 * @param split           split name
 * @param target          evaluation target (TEST)
 * @param protocol        protocol label (full ranking)
 * @param k               the cut-off of the headline metrics
 * @param config          the merged experiment config
 * @param isolation       {@code process} (a child JVM per backend) or {@code none} (all in this JVM)
 * @param versions        recsys, Java and OS versions
 * @param createdAt       ISO-8601 time of the run
 * @param backends        one entry per backend, in run order
 * @param differences     paired tests of each backend against the first
 * @param parity          the parity check
 */
public record CompareReport(
        String dataset,
        String dataSummary,
        String dataFingerprint,
        long seed,
        String split,
        String target,
        String protocol,
        int k,
        Map<String, Object> config,
        String isolation,
        Map<String, String> versions,
        String createdAt,
        List<Entry> backends,
        List<Difference> differences,
        Parity parity) {
    /** The format name written into report.json. */
    public static final String FORMAT = "recsys-compare";

    /**
     * One backend's results.
     *
     * @param label          unique label (the backend name, with {@code #2} etc. for repeats)
     * @param run            training, latency and memory measurements
     * @param metrics        mean test metrics ({@code ndcg@10}, {@code recall@10}, {@code mrr}, …)
     * @param ci             95% bootstrap intervals {low, high} of the headline metrics' means
     * @param usersEvaluated users with a test item
     */
    public record Entry(
            String label, RunInfo run, Map<String, Double> metrics, Map<String, double[]> ci, int usersEvaluated) {}

    /** Paired test of backend {@code a} minus backend {@code b}. */
    public record Difference(String a, String b, PairedTest.Comparison comparison) {}

    /**
     * Parity: the first backend's trained model, saved and loaded into every backend, scores a fixed batch.
     *
     * @param reference       label of the backend whose scores are the reference
     * @param tolerance       pass threshold of the max absolute difference
     * @param rows            users of the batch
     * @param candidates      stage-2 candidates per user
     * @param results         one row per backend
     * @param roundTrip       max |trained - saved and reloaded| in the reference backend
     */
    public record Parity(
            String reference, double tolerance, int rows, int candidates, List<ParityRow> results, Double roundTrip) {
        public boolean pass() {
            return results.stream().allMatch(ParityRow::pass) && (roundTrip == null || roundTrip < tolerance);
        }
    }

    /** Max absolute score differences of one backend against the reference. */
    public record ParityRow(String label, double stage1MaxAbsDiff, double stage2MaxAbsDiff, boolean pass) {}

    public String ndcgKey() {
        return "ndcg@" + k;
    }

    public String recallKey() {
        return "recall@" + k;
    }

    /** The report as a JSON tree: a {@code metrics} object per backend next to protocol, fingerprint, seed and versions. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("formatVersion", 1);
        m.put("dataset", dataset);
        m.put("data", dataSummary);
        m.put("split", split);
        m.put("target", target);
        m.put("protocol", protocol);
        m.put("dataFingerprint", dataFingerprint);
        m.put("seed", seed);
        m.put("isolation", isolation);
        m.putAll(versions);
        m.put("createdAt", createdAt);
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (Entry e : backends) {
            metrics.put(e.label(), e.metrics());
        }
        m.put("metrics", metrics);
        List<Object> bs = new ArrayList<>();
        for (Entry e : backends) {
            Map<String, Object> b = new LinkedHashMap<>();
            RunInfo r = e.run();
            b.put("label", e.label());
            b.put("backend", r.backend());
            b.put("engine", r.engine());
            b.put("metrics", e.metrics());
            Map<String, Object> ci = new LinkedHashMap<>();
            e.ci().forEach((key, v) -> ci.put(key, Map.of("low", v[0], "high", v[1], "confidence", 0.95)));
            b.put("confidenceIntervals", ci);
            b.put("usersEvaluated", e.usersEvaluated());
            Map<String, Object> train = new LinkedHashMap<>();
            train.put("seconds", r.trainSeconds());
            train.put("sequencesPerSecond", r.sequencesPerSecond());
            train.put("medianStepMs", r.medianStepMs());
            train.put("pretrainLosses", r.pretrainLosses());
            train.put("pretrainValidation", r.pretrainValidation());
            train.put("finetuneLosses", r.finetuneLosses());
            train.put("finetuneValidation", r.finetuneValidation());
            b.put("training", train);
            Map<String, Object> lat = new LinkedHashMap<>();
            lat.put("p50Ms", r.latencyP50Ms());
            lat.put("p99Ms", r.latencyP99Ms());
            lat.put("calls", r.latencyMs().length);
            lat.put("rerank", r.rerank());
            lat.put("samplesMs", r.latencyMs());
            b.put("recommendLatency", lat);
            Map<String, Object> mem = new LinkedHashMap<>();
            mem.put("peakRssBytes", r.peakRssBytes());
            mem.put(
                    "rssDeltaBytes",
                    r.rssAfterBytes() == null || r.rssBeforeBytes() == null
                            ? null
                            : r.rssAfterBytes() - r.rssBeforeBytes());
            mem.put("peakHeapBytes", r.peakHeapBytes());
            b.put("memory", mem);
            b.put("evalSeconds", r.evalSeconds());
            bs.add(b);
        }
        m.put("backends", bs);
        m.put(
                "differences",
                differences.stream()
                        .map(d -> {
                            Map<String, Object> x = new LinkedHashMap<>();
                            x.put("a", d.a());
                            x.put("b", d.b());
                            x.putAll(comparisonMap(d.comparison()));
                            return x;
                        })
                        .toList());
        Map<String, Object> par = new LinkedHashMap<>();
        par.put("reference", parity.reference());
        par.put("tolerance", parity.tolerance());
        par.put("rows", parity.rows());
        par.put("candidates", parity.candidates());
        par.put("roundTripMaxAbsDiff", parity.roundTrip());
        par.put("results", parity.results());
        par.put("pass", parity.pass());
        m.put("parity", par);
        m.put("config", config);
        return m;
    }

    private static Map<String, Object> comparisonMap(PairedTest.Comparison c) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("metric", c.metric());
        x.put("users", c.users());
        x.put("meanA", c.meanA());
        x.put("meanB", c.meanB());
        x.put("meanDiff", c.meanDiff());
        x.put("ciLow", c.ciLow());
        x.put("ciHigh", c.ciHigh());
        x.put("t", Double.isFinite(c.t()) ? c.t() : null);
        x.put("pValue", c.pValue());
        return x;
    }

    /** The report as Markdown: a summary table, the paired differences and the parity check. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Backend comparison: ").append(dataset).append("\n\n");
        sb.append("Data: ")
                .append(dataSummary)
                .append(" (fingerprint `")
                .append(shortFp())
                .append("`), ")
                .append(split)
                .append(" split, ")
                .append(target.toLowerCase(Locale.ROOT))
                .append(" target, ")
                .append(protocol)
                .append(" ranking, seed ")
                .append(seed)
                .append(", isolation: ")
                .append(isolation)
                .append(".\n\n");
        sb.append("| backend | engine | ")
                .append(ndcgKey())
                .append(" (95% CI) | ")
                .append(recallKey())
                .append(" (95% CI) | mrr | train seq/s | train s | recommend p50 ms | p99 ms | peak RSS MiB |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Entry e : backends) {
            RunInfo r = e.run();
            sb.append("| ")
                    .append(e.label())
                    .append(" | ")
                    .append(r.engine())
                    .append(" | ")
                    .append(withCi(e, ndcgKey()))
                    .append(" | ")
                    .append(withCi(e, recallKey()))
                    .append(" | ")
                    .append(fmt(e.metrics().get("mrr")))
                    .append(" | ")
                    .append(String.format(
                            Locale.ROOT,
                            "%.1f | %.1f | %.2f | %.2f | %s |",
                            r.sequencesPerSecond(),
                            r.trainSeconds(),
                            r.latencyP50Ms(),
                            r.latencyP99Ms(),
                            mib(r.peakRssBytes())))
                    .append('\n');
        }
        sb.append('\n').append(memoryNote()).append("\n");
        if (!differences.isEmpty()) {
            sb.append("\n## Paired differences (test users; t-test and 95% bootstrap CI of the mean difference)\n\n");
            sb.append("| a − b | metric | mean diff | 95% CI | p |\n|---|---|---:|---:|---:|\n");
            for (Difference d : differences) {
                PairedTest.Comparison c = d.comparison();
                sb.append(String.format(
                        Locale.ROOT,
                        "| %s − %s | %s | %+.4f | %+.4f .. %+.4f | %.3g |%n",
                        d.a(),
                        d.b(),
                        c.metric(),
                        c.meanDiff(),
                        c.ciLow(),
                        c.ciHigh(),
                        c.pValue()));
            }
        }
        sb.append("\n## Parity (the model trained by ")
                .append(parity.reference())
                .append(", saved and loaded in every backend)\n\n");
        sb.append(String.format(
                Locale.ROOT,
                "%d users, stage 1 over the whole catalogue, stage 2 over %d candidates each; pass when the "
                        + "max absolute difference is below %.0e.%n%n",
                parity.rows(),
                parity.candidates(),
                parity.tolerance()));
        sb.append("| backend | stage 1 max abs diff | stage 2 max abs diff | pass |\n|---|---:|---:|---|\n");
        for (ParityRow r : parity.results()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %.3e | %.3e | %s |%n",
                    r.label(),
                    r.stage1MaxAbsDiff(),
                    r.stage2MaxAbsDiff(),
                    r.pass() ? "yes" : "**no**"));
        }
        if (parity.roundTrip() != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%nSave/load round trip in %s: max abs diff %.3e.%n",
                    parity.reference(),
                    parity.roundTrip()));
        }
        sb.append(String.format(Locale.ROOT, "%nParity: **%s**.%n", parity.pass() ? "PASS" : "FAIL"));
        sb.append("\nrecsys ")
                .append(versions.getOrDefault("recsysVersion", "?"))
                .append(", Java ")
                .append(versions.getOrDefault("java", "?"))
                .append(", ")
                .append(versions.getOrDefault("os", "?"))
                .append(", ")
                .append(createdAt)
                .append(".\n");
        return sb.toString();
    }

    String memoryNote() {
        return "process".equals(isolation)
                ? "Each backend ran in its own JVM: peak RSS is that JVM's VmHWM (data, training, evaluation and latency runs included). "
                        + "Train seq/s counts pre-training optimiser steps only (validation excluded)."
                : "All backends ran in this JVM: peak RSS is the process's VmHWM so far (it includes earlier backends); "
                        + "see report.json memory.rssDeltaBytes for each backend's growth. Train seq/s counts pre-training steps only.";
    }

    String shortFp() {
        return dataFingerprint == null ? "?" : dataFingerprint.substring(0, Math.min(12, dataFingerprint.length()));
    }

    private static String withCi(Entry e, String key) {
        Double v = e.metrics().get(key);
        double[] ci = e.ci().get(key);
        if (v == null) {
            return "-";
        }
        return ci == null ? fmt(v) : String.format(Locale.ROOT, "%.4f (%.4f–%.4f)", v, ci[0], ci[1]);
    }

    static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String mib(Long bytes) {
        return bytes == null ? "n/a" : String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
    }
}
