package dev.recsys.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.RecModel;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReferenceAgreementTest {
    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("idOnly", Fixtures.idOnly()),
                Arguments.of("contentPost", Fixtures.contentPost()),
                Arguments.of("contentOnly", Fixtures.contentOnly()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void everyTracedLayerMatchesTheReferenceWithin1e4(String name, ModelConfig c) {
        ItemContent content = c.hasContent() ? Fixtures.content(c, 5) : null;
        Weights w = Initializer.init(c, 11);
        ReferenceModel ref = new ReferenceModel(c, content, w);
        SeqBatch batch = Fixtures.batch(c, 6, new int[] {6, 3, 1}, 3);
        int[] cands = Fixtures.candidates(3, 4, 9);
        try (RecModel m = Fixtures.backend().create(c, content, w, 1)) {
            ForwardTrace mine = m.trace(batch, cands, 4);
            ForwardTrace theirs = ref.trace(batch, cands, 4);
            assertThat(mine.asMap().keySet())
                    .containsExactlyInAnyOrderElementsOf(theirs.asMap().keySet());
            for (String key : theirs.asMap().keySet()) {
                float[] a = mine.get(key);
                float[] b = theirs.get(key);
                assertThat(a).as(key).hasSameSizeAs(b);
                for (int i = 0; i < a.length; i++) {
                    if (!isValid(key, i, batch, c)) {
                        continue;
                    }
                    assertThat(a[i]).as(key + "[" + i + "]").isCloseTo(b[i], within(1e-4f));
                }
            }
            assertThat(m.scoreAll(batch)).containsExactly(theirs.get(ForwardTrace.STAGE1), within(1e-4f));
            assertThat(m.scoreCandidates(batch, cands, 4))
                    .containsExactly(theirs.get(ForwardTrace.STAGE2), within(1e-4f));
            assertThat(m.itemVectors()).containsExactly(theirs.get(ForwardTrace.ITEM_VECTORS), within(1e-4f));
        }
    }

    /** [B, L, d] keys are compared at non-padding positions only. */
    private static boolean isValid(String key, int i, SeqBatch batch, ModelConfig c) {
        boolean perPosition = key.equals(ForwardTrace.USER_INPUT)
                || key.equals(ForwardTrace.USER_OUTPUT)
                || key.startsWith("user_encoder.layers.");
        if (key.equals(ForwardTrace.CROSS_OUTPUT)) {
            int pos = i / c.dim() % batch.length();
            int row = i / c.dim() / batch.length() / 4;
            return batch.item(row, pos) != 0;
        }
        if (!perPosition) {
            return true;
        }
        int flat = i / c.dim();
        return batch.items()[flat] != 0;
    }
}
