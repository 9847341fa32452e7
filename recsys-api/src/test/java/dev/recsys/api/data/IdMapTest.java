package dev.recsys.api.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdMapTest {

    @Test
    void denseIdsFollowFirstAppearanceStartingAtOne() {
        IdMap m = IdMap.ofLongs();
        assertThat(m.add(5988L)).isEqualTo(1);
        assertThat(m.add(17L)).isEqualTo(2);
        assertThat(m.add(5988L)).isEqualTo(1);
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.externalLong(2)).isEqualTo(17L);
        assertThat(m.get(99L)).isZero();
        assertThat(m.get("17")).isEqualTo(2);
    }

    @Test
    void manyLongKeysSurviveRehashingIncludingNegativeAndHugeOnes() {
        IdMap m = IdMap.ofLongs();
        Random r = new Random(7);
        long[] keys = new long[50_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = i % 3 == 0 ? -i : r.nextLong();
        }
        keys[1] = Long.MAX_VALUE;
        keys[2] = Long.MIN_VALUE;
        for (int i = 0; i < keys.length; i++) {
            assertThat(m.add(keys[i])).isEqualTo(i + 1);
        }
        for (int i = 0; i < keys.length; i++) {
            assertThat(m.get(keys[i])).isEqualTo(i + 1);
            assertThat(m.externalLong(i + 1)).isEqualTo(keys[i]);
        }
    }

    @Test
    void stringKeysRoundTripThroughTheListExport() {
        IdMap m = IdMap.ofStrings();
        m.add("tt0114709");
        m.add("Misérables");
        m.add("");
        IdMap back = IdMap.fromList(IdMap.KeyType.STRING, m.toList());
        assertThat(back.toList()).containsExactly("tt0114709", "Misérables", "");
        assertThat(back.get("Misérables")).isEqualTo(2);
        assertThat(back.isFrozen()).isTrue();
    }

    @Test
    void longKeysRoundTripThroughTheListExport() {
        IdMap m = IdMap.fromLongs(new long[] {30, 10, 20});
        IdMap back = IdMap.fromList(IdMap.KeyType.LONG, m.toList());
        assertThat(back.toList()).containsExactly("30", "10", "20");
        assertThat(back.get(20L)).isEqualTo(3);
        assertThatThrownBy(() -> IdMap.fromList(IdMap.KeyType.LONG, List.of("1", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found 'x'");
    }

    @Test
    void frozenMapsRefuseNewKeysButStillAnswerKnownOnes() {
        IdMap m = IdMap.identity(3);
        assertThat(m.add(2L)).isEqualTo(2);
        assertThatThrownBy(() -> m.add(4L))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("frozen");
        assertThat(m.get(3L)).isEqualTo(3);
    }

    @Test
    void wrongKeyTypeAndOutOfRangeDenseIdsFailClearly() {
        IdMap m = IdMap.ofStrings();
        m.add("a");
        assertThatThrownBy(() -> m.add(1L))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STRING keys");
        assertThatThrownBy(() -> m.external(0)).hasMessageContaining("1..1, found 0");
        assertThatThrownBy(() -> IdMap.fromLongs(new long[] {1, 1})).hasMessageContaining("duplicate external id 1");
    }

    @Test
    void selectRenumbersTheChosenIdsInOrder() {
        IdMap m = IdMap.fromLongs(new long[] {100, 200, 300, 400});
        IdMap s = m.select(new int[] {4, 2});
        assertThat(s.toList()).containsExactly("400", "200");
        assertThat(s.get(200L)).isEqualTo(2);
        assertThat(s.get(100L)).isZero();
    }
}
