package dev.recsys.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.contract.AbstractAddedItemsContractTest;
import dev.recsys.api.contract.ContractFixtures;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.NewItem;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.Vocabulary;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Engine-free rules of {@link ItemAddition}; the backends' side is {@link AbstractAddedItemsContractTest}. */
class ItemAdditionTest {
    private static final ModelConfig CFG = ContractFixtures.cases().get(0).config(); // content, ids, events
    private static final int N = ContractFixtures.NUM_ITEMS;
    private static final int T = CFG.contentLen();

    private static CheckpointData base() {
        return AbstractAddedItemsContractTest.checkpoint(CFG, ContractFixtures.weights(CFG));
    }

    private static int[] row(ItemContent c, int item) {
        return Arrays.copyOfRange(c.tokens(), item * T, (item + 1) * T);
    }

    @Test
    void newItemsGetTheNextDenseIdsZeroIdRowsAndTheirWordsThroughTheVocabulary() {
        CheckpointData base = base();
        float[] embBefore = base.weights().data(ParamLayout.ITEM_EMBEDDING).clone();
        ItemAddition a = base.withItems(AbstractAddedItemsContractTest.newItems(), false);

        assertThat(a.baseItems()).isEqualTo(N);
        assertThat(a.added()).isEqualTo(3);
        assertThat(a.entries()).extracting(ItemAddition.Entry::dense).containsExactly(8, 9, 10);
        assertThat(a.entries()).allMatch(ItemAddition.Entry::isNew);
        CheckpointData d = a.data();
        assertThat(d.config()).isEqualTo(CFG.withNumItems(N + 3));
        assertThat(d.itemIds().subList(8, 11)).containsExactly("new-a", "new-b", "new-c");
        assertThat(d.itemIds().subList(0, 8)).isEqualTo(base.itemIds());
        // the marker, the words' ids (w5 = 5 ...), padding; "never-seen-word" is [UNK] (training used [UNK]);
        // new-c has 5 words, cut to contentLen - 1 = 3
        assertThat(row(d.content(), 8)).containsExactly(1, 5, 9, 0);
        assertThat(row(d.content(), 9)).containsExactly(1, 3, Vocabulary.UNK, 11);
        assertThat(row(d.content(), 10)).containsExactly(1, 4, 6, 7);
        assertThat(a.entries().get(1).unknown()).containsExactly("never-seen-word");
        assertThat(Arrays.copyOf(d.content().tokens(), (N + 1) * T))
                .isEqualTo(base.content().tokens());
        float[] emb = d.weights().data(ParamLayout.ITEM_EMBEDDING);
        int dim = CFG.dim();
        assertThat(Arrays.copyOf(emb, (N + 1) * dim)).isEqualTo(embBefore);
        assertThat(Arrays.copyOfRange(emb, (N + 1) * dim, emb.length)).containsOnly(0f);
        assertThat(d.metadata()).containsEntry(ItemAddition.META_ADDED_ITEMS, "3");
        // the input is untouched
        assertThat(base.config().numItems()).isEqualTo(N);
        assertThat(base.weights().data(ParamLayout.ITEM_EMBEDDING)).isEqualTo(embBefore);
        // adding again counts on
        CheckpointData again =
                d.withItems(List.of(new NewItem("new-d", List.of("w3"))), false).data();
        assertThat(again.metadata()).containsEntry(ItemAddition.META_ADDED_ITEMS, "4");
        assertThat(again.itemIds().get(11)).isEqualTo("new-d");
    }

    @Test
    void existingItemsScoreExactlyAsBeforeInTheReference() {
        CheckpointData base = base();
        CheckpointData d =
                base.withItems(AbstractAddedItemsContractTest.newItems(), false).data();
        ReferenceModel before = new ReferenceModel(base.config(), base.content(), base.weights());
        ReferenceModel after = new ReferenceModel(d.config(), d.content(), d.weights());
        SeqBatch batch = ContractFixtures.batch(CFG);
        double[] sb = before.scoreAll(batch);
        double[] sa = after.scoreAll(batch);
        for (int r = 0; r < ContractFixtures.ROWS; r++) {
            assertThat(Arrays.copyOfRange(sa, r * (N + 4), r * (N + 4) + N + 1))
                    .isEqualTo(Arrays.copyOfRange(sb, r * (N + 1), (r + 1) * (N + 1)));
        }
        int[] cand = ContractFixtures.candidates();
        assertThat(after.scoreCandidates(batch, cand, ContractFixtures.PER_ROW))
                .isEqualTo(before.scoreCandidates(batch, cand, ContractFixtures.PER_ROW));
    }

    @Test
    void anIdAlreadyInTheCatalogueIsRefusedUnlessReplaceThenOnlyThatItemChanges() {
        CheckpointData base = base();
        List<NewItem> again = List.of(new NewItem("i3", List.of("w9", "w10"), "more.dat:4"));
        assertThatThrownBy(() -> base.withItems(again, false))
                .isInstanceOf(DataException.class)
                .hasMessage("more.dat:4: item 'i3': the id is already in the model's catalogue (dense id 3);"
                        + " give a new id, or replace the item's content explicitly (recsys recommend --replace)");

        ItemAddition a = base.withItems(again, true);
        assertThat(a.added()).isZero();
        assertThat(a.entries().get(0).replaced()).isTrue();
        assertThat(a.entries().get(0).dense()).isEqualTo(3);
        CheckpointData d = a.data();
        assertThat(row(d.content(), 3)).containsExactly(1, 9, 10, 0);
        assertThat(d.weights().data(ParamLayout.ITEM_EMBEDDING))
                .isEqualTo(base.weights().data(ParamLayout.ITEM_EMBEDDING));
        double[] sb = new ReferenceModel(base.config(), base.content(), base.weights()).scoreAll(batch());
        double[] sa = new ReferenceModel(d.config(), d.content(), d.weights()).scoreAll(batch());
        // row 2's history (item 5) does not hold item 3: only item 3's score moves there (rows 0 and 1
        // hold item 3, so their user vectors move too: the replaced content is what the user saw)
        for (int i = 2 * (N + 1); i < 3 * (N + 1); i++) {
            if (i % (N + 1) == 3) {
                assertThat(sa[i]).as("item 3's score").isNotEqualTo(sb[i]);
            } else {
                assertThat(sa[i]).as("row 2, column %d", i % (N + 1)).isEqualTo(sb[i]);
            }
        }
    }

    private static SeqBatch batch() {
        return ContractFixtures.batch(CFG);
    }

    @Test
    void badItemsAreRefusedWithOneMessageNamingTheItem() {
        CheckpointData base = base();
        assertThatThrownBy(() -> base.withItems(
                        List.of(new NewItem("x", List.of("w3"), "f.csv:2"), new NewItem("x", List.of("w4"), "f.csv:5")),
                        false))
                .isInstanceOf(DataException.class)
                .hasMessage("f.csv:5: item 'x': the id is given twice (first at f.csv:2)");
        assertThatThrownBy(() -> base.withItems(List.of(new NewItem("y", List.of(), "f.csv:3")), false))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("f.csv:3: item 'y': no content tokens");
        assertThatThrownBy(() -> base.withItems(List.of(), false))
                .isInstanceOf(DataException.class)
                .hasMessage("no items to add");
        assertThatThrownBy(() -> new NewItem(" ", List.of("w3"), "f.csv:7"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("f.csv:7: the item id is empty");
    }

    @Test
    void anIdsOnlyModelIsAskedForAContentModel() {
        ModelConfig ids = ContractFixtures.cases().get(2).config();
        assertThat(ids.hasContent()).isFalse();
        CheckpointData cd = CheckpointData.of(ids, ContractFixtures.weights(ids), null);
        assertThatThrownBy(() -> cd.withItems(List.of(new NewItem("n", List.of("w3"))), false))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("adding items needs a content model: this model has no item content");
    }

    @Test
    void withoutBucketsAndWithoutATrainedUnkUnknownWordsAreLeftOutAndAnItemOfOnlyThoseIsRefused() {
        // a content table that never uses [UNK] (2)
        int[][] per = {{}, {3}, {4}, {5, 6, 7}, {}, {8, 9, 10}, {11, 3}, {3}};
        ItemContent content = ItemContent.of(N, T, per);
        CheckpointData b = base();
        CheckpointData base =
                new CheckpointData(CFG, b.weights(), content, b.vocabulary(), b.itemIds(), Map.of(), null);
        assertThat(ItemAddition.oovRule(Vocabulary.fromTokens(base.vocabulary()), content))
                .isEqualTo(ItemAddition.OovRule.DROP);
        ItemAddition a = base.withItems(List.of(new NewItem("n", List.of("w4", "unheard", "w6"))), false);
        assertThat(row(a.data().content(), 8)).containsExactly(1, 4, 6, 0);
        assertThat(a.entries().get(0).unknown()).containsExactly("unheard");
        assertThatThrownBy(() -> base.withItems(List.of(new NewItem("m", List.of("foo", "bar"), "m.dat:1")), false))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(
                        "m.dat:1: item 'm': none of its 2 tokens is in the model's vocabulary [foo, bar]");
    }

    @Test
    void withBucketsUnknownWordsTakeTheirHashedBucket() {
        // contentVocab 12 = [PAD] [ITEM] [UNK] w3..w8 [OOV:0..2]
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[ITEM]", "[UNK]"));
        for (int k = 3; k <= 8; k++) {
            vocab.add("w" + k);
        }
        vocab.addAll(List.of("[OOV:0]", "[OOV:1]", "[OOV:2]"));
        CheckpointData b = base();
        CheckpointData base = new CheckpointData(CFG, b.weights(), b.content(), vocab, b.itemIds(), Map.of(), null);
        ItemAddition a = base.withItems(List.of(new NewItem("n", List.of("w4", "zebra", "w11"))), false);
        assertThat(row(a.data().content(), 8))
                .containsExactly(1, 4, 9 + Vocabulary.bucketOf("zebra", 3), 9 + Vocabulary.bucketOf("w11", 3));
        assertThat(a.entries().get(0).unknown()).containsExactly("zebra", "w11");
    }

    @Test
    void theFormerWritersCheckpointStillReadsAndRefusesToAddItemsWithAClearReason() throws Exception {
        CheckpointData old = Checkpoint.read(Path.of("src/test/resources/compat/checkpoint-v1"));
        assertThat(old.config().contentVocab()).isEqualTo(30);
        assertThatThrownBy(() -> old.withItems(List.of(new NewItem("2001", List.of("tok3"))), false))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith("the checkpoint's vocabulary is not a recsys content vocabulary");
    }

    @Test
    void aCheckpointWithAddedItemsIsWrittenAndReadBack(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        CheckpointData d = base().withItems(AbstractAddedItemsContractTest.newItems(), false)
                .data();
        Checkpoint.write(tmp.resolve("m"), d);
        CheckpointData back = Checkpoint.read(tmp.resolve("m"));
        assertThat(back.config().numItems()).isEqualTo(N + 3);
        assertThat(back.itemIds()).isEqualTo(d.itemIds());
        assertThat(back.content().tokens()).isEqualTo(d.content().tokens());
        Weights w = back.weights();
        assertThat(w.maxAbsDiff(d.weights())).isZero();
    }
}
