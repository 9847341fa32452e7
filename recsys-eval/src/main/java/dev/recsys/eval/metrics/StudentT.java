package dev.recsys.eval.metrics;

/**
 * Student's t distribution through the regularized incomplete beta function
 * (continued fraction of Numerical Recipes, 3rd ed., section 6.4; log-gamma by Lanczos' approximation,
 * g = 7, n = 9, accurate to about 1e-15).
 */
public final class StudentT {
    private static final double[] LANCZOS = {
        0.99999999999980993,
        676.5203681218851,
        -1259.1392167224028,
        771.32342877765313,
        -176.61502916214059,
        12.507343278686905,
        -0.13857109526572012,
        9.9843695780195716e-6,
        1.5056327351493116e-7
    };

    private StudentT() {}

    /** ln Γ(x) for x &gt; 0. */
    public static double logGamma(double x) {
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        x -= 1;
        double a = LANCZOS[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            a += LANCZOS[i] / (x + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
    }

    /** Regularized incomplete beta I_x(a, b) for 0 &le; x &le; 1, a, b &gt; 0. */
    public static double regularizedBeta(double x, double a, double b) {
        if (x < 0 || x > 1 || a <= 0 || b <= 0 || Double.isNaN(x)) {
            throw new IllegalArgumentException("need 0 <= x <= 1 and a, b > 0, found x=" + x + ", a=" + a + ", b=" + b);
        }
        if (x == 0 || x == 1) {
            return x;
        }
        double lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(lbt) * betaContinuedFraction(x, a, b) / a;
        }
        return 1 - Math.exp(lbt) * betaContinuedFraction(1 - x, b, a) / b;
    }

    private static double betaContinuedFraction(double x, double a, double b) {
        final double fpmin = 1e-300;
        final double eps = 1e-15;
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        if (Math.abs(d) < fpmin) {
            d = fpmin;
        }
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 10_000; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < fpmin) {
                d = fpmin;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < fpmin) {
                c = fpmin;
            }
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < fpmin) {
                d = fpmin;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < fpmin) {
                c = fpmin;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < eps) {
                return h;
            }
        }
        return h;
    }

    /** P(T &le; t) for Student's t with {@code df} degrees of freedom. */
    public static double cdf(double t, double df) {
        if (df <= 0) {
            throw new IllegalArgumentException("degrees of freedom must be > 0, found " + df);
        }
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return t > 0 ? 1 : 0;
        }
        double tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
        return t > 0 ? 1 - tail : tail;
    }

    /** Two-sided p-value P(|T| &ge; |t|). */
    public static double twoSidedP(double t, double df) {
        if (df <= 0) {
            throw new IllegalArgumentException("degrees of freedom must be > 0, found " + df);
        }
        if (Double.isInfinite(t)) {
            return 0;
        }
        return regularizedBeta(df / (df + t * t), df / 2, 0.5);
    }
}
