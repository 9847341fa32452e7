package dev.recsys.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.Sampling;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {
    @Test
    void neverReturnsThePositive() {
        NegativeSampler s = new NegativeSampler(2, Sampling.UNIFORM, null);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(s.sample(r, 1)).isEqualTo(2);
        }
    }

    @Test
    void popularitySamplingFollowsSmoothedCounts() {
        // counts 0, 9, 0, 29 -> smoothed weights items 1..3 = 10, 1, 30 (sum 41)
        NegativeSampler s = new NegativeSampler(3, Sampling.POPULARITY, new long[] {0, 9, 0, 29});
        SplittableRandom r = new SplittableRandom(7);
        int[] hits = new int[4];
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            hits[s.sample(r, 0)]++;
        }
        assertThat(hits[0]).isZero();
        assertThat(hits[1] / (double) n).isCloseTo(10 / 41.0, within(0.005));
        assertThat(hits[2] / (double) n).isCloseTo(1 / 41.0, within(0.003));
        assertThat(hits[3] / (double) n).isCloseTo(30 / 41.0, within(0.005));
        assertThat(s.logQ(3)).isCloseTo((float) Math.log(30 / 41.0), within(1e-6f));
    }

    @Test
    void uniformLogQIsMinusLogN() {
        NegativeSampler s = new NegativeSampler(8, Sampling.UNIFORM, null);
        assertThat(s.logQ(5)).isCloseTo((float) -Math.log(8), within(1e-6f));
    }
}
