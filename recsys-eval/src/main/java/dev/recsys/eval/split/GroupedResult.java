package dev.recsys.eval.split;

import dev.recsys.eval.metrics.EvalResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A result of the cold-start items protocol in three groups of users: those whose target is warm,
 * those whose target is cold, and all of them. Each group is an {@link EvalResult} with its own
 * per-user values (so a paired test runs per group) and means over its users; coverage@K, which
 * is not a per-user value, is kept for {@code all} only.
 *
 * @param warm users whose target item was seen in training
 * @param cold users whose target item is cold
 * @param all  every evaluated user (the result as computed)
 */
public record GroupedResult(EvalResult warm, EvalResult cold, EvalResult all) {
    /** Names of the groups, in report order. */
    public static final List<String> GROUPS = List.of("warm", "cold", "all");

    /** Splits {@code all} (evaluated on {@code split} for {@code target}) by whether each user's target is cold. */
    public static GroupedResult of(EvalResult all, Split split, Target target, ColdItems coldItems) {
        Target t = Target.valueOf(all.target());
        if (t != target) {
            throw new IllegalArgumentException("the result is for " + all.target() + ", not " + target);
        }
        boolean[] cold = coldItems.mask();
        return new GroupedResult(subset(all, split, t, cold, false), subset(all, split, t, cold, true), all);
    }

    /** The group by name ({@link #GROUPS}). */
    public EvalResult group(String name) {
        return switch (name) {
            case "warm" -> warm;
            case "cold" -> cold;
            case "all" -> all;
            default -> throw new IllegalArgumentException("unknown group '" + name + "'; known: " + GROUPS);
        };
    }

    private static EvalResult subset(EvalResult r, Split split, Target t, boolean[] cold, boolean wantCold) {
        int[] users = r.users();
        List<Integer> rows = new ArrayList<>();
        for (int q = 0; q < users.length; q++) {
            if (cold[split.target(users[q], t)] == wantCold) {
                rows.add(q);
            }
        }
        int[] us = new int[rows.size()];
        for (int q = 0; q < us.length; q++) {
            us[q] = users[rows.get(q)];
        }
        Map<String, double[]> per = new LinkedHashMap<>();
        Map<String, Double> means = new LinkedHashMap<>();
        for (String k : r.perUserKeys()) {
            double[] all = r.perUser(k);
            double[] v = new double[us.length];
            for (int q = 0; q < v.length; q++) {
                v[q] = all[rows.get(q)];
            }
            per.put(k, v);
        }
        for (String k : r.metrics().keySet()) {
            if (per.containsKey(k)) {
                double[] v = per.get(k);
                double sum = 0;
                for (double x : v) {
                    sum += x;
                }
                means.put(k, v.length == 0 ? 0.0 : sum / v.length);
            }
        }
        return new EvalResult(
                r.dataset(),
                r.split() + (wantCold ? "/cold-targets" : "/warm-targets"),
                r.target(),
                r.protocol(),
                r.ks(),
                means,
                us,
                per,
                r.usersSkipped() + (users.length - us.length),
                r.seconds());
    }
}
