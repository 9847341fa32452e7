package dev.recsys.examples.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.api.RecsysException;
import dev.recsys.eval.metrics.PairedTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The comparison as one self-contained HTML page: tables, plus Chart.js charts (learning curves per
 * backend, metric bars with 95% intervals, the {@code recommend} latency distribution, training
 * throughput and peak memory). Chart.js is inlined from its WebJar, so the page works offline.
 */
public final class HtmlReport {
    static final String WEBJAR = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";
    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    static final int LATENCY_BINS = 30;
    static final int LOG_BINS_RATIO = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private HtmlReport() {}

    /** The Chart.js version bundled in the WebJar on the class path. */
    public static String chartJsVersion() {
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(WEBJAR)) {
            if (in == null) {
                throw new RecsysException("the Chart.js WebJar (org.webjars.npm:chart.js) is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new RecsysException("cannot read " + WEBJAR + ": " + e.getMessage(), e);
        }
    }

    /** The minified UMD build of Chart.js from the WebJar. */
    static String chartJs() {
        String v = chartJsVersion();
        String path = "META-INF/resources/webjars/chart.js/" + v + "/dist/chart.umd.min.js";
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new RecsysException("the Chart.js WebJar has no " + path);
            }
            String js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return js.replace("</script", "<\\/script");
        } catch (IOException e) {
            throw new RecsysException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** The page. */
    public static String render(CompareReport r) {
        StringBuilder sb = new StringBuilder(300_000);
        sb.append(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n");
        sb.append("<title>recsys compare: ").append(esc(r.dataset())).append("</title>\n");
        sb.append("<style>\n").append(CSS).append("</style>\n");
        sb.append("<script>\n/* Chart.js ")
                .append(chartJsVersion())
                .append(", MIT License, inlined from org.webjars.npm:chart.js */\n")
                .append(chartJs())
                .append("\n</script>\n</head>\n<body>\n");
        sb.append("<h1>Backend comparison: ").append(esc(r.dataset())).append("</h1>\n");
        sb.append("<p class=\"meta\">")
                .append(esc(r.dataSummary()))
                .append(" &middot; fingerprint <code>")
                .append(esc(r.shortFp()))
                .append("</code> &middot; ")
                .append(esc(r.split()))
                .append(" split, ")
                .append(esc(r.target().toLowerCase(Locale.ROOT)))
                .append(" target, ")
                .append(esc(r.protocol()))
                .append(" ranking &middot; seed ")
                .append(r.seed())
                .append(" &middot; isolation: ")
                .append(esc(r.isolation()))
                .append(" &middot; ")
                .append(esc(r.createdAt()))
                .append("</p>\n");
        summaryTable(sb, r);
        sb.append("<p class=\"note\">").append(esc(r.memoryNote())).append("</p>\n");
        sb.append("<div class=\"grid\">\n");
        card(sb, "loss", "Training loss per epoch");
        card(sb, "val", "Validation " + r.ndcgKey() + " per epoch");
        card(sb, "metrics", "Test metrics with 95% bootstrap CI");
        card(sb, "latency", "recommend latency distribution (single thread)");
        card(sb, "speed", "Training throughput (sequences/s)");
        card(sb, "memory", "Peak resident memory (MiB)");
        sb.append("</div>\n");
        differencesTable(sb, r);
        parityTable(sb, r);
        sb.append("<p class=\"meta\">recsys ")
                .append(esc(r.versions().getOrDefault("recsysVersion", "?")))
                .append(" &middot; Java ")
                .append(esc(r.versions().getOrDefault("java", "?")))
                .append(" &middot; ")
                .append(esc(r.versions().getOrDefault("os", "?")))
                .append(" &middot; charts: Chart.js ")
                .append(esc(chartJsVersion()))
                .append("</p>\n");
        sb.append("<script type=\"application/json\" id=\"report-data\">")
                .append(dataJson(r))
                .append("</script>\n");
        sb.append("<script>\n").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static void card(StringBuilder sb, String id, String title) {
        sb.append("<div class=\"card\"><h3>")
                .append(esc(title))
                .append("</h3><div class=\"chart\"><canvas id=\"")
                .append(id)
                .append("\"></canvas></div></div>\n");
    }

    private static void summaryTable(StringBuilder sb, CompareReport r) {
        sb.append("<table>\n<tr><th>backend</th><th>engine</th><th>")
                .append(esc(r.ndcgKey()))
                .append(" (95% CI)</th><th>")
                .append(esc(r.recallKey()))
                .append(" (95% CI)</th><th>mrr</th><th>train seq/s</th><th>train s</th>"
                        + "<th>recommend p50 ms</th><th>p99 ms</th><th>peak RSS MiB</th></tr>\n");
        for (CompareReport.Entry e : r.backends()) {
            RunInfo x = e.run();
            sb.append("<tr><td class=\"l\">")
                    .append(esc(e.label()))
                    .append("</td><td class=\"l\">")
                    .append(esc(x.engine()))
                    .append("</td><td>")
                    .append(esc(ci(e, r.ndcgKey())))
                    .append("</td><td>")
                    .append(esc(ci(e, r.recallKey())))
                    .append("</td><td>")
                    .append(CompareReport.fmt(e.metrics().get("mrr")))
                    .append("</td>")
                    .append(String.format(
                            Locale.ROOT,
                            "<td>%.1f</td><td>%.1f</td><td>%.2f</td><td>%.2f</td><td>%s</td></tr>%n",
                            x.sequencesPerSecond(),
                            x.trainSeconds(),
                            x.latencyP50Ms(),
                            x.latencyP99Ms(),
                            CompareReport.mib(x.peakRssBytes())));
        }
        sb.append("</table>\n");
    }

    private static String ci(CompareReport.Entry e, String key) {
        Double v = e.metrics().get(key);
        double[] c = e.ci().get(key);
        if (v == null) {
            return "-";
        }
        return c == null ? CompareReport.fmt(v) : String.format(Locale.ROOT, "%.4f (%.4f–%.4f)", v, c[0], c[1]);
    }

    private static void differencesTable(StringBuilder sb, CompareReport r) {
        if (r.differences().isEmpty()) {
            return;
        }
        sb.append(
                "<h2>Paired differences</h2>\n<p class=\"note\">Per test user; paired t-test and 95% bootstrap interval of the mean difference.</p>\n");
        sb.append("<table>\n<tr><th>a − b</th><th>metric</th><th>mean diff</th><th>95% CI</th><th>p</th></tr>\n");
        for (CompareReport.Difference d : r.differences()) {
            PairedTest.Comparison c = d.comparison();
            sb.append("<tr><td class=\"l\">")
                    .append(esc(d.a() + " − " + d.b()))
                    .append("</td><td class=\"l\">")
                    .append(esc(c.metric()))
                    .append(String.format(
                            Locale.ROOT,
                            "</td><td>%+.4f</td><td>%+.4f .. %+.4f</td><td>%.3g</td></tr>%n",
                            c.meanDiff(),
                            c.ciLow(),
                            c.ciHigh(),
                            c.pValue()));
        }
        sb.append("</table>\n");
    }

    private static void parityTable(StringBuilder sb, CompareReport r) {
        CompareReport.Parity p = r.parity();
        sb.append("<h2>Parity: <span class=\"")
                .append(p.pass() ? "pass\">PASS" : "fail\">FAIL")
                .append("</span></h2>\n");
        sb.append("<p class=\"note\">")
                .append(esc(String.format(
                        Locale.ROOT,
                        "The model trained by %s, saved and loaded in every backend, scores "
                                + "%d users: stage 1 over the whole catalogue and stage 2 over %d candidates each. Pass when the max absolute difference "
                                + "is below %.0e.",
                        p.reference(),
                        p.rows(),
                        p.candidates(),
                        p.tolerance())));
        if (p.roundTrip() != null) {
            sb.append(esc(String.format(
                    Locale.ROOT, " Save/load round trip in %s: max abs diff %.3e.", p.reference(), p.roundTrip())));
        }
        sb.append(
                "</p>\n<table>\n<tr><th>backend</th><th>stage 1 max abs diff</th><th>stage 2 max abs diff</th><th>pass</th></tr>\n");
        for (CompareReport.ParityRow row : p.results()) {
            sb.append("<tr><td class=\"l\">")
                    .append(esc(row.label()))
                    .append(String.format(
                            Locale.ROOT,
                            "</td><td>%.3e</td><td>%.3e</td>",
                            row.stage1MaxAbsDiff(),
                            row.stage2MaxAbsDiff()))
                    .append("<td class=\"")
                    .append(row.pass() ? "pass\">yes" : "fail\">no")
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n");
    }

    /** The numbers the charts draw, as JSON safe to embed in a script element. */
    static String dataJson(CompareReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ndcgKey", r.ndcgKey());
        m.put("recallKey", r.recallKey());
        List<Object> bs = new ArrayList<>();
        int i = 0;
        for (CompareReport.Entry e : r.backends()) {
            RunInfo x = e.run();
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("label", e.label());
            b.put("color", COLORS[i++ % COLORS.length]);
            b.put("pretrainLosses", x.pretrainLosses());
            b.put("finetuneLosses", x.finetuneLosses());
            b.put("pretrainValidation", x.pretrainValidation());
            b.put("finetuneValidation", x.finetuneValidation());
            b.put("metrics", e.metrics());
            b.put("ci", e.ci());
            b.put("sequencesPerSecond", x.sequencesPerSecond());
            b.put("peakRssMiB", x.peakRssBytes() == null ? null : x.peakRssBytes() / 1048576.0);
            b.put("p50", x.latencyP50Ms());
            b.put("p99", x.latencyP99Ms());
            bs.add(b);
        }
        m.put("backends", bs);
        m.put("latency", histogram(r.backends()));
        m.put("pretrainLoss", lossName(r.config(), "pretrain"));
        m.put("finetuneLoss", lossName(r.config(), "finetune"));
        try {
            return JSON.writeValueAsString(m).replace("</", "<\\/").replace("<!--", "<\\!--");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the chart data", e);
        }
    }

    private static String lossName(Map<String, Object> config, String stage) {
        Object s = config.get(stage);
        return s instanceof Map<?, ?> mm && mm.get("loss") != null ? String.valueOf(mm.get("loss")) : stage;
    }

    /**
     * Shared latency bins over every backend's samples: {@value #LATENCY_BINS} bins from the
     * smallest sample to the largest p99 times 1.5 (slower samples go to the last bin). The bins
     * are equal in width, or equal in ratio (log-spaced) when that range spans more than a factor
     * of {@value #LOG_BINS_RATIO}, so that a fast and a slow backend both show their shape.
     */
    static Map<String, Object> histogram(List<CompareReport.Entry> entries) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        double max = 0;
        for (CompareReport.Entry e : entries) {
            for (double v : e.run().latencyMs()) {
                lo = Math.min(lo, v);
                max = Math.max(max, v);
            }
            hi = Math.max(hi, e.run().latencyP99Ms() * 1.5);
        }
        hi = Math.min(hi, max);
        if (!(hi > lo)) {
            hi = lo + 1e-3;
        }
        boolean log = lo > 0 && hi / lo > LOG_BINS_RATIO;
        double[] edges = new double[LATENCY_BINS + 1];
        for (int b = 0; b <= LATENCY_BINS; b++) {
            double f = (double) b / LATENCY_BINS;
            edges[b] = log ? lo * Math.pow(hi / lo, f) : lo + (hi - lo) * f;
        }
        List<String> labels = new ArrayList<>();
        for (int b = 0; b < LATENCY_BINS; b++) {
            labels.add(String.format(Locale.ROOT, b == LATENCY_BINS - 1 ? "≥%.2f" : "%.2f", edges[b]));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("labels", labels);
        out.put("logBins", log);
        List<int[]> counts = new ArrayList<>();
        for (CompareReport.Entry e : entries) {
            int[] c = new int[LATENCY_BINS];
            for (double v : e.run().latencyMs()) {
                int b = 0;
                while (b < LATENCY_BINS - 1 && v >= edges[b + 1]) {
                    b++;
                }
                c[b]++;
            }
            counts.add(c);
        }
        out.put("counts", counts);
        return out;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px auto; max-width: 1160px; color: #222; }
            h1 { font-size: 1.5em; margin-bottom: 4px; }
            h2 { font-size: 1.2em; margin-top: 28px; }
            h3 { font-size: 0.95em; margin: 4px 0 8px; }
            .meta, .note { color: #555; font-size: 0.88em; }
            table { border-collapse: collapse; font-size: 0.88em; margin: 8px 0; }
            th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
            th { background: #f3f3f3; }
            td.l { text-align: left; }
            .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 16px; }
            .card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; }
            .chart { position: relative; height: 270px; }
            .pass { color: #1a7f37; font-weight: 600; }
            .fail { color: #c62828; font-weight: 600; }
            """;

    private static final String SCRIPT = """
            (function () {
              const D = JSON.parse(document.getElementById('report-data').textContent);
              Chart.defaults.animation = false;
              Chart.defaults.maintainAspectRatio = false;
              Chart.defaults.font.size = 11;
              const B = D.backends;
              function series(values, offset) { return values.map((v, i) => ({x: offset + i + 1, y: v})); }
              function pairs(values, offset) { return values.map(p => ({x: offset + p[0], y: p[1]})); }
              const lossSets = [], valSets = [];
              B.forEach(b => {
                const pre = b.pretrainLosses.length;
                lossSets.push({label: b.label + ' pre-train (' + D.pretrainLoss + ')', data: series(b.pretrainLosses, 0),
                  borderColor: b.color, backgroundColor: b.color, pointRadius: 2, tension: 0.1});
                if (b.finetuneLosses.length) {
                  lossSets.push({label: b.label + ' fine-tune (' + D.finetuneLoss + ')', data: series(b.finetuneLosses, pre),
                    borderColor: b.color, backgroundColor: b.color, borderDash: [6, 4], pointRadius: 2, yAxisID: 'y2'});
                }
                valSets.push({label: b.label + ' pre-train', data: pairs(b.pretrainValidation, 0),
                  borderColor: b.color, backgroundColor: b.color, pointRadius: 3});
                if (b.finetuneValidation.length) {
                  valSets.push({label: b.label + ' fine-tune', data: pairs(b.finetuneValidation, pre),
                    borderColor: b.color, backgroundColor: b.color, borderDash: [6, 4], pointRadius: 3});
                }
              });
              const hasFine = lossSets.some(s => s.yAxisID === 'y2');
              const lossScales = {x: {type: 'linear', title: {display: true, text: 'epoch'}, ticks: {precision: 0}},
                y: {title: {display: true, text: D.pretrainLoss + ' loss'}}};
              if (hasFine) {
                lossScales.y2 = {position: 'right', grid: {drawOnChartArea: false}, title: {display: true, text: D.finetuneLoss + ' loss'}};
              }
              new Chart(document.getElementById('loss'), {type: 'line', data: {datasets: lossSets}, options: {scales: lossScales}});
              new Chart(document.getElementById('val'), {type: 'line', data: {datasets: valSets}, options: {scales: {
                x: {type: 'linear', title: {display: true, text: 'epoch'}, ticks: {precision: 0}},
                y: {title: {display: true, text: 'validation ' + D.ndcgKey}}}}});
              const keys = [D.ndcgKey, D.recallKey, 'mrr'];
              let top = 0;
              const metricSets = B.map(b => {
                const ci = keys.map(k => b.ci[k] || null);
                keys.forEach((k, i) => { top = Math.max(top, b.metrics[k] || 0, ci[i] ? ci[i][1] : 0); });
                return {label: b.label, data: keys.map(k => b.metrics[k]), backgroundColor: b.color + 'b0', borderColor: b.color,
                  borderWidth: 1, ci: ci};
              });
              const errorBars = {id: 'errorBars', afterDatasetsDraw(chart) {
                const ctx = chart.ctx, y = chart.scales.y;
                chart.data.datasets.forEach((ds, i) => {
                  const meta = chart.getDatasetMeta(i);
                  if (!ds.ci || meta.hidden) return;
                  meta.data.forEach((bar, j) => {
                    const c = ds.ci[j];
                    if (!c) return;
                    const lo = y.getPixelForValue(c[0]), hi = y.getPixelForValue(c[1]);
                    ctx.save(); ctx.strokeStyle = '#222'; ctx.lineWidth = 1.4; ctx.beginPath();
                    ctx.moveTo(bar.x, lo); ctx.lineTo(bar.x, hi);
                    ctx.moveTo(bar.x - 5, lo); ctx.lineTo(bar.x + 5, lo);
                    ctx.moveTo(bar.x - 5, hi); ctx.lineTo(bar.x + 5, hi);
                    ctx.stroke(); ctx.restore();
                  });
                });
              }};
              new Chart(document.getElementById('metrics'), {type: 'bar', data: {labels: keys, datasets: metricSets},
                options: {scales: {y: {beginAtZero: true, suggestedMax: top * 1.1}}}, plugins: [errorBars]});
              new Chart(document.getElementById('latency'), {type: 'bar', data: {labels: D.latency.labels,
                datasets: B.map((b, i) => ({label: b.label + ' (p50 ' + b.p50.toFixed(2) + ' ms, p99 ' + b.p99.toFixed(2) + ' ms)',
                  data: D.latency.counts[i], backgroundColor: b.color + '90', borderColor: b.color, borderWidth: 1}))},
                options: {scales: {x: {title: {display: true, text: 'latency (ms, bin start' + (D.latency.logBins ? ', log-spaced bins)' : ')')}}, y: {title: {display: true, text: 'calls'}}}}});
              new Chart(document.getElementById('speed'), {type: 'bar', data: {labels: B.map(b => b.label),
                datasets: [{label: 'pre-training sequences/s', data: B.map(b => b.sequencesPerSecond), backgroundColor: B.map(b => b.color)}]},
                options: {indexAxis: 'y', plugins: {legend: {display: false}}}});
              new Chart(document.getElementById('memory'), {type: 'bar', data: {labels: B.map(b => b.label),
                datasets: [{label: 'peak RSS MiB', data: B.map(b => b.peakRssMiB), backgroundColor: B.map(b => b.color)}]},
                options: {indexAxis: 'y', plugins: {legend: {display: false}}}});
            })();
            """;
}
