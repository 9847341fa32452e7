package dev.recsys.eval.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.contract.AbstractAddedItemsContractTest;
import dev.recsys.api.contract.ContractFixtures;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.reference.ReferenceBackend;
import dev.recsys.eval.data.ContentBuilder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SavedModel#withItems}: a new model with the items, the old one untouched and still usable. */
class SavedModelItemsTest {
    private static final ModelConfig CFG = ContractFixtures.cases().get(0).config();

    @TempDir
    Path dir;

    private Path save(Map<String, String> metadata) throws Exception {
        CheckpointData cd = AbstractAddedItemsContractTest.checkpoint(CFG, ContractFixtures.weights(CFG));
        Path p = dir.resolve("m");
        Checkpoint.write(
                p,
                new CheckpointData(
                        cd.config(), cd.weights(), cd.content(), cd.vocabulary(), cd.itemIds(), metadata, null));
        return p;
    }

    @Test
    void theNewModelScoresExistingItemsAsTheOldOneWhichStaysOpen() throws Exception {
        Path p = save(Map.of("rerank", "5", ContentBuilder.META_RULES, ContentBuilder.RULES));
        try (ReferenceBackend backend = new ReferenceBackend();
                SavedModel m = SavedModel.load(p, backend)) {
            SavedModel.Update u = m.withItems(backend, AbstractAddedItemsContractTest.newItems(), false);
            try (SavedModel added = u.model()) {
                assertThat(added.rerank()).isEqualTo(5);
                assertThat(added.dir()).isEqualTo(p);
                assertThat(added.model().config().numItems()).isEqualTo(ContractFixtures.NUM_ITEMS + 3);
                assertThat(u.addition().entries()).extracting(e -> e.id()).containsExactly("new-a", "new-b", "new-c");
                assertThat(m.model().config().numItems()).isEqualTo(ContractFixtures.NUM_ITEMS);
                SeqBatch batch = ContractFixtures.batch(CFG);
                float[] before = m.model().scoreAll(batch);
                float[] after = added.model().scoreAll(batch);
                int n1 = ContractFixtures.NUM_ITEMS + 1;
                assertThat(Arrays.copyOf(after, n1)).isEqualTo(Arrays.copyOf(before, n1));
            }
        }
    }

    @Test
    void aModelTokenisedByOtherRulesIsRefused() throws Exception {
        Path p = save(Map.of(ContentBuilder.META_RULES, "something-else/7"));
        try (ReferenceBackend backend = new ReferenceBackend();
                SavedModel m = SavedModel.load(p, backend)) {
            assertThatThrownBy(() -> m.withItems(backend, AbstractAddedItemsContractTest.newItems(), false))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageStartingWith("the model's item content was tokenised by the rules 'something-else/7'");
        }
    }
}
