package dev.recsys.examples.cli;

import dev.recsys.eval.metrics.EvalResult;
import java.util.List;
import java.util.Locale;

/** Plain-text (Markdown-compatible) tables of metrics. */
final class Tables {
    private Tables() {}

    /** At most 100 characters of user input for an error line (a 1 MB argument is not echoed back). */
    static String quote(String s) {
        return s.length() <= 100 ? s : s.substring(0, 97) + "... (" + s.length() + " characters)";
    }

    /** One result: a row per metric family, a column per K. */
    static String metrics(EvalResult r, int[] ks) {
        StringBuilder sb = new StringBuilder();
        sb.append("| metric |");
        for (int k : ks) {
            sb.append(" @").append(k).append(" |");
        }
        sb.append('\n').append("|---|");
        for (int ignored : ks) {
            sb.append("---|");
        }
        sb.append('\n');
        for (String m : List.of("ndcg", "recall", "hr", "map", "precision", "coverage", "popularity")) {
            if (!r.metrics().containsKey(m + "@" + ks[0])) {
                continue;
            }
            sb.append("| ").append(m).append(" |");
            for (int k : ks) {
                Double v = r.metrics().get(m + "@" + k);
                sb.append(v == null ? " - |" : String.format(Locale.ROOT, " %.4f |", v));
            }
            sb.append('\n');
        }
        if (r.metrics().containsKey("mrr")) {
            sb.append(String.format(Locale.ROOT, "| mrr | %.4f |", r.metrics().get("mrr")));
            sb.append(" |".repeat(Math.max(0, ks.length - 1))).append('\n');
        }
        sb.append(String.format(
                Locale.ROOT,
                "(%d users evaluated, %d skipped, %.2f s)",
                r.usersEvaluated(),
                r.usersSkipped(),
                r.seconds()));
        return sb.toString();
    }

    /** Several named results side by side for a few metrics. */
    static String compare(List<String> names, List<EvalResult> results, List<String> metrics) {
        StringBuilder sb = new StringBuilder("| model |");
        metrics.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append("\n|---|");
        metrics.forEach(m -> sb.append("---:|"));
        sb.append('\n');
        for (int i = 0; i < names.size(); i++) {
            sb.append("| ").append(names.get(i)).append(" |");
            for (String m : metrics) {
                Double v = results.get(i).metrics().get(m);
                sb.append(v == null ? " - |" : String.format(Locale.ROOT, " %.4f |", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
