package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.BackendException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.spi.BackendOptions;
import org.junit.jupiter.api.Test;

/**
 * The resident-size bound ({@code recsys.dl4j.maxresident}, checked before every graph run instead
 * of JavaCPP's check on every native pointer): a run over the bound fails with an error naming the
 * setting, and the model works again once the bound allows it.
 */
class Dl4jResidentBoundTest {
    @Test
    void aRunOverTheBoundFailsNamingTheSettingAndTheModelStaysUsable() {
        ModelConfig cfg = ModelConfig.builder()
                .numItems(20)
                .dim(8)
                .heads(1)
                .layers(1)
                .ffnDim(8)
                .maxLen(5)
                .dropout(0f)
                .build();
        SeqBatch batch = new SeqBatch(1, 5, new int[] {0, 3, 4, 5, 6}, null);
        try (Dl4jBackend backend = (Dl4jBackend) new Dl4jBackendProvider().create(BackendOptions.defaults());
                Dl4jModel m = (Dl4jModel) backend.create(cfg, null, Initializer.init(cfg, 3), 1)) {
            float[] before = m.scoreAll(batch);
            long configured =
                    Nd4jRuntime.parseBytes(System.getProperty(Nd4jRuntime.MAX_RESIDENT), Nd4jRuntime.MAX_RESIDENT);
            assertThat(configured)
                    .as("the default bound: heap + 3 GiB")
                    .isEqualTo(Runtime.getRuntime().maxMemory() / (1 << 20) * (1 << 20)
                            + (Nd4jRuntime.PHYSICAL_HEADROOM_MB << 20));
            try {
                Nd4jRuntime.maxResident(1 << 20); // 1 MiB: any JVM is over it
                assertThatThrownBy(() -> m.scoreAll(batch))
                        .isInstanceOf(BackendException.class)
                        .hasMessageContaining("recsys.dl4j.maxresident")
                        .hasMessageContaining("1 MiB")
                        .hasMessageContaining("-Drecsys.dl4j.maxresident=12G")
                        .hasMessageContaining("read as bytes");
            } finally {
                Nd4jRuntime.maxResident(configured);
            }
            assertThat(m.scoreAll(batch)).containsExactly(before);
        }
    }

    @Test
    void byteCountsParseWithSuffixesAndRejectGarbage() {
        assertThat(Nd4jRuntime.parseBytes("9216M", "x")).isEqualTo(9216L << 20);
        assertThat(Nd4jRuntime.parseBytes("8g", "x")).isEqualTo(8L << 30);
        assertThat(Nd4jRuntime.parseBytes("1024", "x")).isEqualTo(1024L);
        assertThatThrownBy(() -> Nd4jRuntime.parseBytes("lots", "recsys.dl4j.maxresident"))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("recsys.dl4j.maxresident")
                .hasMessageContaining("'lots'");
    }
}
