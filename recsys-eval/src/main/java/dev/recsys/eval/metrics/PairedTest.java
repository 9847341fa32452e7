package dev.recsys.eval.metrics;

import java.util.SplittableRandom;

/**
 * Paired comparison of two evaluation runs over the same users: "is this difference real?". The
 * per-user differences {@code d_u = a_u - b_u} over the users both runs evaluated give
 * <ul>
 *   <li>the mean difference and the paired t statistic {@code t = mean(d) / (sd(d) / sqrt(n))}
 *       (sd with n - 1), with a two-sided p-value from Student's t with n - 1 degrees of freedom;</li>
 *   <li>a seeded percentile bootstrap confidence interval of the mean difference (users resampled
 *       with replacement; Efron &amp; Tibshirani 1993, ch. 13).</li>
 * </ul>
 * The runs must carry the same dataset, split, target and protocol labels: a number measured under
 * another protocol is not comparable.
 */
public final class PairedTest {
    private PairedTest() {}

    /**
     * The comparison's outcome.
     *
     * @param metric     metric key
     * @param users      paired users n
     * @param meanA      mean of run a over the paired users
     * @param meanB      mean of run b over the paired users
     * @param meanDiff   mean of a - b
     * @param t          paired t statistic (0 when all differences are 0)
     * @param df         degrees of freedom n - 1
     * @param pValue     two-sided p-value
     * @param ciLow      lower end of the bootstrap interval of the mean difference
     * @param ciHigh     upper end
     * @param confidence interval level, e.g. 0.95
     * @param resamples  bootstrap resamples
     * @param seed       bootstrap seed
     */
    public record Comparison(
            String metric,
            int users,
            double meanA,
            double meanB,
            double meanDiff,
            double t,
            int df,
            double pValue,
            double ciLow,
            double ciHigh,
            double confidence,
            int resamples,
            long seed) {
        /** One line. */
        public String summary() {
            return String.format(
                    java.util.Locale.ROOT,
                    "%s: a=%.4f b=%.4f diff=%+.4f (%.0f%% CI %+.4f..%+.4f), t=%.3f, df=%d, p=%.4g, n=%d",
                    metric,
                    meanA,
                    meanB,
                    meanDiff,
                    confidence * 100,
                    ciLow,
                    ciHigh,
                    t,
                    df,
                    pValue,
                    users);
        }
    }

    /** Compares with a 95% interval, 2,000 resamples and seed 42. */
    public static Comparison compare(EvalResult a, EvalResult b, String metric) {
        return compare(a, b, metric, 0.95, 2000, 42L);
    }

    /** Compares {@code a} and {@code b} on {@code metric}. */
    public static Comparison compare(
            EvalResult a, EvalResult b, String metric, double confidence, int resamples, long seed) {
        requireSame("dataset", a.dataset(), b.dataset());
        requireSame("split", a.split(), b.split());
        requireSame("target", a.target(), b.target());
        requireSame("protocol", a.protocol(), b.protocol());
        int[] ua = a.users();
        int[] ub = b.users();
        double[] va = a.perUser(metric);
        double[] vb = b.perUser(metric);
        int n = 0;
        double[] xa = new double[Math.min(ua.length, ub.length)];
        double[] xb = new double[xa.length];
        int i = 0;
        int j = 0;
        while (i < ua.length && j < ub.length) {
            if (ua[i] == ub[j]) {
                xa[n] = va[i++];
                xb[n] = vb[j++];
                n++;
            } else if (ua[i] < ub[j]) {
                i++;
            } else {
                j++;
            }
        }
        return compare(
                metric, java.util.Arrays.copyOf(xa, n), java.util.Arrays.copyOf(xb, n), confidence, resamples, seed);
    }

    /** Compares paired samples {@code a[i]}, {@code b[i]}. */
    public static Comparison compare(
            String metric, double[] a, double[] b, double confidence, int resamples, long seed) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "paired samples must have the same length, found " + a.length + " and " + b.length);
        }
        int n = a.length;
        if (n < 2) {
            throw new IllegalArgumentException("a paired test needs at least 2 paired users, found " + n);
        }
        if (!(confidence > 0 && confidence < 1) || resamples < 1) {
            throw new IllegalArgumentException(
                    "need 0 < confidence < 1 and resamples >= 1, found " + confidence + ", " + resamples);
        }
        double[] d = new double[n];
        double sa = 0;
        double sb = 0;
        double sd = 0;
        for (int i = 0; i < n; i++) {
            d[i] = a[i] - b[i];
            sa += a[i];
            sb += b[i];
            sd += d[i];
        }
        double mean = sd / n;
        double ss = 0;
        for (double v : d) {
            ss += (v - mean) * (v - mean);
        }
        double sdev = Math.sqrt(ss / (n - 1));
        double t;
        double p;
        if (sdev == 0) {
            t = mean == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, mean);
            p = mean == 0 ? 1 : 0;
        } else {
            t = mean / (sdev / Math.sqrt(n));
            p = StudentT.twoSidedP(t, n - 1);
        }
        double[] boot = new double[resamples];
        SplittableRandom r = new SplittableRandom(seed);
        for (int k = 0; k < resamples; k++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += d[r.nextInt(n)];
            }
            boot[k] = s / n;
        }
        java.util.Arrays.sort(boot);
        double alpha = (1 - confidence) / 2;
        double lo = quantile(boot, alpha);
        double hi = quantile(boot, 1 - alpha);
        return new Comparison(metric, n, sa / n, sb / n, mean, t, n - 1, p, lo, hi, confidence, resamples, seed);
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        double f = pos - lo;
        return sorted[lo] * (1 - f) + sorted[hi] * f;
    }

    private static void requireSame(String what, String a, String b) {
        if (!java.util.Objects.equals(a, b)) {
            throw new IllegalArgumentException(
                    "cannot pair runs with different " + what + ": '" + a + "' vs '" + b + "'");
        }
    }
}
