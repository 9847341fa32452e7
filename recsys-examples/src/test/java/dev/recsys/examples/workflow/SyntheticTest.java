package dev.recsys.examples.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetStats;
import org.junit.jupiter.api.Test;

class SyntheticTest {
    @Test
    void shortTailedLengthsHaveTheAskedMedianAndALongTail() {
        Dataset d = DataSource.load("synthetic:users=6000,items=23700,medianLength=6,seed=7", null, null);
        DatasetStats s = DatasetStats.of(d);
        assertThat(s.users()).isEqualTo(6000);
        assertThat(s.items()).isEqualTo(23_700); // every item kept, interacted with or not
        assertThat(s.median()).isEqualTo(6);
        assertThat(s.minLength()).isEqualTo(5);
        // log-normal with spread 0.85: p99 = 6 exp(2.33 * 0.85) = 43.6; mean 6 exp(0.85^2 / 2) = 8.6 before the floor
        assertThat(s.p99()).isBetween(38, 50);
        assertThat(s.mean()).isBetween(8.5, 10.5);
        assertThat(DataRecipe.maxLen(s.p99())).isIn(40, 50);
    }

    @Test
    void sequencesArePrefixesOfTheGeneratorsAndTheSameSeedGivesTheSameData() {
        Dataset shaped = DataSource.load("synthetic:users=300,items=600,medianLength=5,seed=3", null, null);
        Dataset full = DataSource.load("synthetic:users=300,items=600,length=80,seed=3", null, null);
        for (int u = 1; u <= 300; u++) {
            int[] h = shaped.history(u);
            assertThat(h.length).isGreaterThanOrEqualTo(5);
            assertThat(java.util.Arrays.copyOf(full.history(u), h.length)).containsExactly(h);
        }
        Dataset again = DataSource.load("synthetic:users=300,items=600,medianLength=5,seed=3", null, null);
        assertThat(again.numInteractions()).isEqualTo(shaped.numInteractions());
        assertThat(again.history(17)).containsExactly(shaped.history(17));
        Dataset other = DataSource.load("synthetic:users=300,items=600,medianLength=5,seed=4", null, null);
        assertThat(other.numInteractions()).isNotEqualTo(shaped.numInteractions());
    }

    @Test
    void contradictoryOrOutOfRangeOptionsAreClearErrors() {
        java.util.Map<String, String> bad = java.util.Map.of(
                "synthetic:length=10,medianLength=6", "not both",
                "synthetic:lengthSpread=0.5", "need medianLength",
                "synthetic:medianLength=3", "minLength >= 4",
                "synthetic:medianLength=6,lengthSpread=-1", "lengthSpread must be in [0, 3]",
                "synthetic:mediam=6", "known: users, items, length, series, seed, medianLength");
        bad.forEach((spec, message) -> assertThatThrownBy(() -> DataSource.load(spec, null, null))
                .as(spec)
                .isInstanceOf(DataException.class)
                .hasMessageContaining(message));
    }
}
