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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The config records in JSON (model.json's config, provenance summaries): form, round trips and messages. */
class ConfigRecordJsonTest {

    static ModelConfig contentModel() {
        return new ModelConfig(
                3416,
                48,
                2,
                2,
                96,
                200,
                5000,
                12,
                1,
                3,
                Positional.SINUSOIDAL,
                Norm.POST,
                Pooling.MAX,
                0.15f,
                1e-6f,
                false,
                true);
    }

    private static ModelConfig model(Map<String, Object> m) {
        return Json.read(Json.write(m), ModelConfig.class, "model config");
    }

    private static LossSpec loss(String json) {
        return Json.read(json, LossSpec.class, "loss");
    }

    private static Map<String, Object> map(Object record) {
        return Json.toMap(record);
    }

    @Test
    void modelConfigRoundTripsThroughJsonText() {
        for (ModelConfig c :
                List.of(contentModel(), ModelConfig.builder().numItems(10).build())) {
            assertThat(Json.read(Json.pretty(c), ModelConfig.class, "c")).isEqualTo(c);
        }
    }

    @Test
    void modelConfigJsonHasEveryFieldWithReadableValues() {
        assertThat(Json.write(contentModel()))
                .isEqualTo("{\"numItems\":3416,\"dim\":48,\"heads\":2,\"layers\":2,\"ffnDim\":96,\"maxLen\":200,"
                        + "\"contentVocab\":5000,\"contentLen\":12,\"contentLayers\":1,\"eventTypes\":3,\"positional\":\"sinusoidal\","
                        + "\"norm\":\"post\",\"pooling\":\"max\",\"dropout\":0.15,\"layerNormEps\":1.0E-6,\"scaleEmbeddings\":false,"
                        + "\"itemIds\":true}");
        assertThat(ModelConfig.class.getRecordComponents())
                .hasSize(map(contentModel()).size());
    }

    @Test
    void unknownMissingAndMistypedKeysAreNamed() {
        Map<String, Object> m = map(contentModel());
        m.put("hedas", 2);
        assertThatThrownBy(() -> model(m))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("model config: unknown key \"hedas\"; known keys: [")
                .hasMessageContaining("heads");
        m.remove("hedas");
        m.remove("heads");
        assertThatThrownBy(() -> model(m)).hasMessage("model config: missing key \"heads\"");
        m.put("heads", "two");
        assertThatThrownBy(() -> model(m))
                .hasMessage("model config: heads: expected an integer, found the string \"two\"");
        m.put("heads", "2");
        assertThatThrownBy(() -> model(m))
                .hasMessage("model config: heads: expected an integer, found the string \"2\"");
        m.put("heads", 2.0);
        assertThatThrownBy(() -> model(m)).hasMessage("model config: heads: expected an integer, found the number 2.0");
        m.put("heads", 5_000_000_000L);
        assertThatThrownBy(() -> model(m))
                .hasMessageStartingWith("model config: heads: expected a number within the range of int");
        m.put("heads", null);
        assertThatThrownBy(() -> model(m)).hasMessage("model config: heads: expected an integer, found null");
        m.put("heads", 2);
        m.put("norm", "middle");
        assertThatThrownBy(() -> model(m))
                .hasMessage("model config: norm: expected one of [pre, post, sasrec], found the string \"middle\"");
        m.put("norm", "sasrec");
        assertThat(model(m).norm()).isEqualTo(Norm.SASREC);
        m.put("norm", "PRE");
        assertThat(model(m).norm()).isEqualTo(Norm.PRE);
        m.put("layerNormEps", 1e300);
        assertThatThrownBy(() -> model(m))
                .hasMessage("model config: layerNormEps must be a finite number > 0, found Infinity");
        m.put("layerNormEps", 1e-5);
        m.put("dropout", true);
        assertThatThrownBy(() -> model(m))
                .hasMessage("model config: dropout: expected a number, found the boolean true");
        m.put("dropout", 0.1);
        m.put("itemIds", 1);
        assertThatThrownBy(() -> model(m))
                .hasMessage("model config: itemIds: expected true or false, found the integer 1");
        assertThatThrownBy(() -> Json.read("[]", ModelConfig.class, "model config"))
                .hasMessage("model config: expected an object, found an array");
    }

    @Test
    void invalidValuesFailWithTheRecordsOwnMessage() {
        Map<String, Object> m = map(contentModel());
        m.put("heads", 5);
        assertThatThrownBy(() -> model(m))
                .hasMessage(
                        "model config: dim must be divisible by heads: expected dim % heads == 0, found dim=48, heads=5");
    }

    @Test
    void everyLossRoundTripsAndHasTheDocumentedForm() {
        List<LossSpec> all = List.of(
                new LossSpec.Bce(1),
                new LossSpec.Mse(),
                new LossSpec.Bpr(4),
                new LossSpec.Hinge(2, 0.5f),
                new LossSpec.SoftmaxCe(),
                new LossSpec.SampledSoftmax(3000, true),
                new LossSpec.Gbce(256, 0.75f));
        for (LossSpec l : all) {
            assertThat(loss(Json.pretty(l))).isEqualTo(l);
            assertThat(map(l).get("name")).isEqualTo(l.name());
        }
        assertThat(all.stream().map(LossSpec::name).toList()).isEqualTo(LossSpec.names());
        assertThat(loss("{\"name\": \"gbce\", \"negatives\": 256, \"t\": 0.75}"))
                .isEqualTo(new LossSpec.Gbce(256, 0.75f));
        assertThat(loss("{\"negatives\": 256, \"t\": 0.75, \"name\": \"gbce\"}"))
                .isEqualTo(new LossSpec.Gbce(256, 0.75f));
        assertThat(Json.write(new LossSpec.SampledSoftmax(100, false)))
                .isEqualTo("{\"name\":\"sampled-softmax\",\"negatives\":100,\"logQ\":false}");
        assertThat(Json.write(new LossSpec.Mse())).isEqualTo("{\"name\":\"mse\"}");
    }

    @Test
    void lossErrorsNameTheLossAndItsKeys() {
        assertThatThrownBy(() -> loss("{\"name\": \"focal\"}"))
                .hasMessage(
                        "loss: unknown name \"focal\"; known: [bce, mse, bpr, hinge, softmax, sampled-softmax, gbce]");
        assertThatThrownBy(() -> loss("{\"name\": \"gbce\", \"negatives\": 256}"))
                .hasMessage("loss: missing key \"t\"");
        assertThatThrownBy(() -> loss("{\"name\": \"mse\", \"negatives\": 1}"))
                .hasMessageStartingWith("loss: unknown key \"negatives\"; known keys: [");
        assertThatThrownBy(() -> loss("{\"name\": \"gbce\", \"negatives\": 256, \"t\": 2}"))
                .hasMessage("loss: t (the gBCE calibration) must be in [0, 1], found 2.0");
        assertThatThrownBy(() -> loss("{\"negatives\": 256}")).hasMessageStartingWith("loss: missing key \"name\"");
    }

    @Test
    void lossesAreBuiltFromTheirNameAndTheParametersTheyHave() {
        Map<String, Object> p = Map.of("negatives", 16, "t", 0.5f, "logQ", false, "margin", 0.3f);
        assertThat(LossSpec.of("gbce", p)).isEqualTo(new LossSpec.Gbce(16, 0.5f));
        assertThat(LossSpec.of("Sampled-Softmax", p)).isEqualTo(new LossSpec.SampledSoftmax(16, false));
        assertThat(LossSpec.of("hinge", p)).isEqualTo(new LossSpec.Hinge(16, 0.3f));
        assertThat(LossSpec.of("mse", p)).isEqualTo(new LossSpec.Mse());
        assertThatThrownBy(() -> LossSpec.of("foo", p))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown loss \"foo\"; known: [bce, mse, bpr, hinge, softmax, sampled-softmax, gbce]");
        assertThatThrownBy(() -> LossSpec.of("bpr", Map.of("negatives", 0)))
                .hasMessage("negatives must be >= 1 for bpr, found 0");
        assertThat(LossSpec.names(Stage.PRETRAIN)).containsExactly("bce", "softmax", "sampled-softmax", "gbce");
        assertThat(LossSpec.names(Stage.FINETUNE)).containsExactly("bce", "mse", "bpr", "hinge");
    }

    @Test
    void trainAndOptimizerConfigsRoundTrip() {
        OptimizerConfig opt = new OptimizerConfig(OptimizerConfig.Type.ADAMW, 0.9f, 0.999f, 1e-8f, 0.01f, 1f);
        TrainConfig t = new TrainConfig(
                Stage.FINETUNE,
                new LossSpec.Hinge(4, 0.3f),
                Sampling.POPULARITY,
                7,
                64,
                3e-4f,
                100,
                Schedule.COSINE,
                0.1f,
                opt,
                1,
                5,
                1000,
                -1234567890123L);
        assertThat(Json.read(Json.pretty(t), TrainConfig.class, "t")).isEqualTo(t);
        for (TrainConfig d : List.of(TrainConfig.pretrainDefaults(), TrainConfig.finetuneDefaults())) {
            assertThat(Json.read(Json.pretty(d), TrainConfig.class, "t")).isEqualTo(d);
        }
        assertThat(Json.read(Json.pretty(opt), OptimizerConfig.class, "o")).isEqualTo(opt);
        assertThat(map(opt).get("type")).isEqualTo("adamw");
        assertThat(map(t).get("stage")).isEqualTo("finetune");
    }

    @Test
    @SuppressWarnings("unchecked")
    void nestedErrorsGiveTheFullPath() {
        Map<String, Object> m = map(TrainConfig.pretrainDefaults());
        Map<String, Object> opt = (Map<String, Object>) m.get("optimizer");
        opt.put("beta1", "x");
        assertThatThrownBy(() -> Json.read(Json.write(m), TrainConfig.class, "train config"))
                .hasMessage("train config: optimizer.beta1: expected a number, found the string \"x\"");
        opt.put("beta1", 1.5);
        assertThatThrownBy(() -> Json.read(Json.write(m), TrainConfig.class, "train config"))
                .hasMessage("train config: optimizer: beta1 must be in [0, 1), found 1.5");
        opt.put("beta1", 0.9);
        m.put("loss", Map.of("name", "mse"));
        assertThatThrownBy(() -> Json.read(Json.write(m), TrainConfig.class, "train config"))
                .hasMessageStartingWith(
                        "train config: loss 'mse' cannot be used for PRETRAIN (pre-training: bce, softmax,");
    }
}
