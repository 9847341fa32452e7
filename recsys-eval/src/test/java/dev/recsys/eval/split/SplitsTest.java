package dev.recsys.eval.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DelimitedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitsTest {

    /** u1: a(1) b(2) c(3) d(3) -- c and d tie; u2: a(5) e(6); u3: b(1) c(10) e(20). */
    private static Dataset data(Path dir) throws Exception {
        Path f = dir.resolve("x.csv");
        Files.writeString(
                f,
                "u,i,t,r\n1,a,1,5\n1,b,2,4\n1,c,3,3\n1,d,3,2\n2,a,5,1\n2,e,6,2\n3,b,1,5\n3,c,10,4\n3,e,20,3\n",
                StandardCharsets.UTF_8);
        return DelimitedReader.builder()
                .user("u")
                .item("i")
                .timestamp("t")
                .rating("r")
                .build()
                .read(f);
    }

    @Test
    void leaveOneOutTakesTheLastTwoItemsWithTiesInInputOrder(@TempDir Path dir) throws Exception {
        Dataset d = data(dir);
        Split s = LeaveOneOut.split(d);
        int a = d.itemIds().get("a");
        int b = d.itemIds().get("b");
        int c = d.itemIds().get("c");
        int dd = d.itemIds().get("d");
        int e = d.itemIds().get("e");
        assertThat(s.train()[1]).containsExactly(a, b);
        assertThat(s.validation()[1]).isEqualTo(c);
        assertThat(s.test()[1]).isEqualTo(dd);
        assertThat(s.trainRatings()[1]).containsExactly(5f, 4f);
        // fewer than 3 interactions: all training, no targets (SASRec's rule)
        assertThat(s.train()[2]).containsExactly(a, e);
        assertThat(s.validation()[2]).isZero();
        assertThat(s.test()[2]).isZero();
        assertThat(s.history(1, Target.TEST)).containsExactly(a, b, c);
        assertThat(s.history(1, Target.VALIDATION)).containsExactly(a, b);
        assertThat(s.usersWithTarget(Target.TEST)).isEqualTo(2);
    }

    @Test
    void trainingSequencesNeverContainAUsersHeldOutItems(@TempDir Path dir) throws Exception {
        Split s = LeaveOneOut.split(data(dir));
        for (int u = 1; u <= s.numUsers(); u++) {
            assertThat(s.train()[u].length + (s.validation()[u] != 0 ? 1 : 0) + (s.test()[u] != 0 ? 1 : 0))
                    .isEqualTo(data(dir).length(u));
        }
        assertThat(s.trainInteractions()).isEqualTo(9 - 4);
    }

    @Test
    void temporalSplitUsesGlobalCutOffs(@TempDir Path dir) throws Exception {
        Dataset d = data(dir);
        Split s = TemporalSplit.split(d, 3, 10, "t");
        int a = d.itemIds().get("a");
        int b = d.itemIds().get("b");
        int c = d.itemIds().get("c");
        int e = d.itemIds().get("e");
        // u1: train a, b (t < 3); validation: first in [3, 10) = c; no test (nothing >= 10)
        assertThat(s.train()[1]).containsExactly(a, b);
        assertThat(s.validation()[1]).isEqualTo(c);
        assertThat(s.test()[1]).isZero();
        // u2: nothing before 3 -> no targets
        assertThat(s.train()[2]).isEmpty();
        assertThat(s.validation()[2]).isZero();
        assertThat(s.test()[2]).isZero();
        // u3: train b; nothing in [3, 10); test: first at or after 10 = c
        assertThat(s.train()[3]).containsExactly(b);
        assertThat(s.validation()[3]).isZero();
        assertThat(s.test()[3]).isEqualTo(c);
        assertThat(e).isPositive();
        assertThatThrownBy(() -> TemporalSplit.split(d, 0.5, 0.6))
                .hasMessageContaining("valFraction + testFraction < 1");
    }

    @Test
    void randomHoldoutIsSeededExactAndDisjoint(@TempDir Path dir) throws Exception {
        Dataset d = data(dir);
        RandomHoldout.Holdout h = RandomHoldout.split(d, 1 / 3.0, 5);
        assertThat(h.test()).hasSize(3);
        assertThat(h.train()).hasSize(6);
        java.util.Set<Integer> all = new java.util.HashSet<>();
        for (int k : h.train()) {
            all.add(k);
        }
        for (int k : h.test()) {
            assertThat(all.add(k)).isTrue();
        }
        assertThat(all).hasSize(9);
        assertThat(RandomHoldout.split(d, 1 / 3.0, 5).test()).containsExactly(h.test());
    }
}
