package dev.recsys.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Positional;
import org.junit.jupiter.api.Test;

class ParamLayoutTest {
    @Test
    void sasrecShapeHasTheExpectedParameterCount() {
        // ids-only, d=64, 2 layers, ffn 64, learned positions 200, PRE norm:
        // items 3417*64 = 218688; positions 200*64 = 12800;
        // per layer: 4*(64*64+64) = 16640 attention, 2*128 = 256 norms... (2 norms * 2 * 64 = 256),
        //            ffn 64*64+64 + 64*64+64 = 8320 -> 25216 per layer, 2 layers = 50432;
        // final norm 128; cross attention 16640; scorer 64 + 1 = 65.
        ModelConfig c = ModelConfig.builder()
                .numItems(3416)
                .dim(64)
                .heads(1)
                .layers(2)
                .ffnDim(64)
                .maxLen(200)
                .build();
        long n = Initializer.init(c, 1).parameterCount();
        assertThat(n).isEqualTo(218688 + 12800 + 50432 + 128 + 16640 + 65);
    }

    @Test
    void canonicalNamesFollowTheDocumentedScheme() {
        ModelConfig c = ModelConfig.builder()
                .numItems(5)
                .dim(4)
                .heads(2)
                .layers(1)
                .ffnDim(8)
                .maxLen(3)
                .content(9, 4, 1)
                .eventTypes(2)
                .positional(Positional.SINUSOIDAL)
                .norm(Norm.POST)
                .build();
        var names = ParamLayout.of(c).stream().map(ParamLayout.Param::name).toList();
        assertThat(names)
                .contains(
                        "item_embedding.weight",
                        "event_embedding.weight",
                        "user_encoder.layers.0.attention.query.weight",
                        "user_encoder.layers.0.ffn.in.weight",
                        "content_encoder.token_embedding.weight",
                        "content_encoder.layers.0.ffn_norm.bias",
                        "cross.attention.output.bias",
                        "scorer.weight",
                        "scorer.bias");
        assertThat(names).doesNotContain("position_embedding.weight", "user_encoder.final_norm.weight");
    }

    @Test
    void theSasrecLayoutHasThePreLayoutsParameters() {
        ModelConfig.Builder b = ModelConfig.builder()
                .numItems(5)
                .dim(4)
                .heads(2)
                .layers(2)
                .ffnDim(8)
                .maxLen(3)
                .content(9, 4, 1);
        var pre = ParamLayout.of(b.norm(Norm.PRE).build());
        var sasrec = ParamLayout.of(b.norm(Norm.SASREC).build());
        assertThat(sasrec.stream().map(ParamLayout.Param::name))
                .containsExactlyElementsOf(
                        pre.stream().map(ParamLayout.Param::name).toList())
                .contains("user_encoder.final_norm.weight", "content_encoder.final_norm.bias");
        assertThat(ParamLayout.of(b.norm(Norm.POST).build()).stream().map(ParamLayout.Param::name))
                .doesNotContain("user_encoder.final_norm.weight", "content_encoder.final_norm.bias");
    }

    @Test
    void initialisationIsSeededAndKeepsPaddingRowsZero() {
        ModelConfig c = ModelConfig.builder()
                .numItems(5)
                .dim(4)
                .heads(2)
                .layers(1)
                .ffnDim(8)
                .maxLen(3)
                .content(9, 4, 0)
                .build();
        Weights a = Initializer.init(c, 7);
        Weights b = Initializer.init(c, 7);
        assertThat(a.maxAbsDiff(b)).isZero();
        assertThat(Initializer.init(c, 8).maxAbsDiff(a)).isPositive();
        float[] items = a.data(ParamLayout.ITEM_EMBEDDING);
        assertThat(new float[] {items[0], items[1], items[2], items[3]}).containsOnly(0f);
        assertThat(a.data("user_encoder.layers.0.attention_norm.weight")).containsOnly(1f);
        ParamLayout.validate(c, a);
    }

    @Test
    void validateNamesTheMisshapenTensor() {
        ModelConfig c = ModelConfig.builder()
                .numItems(5)
                .dim(4)
                .heads(2)
                .layers(1)
                .ffnDim(8)
                .maxLen(3)
                .build();
        Weights w = Initializer.init(c, 1);
        w.put("scorer.bias", new int[] {2}, new float[2]);
        assertThatThrownBy(() -> ParamLayout.validate(c, w))
                .hasMessageContaining("scorer.bias")
                .hasMessageContaining("[2]");
    }
}
