package dev.recsys.eval.metrics;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The immutable result of one evaluation run: what was measured (dataset, split, target, protocol
 * label, cut-offs), the mean metrics, and per-user values so that two runs can be compared with a
 * paired test ({@link PairedTest}).
 *
 * <p>Metric keys: {@code ndcg@K}, {@code recall@K}, {@code hr@K}, {@code precision@K},
 * {@code map@K}, {@code popularity@K} for each cut-off K (per-user values kept), {@code mrr}
 * (per-user), and {@code coverage@K} (catalogue-level only). Accessors return copies.
 */
public final class EvalResult {
    private final String dataset;
    private final String split;
    private final String target;
    private final String protocol;
    private final int[] ks;
    private final Map<String, Double> metrics;
    private final int[] users;
    private final Map<String, double[]> perUser;
    private final int usersSkipped;
    private final double seconds;

    /**
     * @param dataset      dataset name
     * @param split        split name
     * @param target       "VALIDATION" or "TEST"
     * @param protocol     protocol label, e.g. {@code full} or {@code sampled(n=100,uniform,seed=42)}
     * @param ks           cut-offs
     * @param metrics      mean metrics
     * @param users        evaluated users (dense ids, increasing)
     * @param perUser      per-user values, aligned with {@code users}
     * @param usersSkipped users without a target
     * @param seconds      wall time of the evaluation
     */
    public EvalResult(
            String dataset,
            String split,
            String target,
            String protocol,
            int[] ks,
            Map<String, Double> metrics,
            int[] users,
            Map<String, double[]> perUser,
            int usersSkipped,
            double seconds) {
        if (protocol == null || protocol.isBlank()) {
            throw new IllegalArgumentException("every result must carry its protocol label");
        }
        for (Map.Entry<String, double[]> e : perUser.entrySet()) {
            if (e.getValue().length != users.length) {
                throw new IllegalArgumentException(
                        "per-user values of " + e.getKey() + " must have one entry per evaluated user (" + users.length
                                + "), found " + e.getValue().length);
            }
        }
        for (int i = 1; i < users.length; i++) {
            if (users[i] <= users[i - 1]) {
                throw new IllegalArgumentException(
                        "evaluated users must be strictly increasing, found " + users[i - 1] + " then " + users[i]);
            }
        }
        this.dataset = dataset;
        this.split = split;
        this.target = target;
        this.protocol = protocol;
        this.ks = ks.clone();
        this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        this.users = users.clone();
        Map<String, double[]> pu = new LinkedHashMap<>();
        perUser.forEach((k, v) -> pu.put(k, v.clone()));
        this.perUser = pu;
        this.usersSkipped = usersSkipped;
        this.seconds = seconds;
    }

    public String dataset() {
        return dataset;
    }

    public String split() {
        return split;
    }

    public String target() {
        return target;
    }

    /** The protocol label every reported number carries. */
    public String protocol() {
        return protocol;
    }

    public int[] ks() {
        return ks.clone();
    }

    /** Mean metrics (unmodifiable), keys as in the class comment. */
    public Map<String, Double> metrics() {
        return metrics;
    }

    /** Mean of {@code key}; fails with the known keys when absent. */
    public double metric(String key) {
        Double v = metrics.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no metric '" + key + "'; known: " + metrics.keySet());
        }
        return v;
    }

    /** Evaluated users (a copy). */
    public int[] users() {
        return users.clone();
    }

    /** Per-user values of {@code key} aligned with {@link #users()} (a copy). */
    public double[] perUser(String key) {
        double[] v = perUser.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no per-user values for '" + key + "'; known: " + perUser.keySet());
        }
        return v.clone();
    }

    /** Keys that have per-user values. */
    public java.util.Set<String> perUserKeys() {
        return Collections.unmodifiableSet(perUser.keySet());
    }

    public int usersEvaluated() {
        return users.length;
    }

    public int usersSkipped() {
        return usersSkipped;
    }

    public double seconds() {
        return seconds;
    }

    /** One line: labels, then the metrics. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(dataset)
                .append(" | ")
                .append(split)
                .append(" | target=")
                .append(target)
                .append(" | ")
                .append(protocol)
                .append(" | users ")
                .append(users.length)
                .append(" (skipped ")
                .append(usersSkipped)
                .append(") |");
        metrics.forEach((k, v) -> sb.append(' ').append(k).append('=').append(String.format(Locale.ROOT, "%.4f", v)));
        return sb.toString();
    }

    @Override
    public String toString() {
        return "EvalResult[" + summary() + ", ks=" + Arrays.toString(ks) + "]";
    }
}
