package dev.recsys.api.contract;

import static dev.recsys.api.contract.ContractFixtures.NUM_ITEMS;
import static dev.recsys.api.contract.ContractFixtures.PER_ROW;
import static dev.recsys.api.contract.ContractFixtures.ROWS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.NewItem;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.Vocabulary;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.io.ItemAddition;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.RecModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Items added to a trained content model without retraining ({@link ItemAddition}): the backend's
 * model of the extended checkpoint matches the reference forward pass within {@link #tolerance()},
 * new items included (stage 1 and stage 2), and adding items never changes anything that scores
 * an existing item: item vectors, user vectors, every existing item's stage-1 score and stage-2
 * score, compared between the backend's models before and after.
 */
public abstract class AbstractAddedItemsContractTest extends BackendContractSupport {
    /** New items added to the 7 of the fixtures: dense ids 8, 9, 10. */
    static final int ADDED = 3;

    /** The content cases of {@link ContractFixtures#cases()} (adding items needs content). */
    protected Stream<ContractFixtures.Case> contentCases() {
        return cases().stream().filter(c -> c.config().hasContent());
    }

    /**
     * The fixture's checkpoint with a vocabulary ({@code [PAD] [ITEM] [UNK] w3 .. w<V-1>}, so the
     * content table's token k is the word {@code w<k>}) and external ids {@code i1 .. i7}.
     */
    public static CheckpointData checkpoint(ModelConfig cfg, Weights w) {
        List<String> vocab =
                new ArrayList<>(List.of(Vocabulary.PAD_TOKEN, Vocabulary.ITEM_TOKEN, Vocabulary.UNK_TOKEN));
        for (int k = Vocabulary.RESERVED; k < cfg.contentVocab(); k++) {
            vocab.add("w" + k);
        }
        List<String> ids = new ArrayList<>(List.of(""));
        for (int i = 1; i <= cfg.numItems(); i++) {
            ids.add("i" + i);
        }
        return new CheckpointData(cfg, w, ContractFixtures.content(cfg), vocab, ids, Map.of(), null);
    }

    /** A vocabulary list of {@code size} tokens: {@code [PAD] [ITEM] [UNK] w3 .. w<size-1>} (token k is "w" + k). */
    public static List<String> vocabulary(int size) {
        List<String> vocab =
                new ArrayList<>(List.of(Vocabulary.PAD_TOKEN, Vocabulary.ITEM_TOKEN, Vocabulary.UNK_TOKEN));
        for (int k = Vocabulary.RESERVED; k < size; k++) {
            vocab.add("w" + k);
        }
        return vocab;
    }

    /** Three new items: known words, a word outside the vocabulary, more words than fit. */
    public static List<NewItem> newItems() {
        return List.of(
                new NewItem("new-a", List.of("w5", "w9")),
                new NewItem("new-b", List.of("w3", "never-seen-word", "w11")),
                new NewItem("new-c", List.of("w4", "w6", "w7", "w8", "w10")));
    }

    /** Stage-2 candidates {@code [3 * 3]} mixing new items (8, 9, 10) and existing ones. */
    static int[] mixedCandidates() {
        return new int[] {8, 2, 10, 9, 5, 1, 6, 10, 8};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contentCases")
    void aModelWithAddedItemsMatchesTheReference(ContractFixtures.Case c) {
        Weights w = ContractFixtures.weights(c.config());
        ItemAddition add = ItemAddition.of(checkpoint(c.config(), w), newItems(), false);
        CheckpointData ext = add.data();
        assertThat(ext.config().numItems()).isEqualTo(NUM_ITEMS + ADDED);
        ReferenceModel ref = new ReferenceModel(ext.config(), ext.content(), ext.weights());
        SeqBatch batch = ContractFixtures.batch(c.config());
        int[] cand = mixedCandidates();
        double tol = tolerance();
        CheckpointData read = roundTrip(ext.config(), ext.weights(), ext.content());
        try (RecModel m = sharedBackend().create(read.config(), read.content(), read.weights(), 1)) {
            assertClose("itemVectors with added items", m.itemVectors(), ref.itemVectors(), tol);
            assertClose("scoreAll with added items", m.scoreAll(batch), ref.scoreAll(batch), tol);
            assertClose(
                    "scoreCandidates of added items",
                    m.scoreCandidates(batch, cand, PER_ROW),
                    ref.scoreCandidates(batch, cand, PER_ROW),
                    tol);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contentCases")
    void addingItemsNeverChangesTheScoresOfExistingItems(ContractFixtures.Case c) {
        ModelConfig cfg = c.config();
        Weights w = ContractFixtures.weights(cfg);
        CheckpointData ext =
                ItemAddition.of(checkpoint(cfg, w), newItems(), false).data();
        SeqBatch batch = ContractFixtures.batch(cfg);
        int[] cand = ContractFixtures.candidates();
        int n1 = NUM_ITEMS + 1;
        int d = cfg.dim();
        try (RecModel before = create(c, w, 1);
                RecModel after = sharedBackend().create(ext.config(), ext.content(), ext.weights(), 1)) {
            float[] vb = before.itemVectors();
            float[] va = after.itemVectors();
            assertThat(va).hasSize((n1 + ADDED) * d);
            assertSame("item vectors of existing items", Arrays.copyOf(va, n1 * d), vb);
            assertSame("user vectors", after.userVectors(batch), before.userVectors(batch));
            float[] sb = before.scoreAll(batch);
            float[] sa = after.scoreAll(batch);
            for (int r = 0; r < ROWS; r++) {
                assertSame(
                        "stage-1 scores of existing items, row " + r,
                        Arrays.copyOfRange(sa, r * (n1 + ADDED), r * (n1 + ADDED) + n1),
                        Arrays.copyOfRange(sb, r * n1, (r + 1) * n1));
            }
            assertSame(
                    "stage-2 scores of existing items",
                    after.scoreCandidates(batch, cand, PER_ROW),
                    before.scoreCandidates(batch, cand, PER_ROW));
            RecModel.Candidates fixed = new RecModel.Candidates(cand, PER_ROW);
            assertSame(
                    "two-stage scoring: stage 2 of existing items",
                    after.scoreTwoStage(batch, s1 -> fixed).stage2(),
                    before.scoreTwoStage(batch, s1 -> fixed).stage2());
            // the new items are scored, and not all alike
            float[] added = Arrays.copyOfRange(sa, n1, n1 + ADDED);
            assertFinite("stage-1 scores of added items", added);
            assertThat(added[0]).isNotEqualTo(added[1]);
        }
    }

    /**
     * Equal up to the float rounding of a different batch shape: within 1e-6 * max(1, |x|), a
     * thousand times tighter than the reference tolerance.
     */
    private static void assertSame(String what, float[] actual, float[] expected) {
        assertClose(what, actual, expected, 1e-6);
    }
}
