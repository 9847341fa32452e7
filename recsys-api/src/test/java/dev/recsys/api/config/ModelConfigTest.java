package dev.recsys.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import org.junit.jupiter.api.Test;

class ModelConfigTest {
    @Test
    void headsMustDivideTheWidthAndTheMessageSaysBoth() {
        assertThatThrownBy(() -> ModelConfig.builder().dim(10).heads(3).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dim=10")
                .hasMessageContaining("heads=3");
    }

    @Test
    void contentFieldsMustAgree() {
        assertThatThrownBy(() -> ModelConfig.builder().content(0, 4, 0).build()).hasMessageContaining("contentLen");
        assertThatThrownBy(() -> ModelConfig.builder().content(1, 4, 0).build()).hasMessageContaining("contentVocab");
        assertThatThrownBy(() -> ModelConfig.builder().itemIds(false).build())
                .hasMessageContaining("item ids or item content");
        ModelConfig c = ModelConfig.builder().content(10, 4, 1).build();
        assertThat(c.hasContent()).isTrue();
        assertThat(c.crossKeyLen()).isEqualTo(4);
        assertThat(ModelConfig.builder().build().crossKeyLen()).isEqualTo(1);
    }

    @Test
    void dropoutOutsideTheUnitIntervalIsRefused() {
        assertThatThrownBy(() -> ModelConfig.builder().dropout(1f).build()).hasMessageContaining("dropout");
        assertThatThrownBy(() -> ModelConfig.builder().dropout(Float.NaN).build())
                .hasMessageContaining("dropout");
    }

    @Test
    void aLossIsOnlyAcceptedInAStageItSupports() {
        TrainConfig t = TrainConfig.pretrainDefaults();
        assertThatThrownBy(() -> t.withLoss(Stage.PRETRAIN, new LossSpec.Bpr(1)))
                .hasMessageContaining("bpr");
        assertThatThrownBy(() -> t.withLoss(Stage.FINETUNE, new LossSpec.SoftmaxCe()))
                .hasMessageContaining("softmax");
        assertThat(t.withLoss(Stage.FINETUNE, new LossSpec.Hinge(3, 0.5f))
                        .loss()
                        .name())
                .isEqualTo("hinge");
    }
}
