package dev.recsys.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.config.Sampling;
import dev.recsys.api.config.Schedule;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigJsonTest {

    static ModelConfig contentModel() {
        return new ModelConfig(3416, 48, 2, 2, 96, 200, 5000, 12, 1, 3, Positional.SINUSOIDAL, Norm.POST, Pooling.MAX,
                0.15f, 1e-6f, false, true);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> throughJson(Map<String, Object> m) {
        return (Map<String, Object>) Json.parse(Json.pretty(m));
    }

    @Test
    void modelConfigRoundTripsThroughJsonText() {
        for (ModelConfig c : List.of(contentModel(), ModelConfig.builder().numItems(10).build())) {
            assertThat(ConfigJson.modelFromMap(throughJson(ConfigJson.toMap(c)))).isEqualTo(c);
        }
    }

    @Test
    void modelConfigJsonHasEveryFieldWithReadableValues() {
        String json = Json.write(ConfigJson.toMap(contentModel()));
        assertThat(json).isEqualTo("{\"numItems\":3416,\"dim\":48,\"heads\":2,\"layers\":2,\"ffnDim\":96,\"maxLen\":200,"
                + "\"contentVocab\":5000,\"contentLen\":12,\"contentLayers\":1,\"eventTypes\":3,\"positional\":\"sinusoidal\","
                + "\"norm\":\"post\",\"pooling\":\"max\",\"dropout\":0.15,\"layerNormEps\":1.0E-6,\"scaleEmbeddings\":false,"
                + "\"itemIds\":true}");
        assertThat(ModelConfig.class.getRecordComponents()).hasSize(ConfigJson.toMap(contentModel()).size());
    }

    @Test
    void unknownMissingAndMistypedKeysAreNamed() {
        Map<String, Object> m = new LinkedHashMap<>(ConfigJson.toMap(contentModel()));
        m.put("hedas", 2);
        assertThatThrownBy(() -> ConfigJson.modelFromMap(m)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("model config: unknown key \"hedas\"; known keys: [numItems, dim, heads");
        m.remove("hedas");
        m.remove("heads");
        assertThatThrownBy(() -> ConfigJson.modelFromMap(m)).hasMessage("model config: missing key \"heads\" (expected an integer)");
        m.put("heads", "two");
        assertThatThrownBy(() -> ConfigJson.modelFromMap(m)).hasMessage("model config.heads: expected an integer, found the string \"two\"");
        m.put("heads", 2.0);
        assertThatThrownBy(() -> ConfigJson.modelFromMap(m)).hasMessage("model config.heads: expected an integer, found the number 2.0");
        m.put("heads", 5_000_000_000L);
        assertThatThrownBy(() -> ConfigJson.modelFromMap(m)).hasMessageContaining("expected a 32-bit integer");
        m.put("heads", 2);
        m.put("norm", "middle");
        assertThatThrownBy(() -> ConfigJson.modelFromMap(m)).hasMessage("model config.norm: expected one of [pre, post], found the string \"middle\"");
        m.put("norm", "PRE");
        assertThat(ConfigJson.modelFromMap(m).norm()).isEqualTo(Norm.PRE);
        m.put("layerNormEps", 1e300);
        assertThatThrownBy(() -> ConfigJson.modelFromMap(m)).hasMessage("model config.layerNormEps: expected a number within the float range, found 1.0E300");
        m.put("layerNormEps", 1e-5);
        m.put("dropout", true);
        assertThatThrownBy(() -> ConfigJson.modelFromMap(m)).hasMessage("model config.dropout: expected a number, found the boolean true");
        assertThatThrownBy(() -> ConfigJson.modelFromMap(List.of())).hasMessage("model config: expected an object, found an array");
    }

    @Test
    void invalidValuesFailWithTheRecordsOwnMessage() {
        Map<String, Object> m = ConfigJson.toMap(contentModel());
        m.put("heads", 5);
        assertThatThrownBy(() -> ConfigJson.modelFromMap(m))
                .hasMessage("model config: dim must be divisible by heads: expected dim % heads == 0, found dim=48, heads=5");
    }

    @Test
    void everyLossRoundTripsAndHasTheDocumentedForm() {
        List<LossSpec> all = List.of(new LossSpec.Bce(1), new LossSpec.Mse(), new LossSpec.Bpr(4), new LossSpec.Hinge(2, 0.5f),
                new LossSpec.SoftmaxCe(), new LossSpec.SampledSoftmax(3000, true), new LossSpec.Gbce(256, 0.75f));
        for (LossSpec l : all) {
            assertThat(ConfigJson.lossFromMap(throughJson(ConfigJson.toMap(l)))).isEqualTo(l);
            assertThat(ConfigJson.LOSS_NAMES).contains(l.name());
        }
        assertThat(ConfigJson.lossFromMap(Json.parse("{\"name\": \"gbce\", \"negatives\": 256, \"t\": 0.75}")))
                .isEqualTo(new LossSpec.Gbce(256, 0.75f));
        assertThat(Json.write(ConfigJson.toMap(new LossSpec.SampledSoftmax(100, false))))
                .isEqualTo("{\"name\":\"sampled-softmax\",\"negatives\":100,\"logQ\":false}");
    }

    @Test
    void lossErrorsNameTheLossAndItsKeys() {
        assertThatThrownBy(() -> ConfigJson.lossFromMap(Json.parse("{\"name\": \"focal\"}")))
                .hasMessage("loss.name: unknown loss \"focal\"; known: [bce, mse, bpr, hinge, softmax, sampled-softmax, gbce]");
        assertThatThrownBy(() -> ConfigJson.lossFromMap(Json.parse("{\"name\": \"gbce\", \"negatives\": 256}")))
                .hasMessage("loss: missing key \"t\" (expected a number)");
        assertThatThrownBy(() -> ConfigJson.lossFromMap(Json.parse("{\"name\": \"mse\", \"negatives\": 1}")))
                .hasMessage("loss: unknown key \"negatives\"; known keys: [name]");
        assertThatThrownBy(() -> ConfigJson.lossFromMap(Json.parse("{\"name\": \"gbce\", \"negatives\": 256, \"t\": 2}")))
                .hasMessage("loss: gbce calibration t must be in [0, 1], found 2.0");
        assertThatThrownBy(() -> ConfigJson.lossFromMap(Json.parse("{\"negatives\": 256}")))
                .hasMessage("loss: missing key \"name\" (expected a string)");
    }

    @Test
    void trainAndOptimizerConfigsRoundTrip() {
        OptimizerConfig opt = new OptimizerConfig(OptimizerConfig.Type.ADAMW, 0.9f, 0.999f, 1e-8f, 0.01f, 1f);
        TrainConfig t = new TrainConfig(Stage.FINETUNE, new LossSpec.Hinge(4, 0.3f), Sampling.POPULARITY, 7, 64, 3e-4f, 100,
                Schedule.COSINE, 0.1f, opt, 1, 5, 1000, -1234567890123L);
        assertThat(ConfigJson.trainFromMap(throughJson(ConfigJson.toMap(t)))).isEqualTo(t);
        assertThat(ConfigJson.trainFromMap(throughJson(ConfigJson.toMap(TrainConfig.pretrainDefaults()))))
                .isEqualTo(TrainConfig.pretrainDefaults());
        assertThat(ConfigJson.optimizerFromMap(throughJson(ConfigJson.toMap(opt)))).isEqualTo(opt);
        assertThat(ConfigJson.toMap(opt).get("type")).isEqualTo("adamw");
    }

    @Test
    void nestedErrorsGiveTheFullPath() {
        Map<String, Object> m = throughJson(ConfigJson.toMap(TrainConfig.pretrainDefaults()));
        @SuppressWarnings("unchecked")
        Map<String, Object> opt = (Map<String, Object>) m.get("optimizer");
        opt.put("beta1", "x");
        assertThatThrownBy(() -> ConfigJson.trainFromMap(m)).hasMessage("train config.optimizer.beta1: expected a number, found the string \"x\"");
        opt.put("beta1", 1.5);
        assertThatThrownBy(() -> ConfigJson.trainFromMap(m)).hasMessage("train config.optimizer: beta1 must be in [0, 1), found 1.5");
        opt.put("beta1", 0.9);
        m.put("loss", Json.parse("{\"name\": \"mse\"}"));
        assertThatThrownBy(() -> ConfigJson.trainFromMap(m)).hasMessageStartingWith("train config: loss 'mse' cannot be used for PRETRAIN");
    }

    @Test
    void aPartialConfigMergesOverTheDefaults() {
        Map<String, Object> m = ConfigJson.toMap(ModelConfig.builder().build());
        m.putAll(Json.parseObject("{\"numItems\": 3416, \"dim\": 50}", "partial.json"));
        ModelConfig c = ConfigJson.modelFromMap(m);
        assertThat(c).isEqualTo(ModelConfig.builder().numItems(3416).dim(50).build());
    }
}
