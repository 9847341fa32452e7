package dev.recsys.api.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {

    private static Vocabulary.Builder counts() {
        Vocabulary.Builder b = Vocabulary.builder();
        b.add("comedy", 5).add("drama", 5).add("war", 2).add("rare");
        return b;
    }

    @Test
    void reservedIdsComeFirstThenTokensByDecreasingCountThenByName() {
        Vocabulary v = counts().build(1);
        assertThat(v.tokens()).containsExactly("[PAD]", "[ITEM]", "[UNK]", "comedy", "drama", "war", "rare");
        assertThat(v.id("comedy")).isEqualTo(3);
        assertThat(v.id("drama")).isEqualTo(4);
        assertThat(v.token(6)).isEqualTo("rare");
        assertThat(v.size()).isEqualTo(7);
    }

    @Test
    void minCountAndMaxSizeCapTheTable() {
        assertThat(counts().build(2).tokens()).containsExactly("[PAD]", "[ITEM]", "[UNK]", "comedy", "drama", "war");
        assertThat(counts().build(1, 5).tokens()).containsExactly("[PAD]", "[ITEM]", "[UNK]", "comedy", "drama");
    }

    @Test
    void unknownTokensMapToUnk() {
        Vocabulary v = counts().build(2);
        assertThat(v.id("rare")).isEqualTo(Vocabulary.UNK);
        assertThat(v.contains("rare")).isFalse();
        assertThat(v.encode(List.of("war", "nope", "comedy"))).containsExactly(5, 2, 3);
    }

    @Test
    void exportThenImportGivesAnEqualVocabulary() {
        Vocabulary v = counts().build(1);
        Vocabulary back = Vocabulary.fromTokens(v.tokens());
        assertThat(back).isEqualTo(v);
        assertThat(back.id("war")).isEqualTo(v.id("war"));
    }

    @Test
    void importRefusesListsWithoutTheReservedPrefixOrWithDuplicates() {
        assertThatThrownBy(() -> Vocabulary.fromTokens(List.of("a", "b", "c")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[PAD], [ITEM], [UNK]");
        assertThatThrownBy(() -> Vocabulary.fromTokens(List.of("[PAD]", "[ITEM]", "[UNK]", "x", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate token 'x'");
    }

    @Test
    void reservedTokenStringsCannotBeCounted() {
        assertThatThrownBy(() -> Vocabulary.builder().add("[UNK]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Vocabulary.builder().build(0)).hasMessageContaining("minCount must be >= 1, found 0");
    }

    @Test
    void reservedIdsMatchTheItemContentConstants() {
        assertThat(Vocabulary.PAD).isEqualTo(ItemContent.PAD);
        assertThat(Vocabulary.ITEM).isEqualTo(ItemContent.MARKER);
        assertThat(Vocabulary.empty().size()).isEqualTo(3);
    }
}
