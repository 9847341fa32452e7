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

    @Test
    void bucketsFollowTheTableAndTakeEveryTokenThatMissedIt() {
        Vocabulary v = counts().build(2, 100, 4);
        assertThat(v.tokens())
                .containsExactly(
                        "[PAD]", "[ITEM]", "[UNK]", "comedy", "drama", "war", "[OOV:0]", "[OOV:1]", "[OOV:2]",
                        "[OOV:3]");
        assertThat(v.oovBuckets()).isEqualTo(4);
        // "rare" (count 1 < minCount 2) takes its bucket, as any word never seen does
        assertThat(v.id("rare")).isEqualTo(6 + Vocabulary.bucketOf("rare", 4));
        assertThat(v.id("never-seen")).isEqualTo(6 + Vocabulary.bucketOf("never-seen", 4));
        assertThat(v.contains("rare")).isFalse();
        assertThat(v.contains("[OOV:1]")).isFalse();
        assertThat(v.id("war")).isEqualTo(5);
        // maxSize counts the buckets: room for one real token
        assertThat(counts().build(1, 6, 2).tokens())
                .containsExactly("[PAD]", "[ITEM]", "[UNK]", "comedy", "[OOV:0]", "[OOV:1]");
    }

    @Test
    void theBucketOfAWordIsFnv1aOfItsUtf8BytesAndTheSameOnEveryMachine() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; unsigned mod 1000 = 12638187200555641996 mod 1000
        assertThat(Vocabulary.bucketOf("a", 1000)).isEqualTo(996);
        assertThat(Vocabulary.bucketOf("", 7)).isEqualTo((int) Long.remainderUnsigned(0xcbf29ce484222325L, 7));
        // UTF-8, not UTF-16: "é" is the two bytes C3 A9
        long h = 0xcbf29ce484222325L;
        for (int b : new int[] {0xC3, 0xA9}) {
            h = (h ^ b) * 0x100000001b3L;
        }
        assertThat(Vocabulary.bucketOf("é", 97)).isEqualTo((int) Long.remainderUnsigned(h, 97));
    }

    @Test
    void bucketsSurviveExportAndImportAndAVocabularyWithoutThemKeepsUnk() {
        Vocabulary v = counts().build(2, 100, 3);
        Vocabulary back = Vocabulary.fromTokens(v.tokens());
        assertThat(back.oovBuckets()).isEqualTo(3);
        assertThat(back.id("zzz")).isEqualTo(v.id("zzz")).isGreaterThanOrEqualTo(6);
        Vocabulary old = Vocabulary.fromTokens(counts().build(2).tokens());
        assertThat(old.oovBuckets()).isZero();
        assertThat(old.id("zzz")).isEqualTo(Vocabulary.UNK);
    }

    @Test
    void bucketTokensOutOfPlaceOrOrderAndCountedBucketNamesAreRefused() {
        assertThatThrownBy(() -> Vocabulary.fromTokens(List.of("[PAD]", "[ITEM]", "[UNK]", "[OOV:1]", "[OOV:0]")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in order");
        assertThatThrownBy(() -> Vocabulary.fromTokens(List.of("[PAD]", "[ITEM]", "[UNK]", "[OOV:0]", "war")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'[OOV:0]' at id 3");
        assertThatThrownBy(() -> Vocabulary.builder().add("[OOV:2]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> counts().build(1, 4, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSize must be >= 3 (the reserved ids) + 2 (the buckets), found 4");
    }
}
