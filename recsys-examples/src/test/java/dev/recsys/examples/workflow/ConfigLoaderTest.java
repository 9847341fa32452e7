package dev.recsys.examples.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading configs: every bad value fails at load, in one line naming the source, the key and what was expected. */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static String error(Path file, String... sets) {
        try {
            ConfigLoader.load(file, List.of(sets));
        } catch (DataException e) {
            assertThat(e.getMessage())
                    .doesNotContain("\n")
                    .doesNotContain("com.fasterxml")
                    .doesNotContain("Creator");
            return e.getMessage();
        }
        throw new AssertionError("expected the config to be refused");
    }

    @Test
    void theDefaultsAreTheApiDefaults() {
        ExperimentConfig c = ConfigLoader.load(null, List.of());
        ModelConfig m = Configs.model(c, 10, 0, 0);
        assertThat(m).isEqualTo(ModelConfig.builder().numItems(10).heads(2).build());
        assertThat(Configs.train(c, c.pretrain(), Stage.PRETRAIN, "pretrain"))
                .isEqualTo(TrainConfig.pretrainDefaults());
        assertThat(Configs.train(c, c.finetune(), Stage.FINETUNE, "finetune"))
                .isEqualTo(TrainConfig.finetuneDefaults());
        assertThat(c.pretrain().gbceT()).isEqualTo(0.75f);
        assertThat(c.pretrain().logQ()).isTrue();
        assertThat(c.pretrain().margin()).isEqualTo(0.5f);
        assertThat(c.seed()).isEqualTo(42L);
    }

    @Test
    void aFileAndOverridesBuildTheApiRecords() throws Exception {
        Path f = Files.writeString(
                dir.resolve("c.yaml"),
                "model: {dim: 32, norm: POST}\npretrain: {loss: gbce, negatives: 64, gbceT: 0.5}\n");
        ExperimentConfig c = ConfigLoader.load(f, List.of("finetune.loss=hinge", "finetune.margin=0.25"));
        assertThat(c.model().norm()).isEqualTo(Norm.POST);
        assertThat(ConfigLoader.load(null, List.of("model.norm=sasrec")).model().norm())
                .isEqualTo(Norm.SASREC);
        assertThat(Configs.loss(c.pretrain(), "pretrain")).isEqualTo(new LossSpec.Gbce(64, 0.5f));
        assertThat(Configs.loss(c.finetune(), "finetune")).isEqualTo(new LossSpec.Hinge(8, 0.25f));
    }

    @Test
    void negativeEpochsAreRefusedAtLoadNotSkipped() {
        assertThat(error(null, "pretrain.epochs=-1"))
                .isEqualTo("--set pretrain.epochs=-1: pretrain.epochs: epochs must be >= 0, found -1");
    }

    @Test
    void valuesTheRecordsRefuseNameTheirSourceAndKey() throws Exception {
        assertThat(error(null, "pretrain.loss=foo"))
                .isEqualTo(
                        "--set pretrain.loss=foo: pretrain.loss: unknown loss \"foo\"; known: [bce, mse, bpr, hinge, softmax, sampled-softmax, gbce]");
        assertThat(error(null, "model.dropout=1.5"))
                .isEqualTo("--set model.dropout=1.5: model.dropout: dropout must be in [0, 1), found 1.5");
        assertThat(error(null, "finetune.loss=softmax"))
                .startsWith("--set finetune.loss=softmax: finetune.loss: loss 'softmax' cannot be used for FINETUNE");
        assertThat(error(null, "finetune.negatives=0"))
                .isEqualTo("--set finetune.negatives=0: finetune.negatives: negatives must be >= 1 for bpr, found 0");
        assertThat(error(null, "pretrain.evalEvery=-2"))
                .isEqualTo("--set pretrain.evalEvery=-2: pretrain.evalEvery: evalEveryEpochs must be >= 0, found -2");
        assertThat(error(null, "content.length=0"))
                .startsWith("--set content.length=0: content.length: contentLen must be > 0");
        assertThat(error(null, "eval.metric=ndcg@50"))
                .startsWith("--set eval.metric=ndcg@50: eval.metric: expected a metric at one of the cut-offs");
        assertThat(error(null, "eval.protocol=loo"))
                .isEqualTo("--set eval.protocol=loo: eval.protocol: expected full or sampled, found loo");
        assertThat(error(null, "pretrain.checkpointEvery=-1"))
                .isEqualTo(
                        "--set pretrain.checkpointEvery=-1: pretrain.checkpointEvery: checkpointEverySteps must be >= 0, found -1");
        assertThat(error(null, "finetune.optimizer=sgd"))
                .isEqualTo(
                        "--set finetune.optimizer=sgd: finetune.optimizer: expected one of [adam, adamw], found the string \"sgd\"");
        assertThat(error(null, "pretrain.loss=gbce", "pretrain.gbceT=1.5"))
                .isEqualTo(
                        "--set pretrain.gbceT=1.5: pretrain.gbceT: t (the gBCE calibration) must be in [0, 1], found 1.5");
        // a message that does not start with a key: the section, and the --set that the message names
        assertThat(error(null, "model.itemIds=false", "model.useContent=false"))
                .startsWith("--set model.itemIds=false: model: the model needs item ids or item content");
        // heads from the file, dim left at its default: the file is blamed
        Path f = Files.writeString(dir.resolve("h.yaml"), "model:\n  heads: 3\n");
        assertThat(error(f))
                .isEqualTo(
                        f
                                + ": model.dim: dim must be divisible by heads: expected dim % heads == 0, found dim=64, heads=3");
    }

    @Test
    void wrongTypesNameTheKeyAndTheSourceNotJacksonInternals() throws Exception {
        assertThat(error(null, "model.dim=abc"))
                .isEqualTo("--set model.dim=abc: model.dim: expected an integer, found the string \"abc\"");
        assertThat(error(null, "model.dim=1.5"))
                .isEqualTo("--set model.dim=1.5: model.dim: expected an integer, found the number 1.5");
        assertThat(error(null, "model.norm=middle"))
                .isEqualTo(
                        "--set model.norm=middle: model.norm: expected one of [pre, post, sasrec], found the string \"middle\"");
        assertThat(error(null, "pretrain.sampling=null"))
                .isEqualTo("--set pretrain.sampling=null: pretrain.sampling: must be set (found null)");
        Path f = Files.writeString(dir.resolve("t.yaml"), "model:\n  dim: sixty\n");
        assertThat(error(f)).isEqualTo(f + ": model.dim: expected an integer, found the string \"sixty\"");
        Path j = Files.writeString(dir.resolve("t.json"), "{\"pretrain\": {\"logQ\": \"yes\"}}");
        assertThat(error(j)).isEqualTo(j + ": pretrain.logQ: expected true or false, found the string \"yes\"");
        assertThat(error(null, "model.dimm=3"))
                .startsWith("--set model.dimm=3: unknown config key 'model.dimm'; known keys: [dim,");
    }

    @Test
    void aKeyGivenTwiceInOneFileIsAnError() throws Exception {
        Path y = Files.writeString(dir.resolve("d.yaml"), "pretrain:\n  epochs: 5\n  batchSize: 64\n  epochs: 7\n");
        assertThat(error(y))
                .startsWith(y + ": line 4, column ")
                .endsWith("duplicate key \"epochs\" (each key may appear once in an object)");
        Path j = Files.writeString(dir.resolve("d.json"), "{\"seed\": 1,\n \"seed\": 2}");
        assertThat(error(j))
                .startsWith(j + ": line 2, column ")
                .endsWith("duplicate key \"seed\" (each key may appear once in an object)");
    }
}
