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

    @Test
    void heldOutItemsAreNeverDrawnAndHaveNoProbability() {
        boolean[] held = new boolean[6];
        held[2] = true;
        held[5] = true;
        SplittableRandom r = new SplittableRandom(3);
        for (Sampling sampling : new Sampling[] {Sampling.UNIFORM, Sampling.POPULARITY, Sampling.UNSEEN}) {
            NegativeSampler s = new NegativeSampler(5, sampling, new long[] {0, 4, 9, 0, 1, 7}, held);
            int[] hits = new int[6];
            for (int i = 0; i < 20_000; i++) {
                hits[s.sample(r, 0)]++;
                hits[s.sampleAny(r)]++;
            }
            assertThat(hits[2]).as(sampling.name()).isZero();
            assertThat(hits[5]).as(sampling.name()).isZero();
            assertThat(hits[1]).as(sampling.name()).isPositive();
            assertThat(hits[3]).as(sampling.name()).isPositive();
            assertThat(s.logQ(2)).isEqualTo(Float.NEGATIVE_INFINITY);
        }
        // uniform over the 3 drawable items; popularity over smoothed counts 5, 1, 2 of items 1, 3, 4
        assertThat(new NegativeSampler(5, Sampling.UNIFORM, null, held).logQ(1))
                .isCloseTo((float) -Math.log(3), within(1e-6f));
        assertThat(new NegativeSampler(5, Sampling.POPULARITY, new long[] {0, 4, 9, 0, 1, 7}, held).logQ(1))
                .isCloseTo((float) Math.log(5 / 8.0), within(1e-6f));
    }
}
