package dev.recsys.eval.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.config.Sampling;
import dev.recsys.api.config.Schedule;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.io.ResumeState;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceBackend;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.train.CrashAt;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import dev.recsys.eval.synthetic.SyntheticMovieLens;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library pipeline on the engine-free reference backend (finite-difference gradients, so a
 * tiny model): resume, validation-only selection with a baseline, saving and loading.
 */
class TrainingPipelineTest {
    @TempDir
    Path dir;

    private final Backend backend = new ReferenceBackend();
    private static final Prepared DATA =
            Prepared.of(SyntheticMovieLens.generate(new SyntheticMovieLens.Config(24, 12, 4, 0.3, 5)), null);
    private static final ModelConfig MODEL = ModelConfig.builder()
            .numItems(DATA.numItems())
            .dim(4)
            .heads(1)
            .layers(1)
            .ffnDim(4)
            .maxLen(4)
            .dropout(0f)
            .build();

    @AfterEach
    void close() {
        backend.close();
    }

    private static TrainConfig stage(Stage s, LossSpec loss, float lr, int checkpointEvery) {
        return new TrainConfig(
                s,
                loss,
                Sampling.UNIFORM,
                2,
                8,
                lr,
                0,
                Schedule.CONSTANT,
                0f,
                OptimizerConfig.adam(),
                1,
                0,
                checkpointEvery,
                7L);
    }

    private TrainingPipeline.Builder twoStages(int checkpointEvery) {
        return TrainingPipeline.builder(backend)
                .pretrain(stage(Stage.PRETRAIN, new LossSpec.Bce(1), 1e-2f, checkpointEvery))
                .finetune(stage(Stage.FINETUNE, new LossSpec.Bpr(2), 1e-2f, checkpointEvery))
                .hardNegatives(3)
                .rerank(4)
                .seed(7L);
    }

    @Test
    void aResumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws Exception {
        Weights straight;
        TrainingPipeline.Result whole;
        TrainingPipeline uninterrupted =
                twoStages(2).checkpoints(dir.resolve("a")).build();
        try (RecModel m = uninterrupted.newModel(MODEL, DATA)) {
            whole = uninterrupted.train(m, DATA);
            straight = m.weights();
        }
        assertThat(whole.pretrain().validation()).hasSize(2);
        assertThat(whole.finetune().validation()).hasSize(2);

        Path b = dir.resolve("b");
        try (RecModel m = twoStages(2).build().newModel(MODEL, DATA)) {
            assertThatThrownBy(() -> twoStages(2)
                            .checkpoints(b)
                            .listener(new CrashAt(2, 3))
                            .build()
                            .train(m, DATA))
                    .hasMessageContaining(CrashAt.MESSAGE);
        }
        ResumeState at = TrainingPipeline.readResume(b);
        assertThat(at.stage()).isEqualTo(Stage.FINETUNE);
        assertThat(at.state().step()).isEqualTo(2L);
        assertThat(at.hardNegatives()).isNotNull();
        assertThat(at.hardNegatives()[1]).hasSize(3);
        try (RecModel m = twoStages(2).build().newModel(MODEL, DATA)) {
            TrainingPipeline.Result rest = twoStages(2).checkpoints(b).build().resume(m, DATA, at);
            assertThat(rest.pretrain()).isNull();
            assertThat(rest.finetune().bestMetric()).isEqualTo(whole.finetune().bestMetric());
            Weights resumed = m.weights();
            for (String n : straight.names()) {
                assertThat(resumed.data(n)).as(n).containsExactly(straight.data(n));
            }
        }
    }

    @Test
    void aWarmStartedPreTrainingMustBeatItsStartingWeights() {
        // a learning rate too small to change the ranking: no epoch beats the start
        TrainingPipeline p = TrainingPipeline.builder(backend)
                .pretrain(stage(Stage.PRETRAIN, new LossSpec.Bce(1), 1e-9f, 0))
                .seed(7L)
                .build();
        try (RecModel cold = p.newModel(MODEL, DATA);
                RecModel warm = p.newModel(MODEL, DATA)) {
            Weights start = warm.weights();
            assertThat(p.train(cold, DATA).pretrain().bestEpoch())
                    .isEqualTo(1); // without a baseline the first epoch is best
            TrainingPipeline.Result r = p.trainWarmStarted(warm, DATA);
            assertThat(r.pretrain().bestEpoch()).isZero(); // the start stays the selected model
            assertThat(warm.weights().maxAbsDiff(start)).isZero();
        }
    }

    @Test
    void theValidationSubsetIsAFixedSampleOfTheRequestedSize() {
        Split s = DATA.split();
        Split a = TrainingPipeline.subsample(s, 10, 3L);
        Split b = TrainingPipeline.subsample(s, 10, 3L);
        assertThat(a.usersWithTarget(Target.VALIDATION)).isEqualTo(10);
        assertThat(a.validation()).containsExactly(b.validation());
        assertThat(IntStream.rangeClosed(1, s.numUsers())
                        .filter(u -> a.validation()[u] != 0)
                        .allMatch(u -> a.validation()[u] == s.validation()[u]))
                .isTrue();
        assertThat(TrainingPipeline.subsample(s, 1000, 3L)).isSameAs(s);
    }

    @Test
    void aSavedModelLoadsBackWithItsRerankDepthAndRefusesOtherData() throws Exception {
        TrainingPipeline p = twoStages(0).build();
        try (RecModel m = p.newModel(MODEL, DATA)) {
            p.save(dir.resolve("m"), m, DATA);
            try (SavedModel back = SavedModel.load(dir.resolve("m"), backend)) {
                assertThat(back.rerank()).isEqualTo(4);
                assertThat(back.model().weights().maxAbsDiff(m.weights())).isZero();
                assertThat(back.data().itemIds()).hasSize(DATA.numItems() + 1);
                back.requireFits(DATA.dataset());
                Prepared other = Prepared.of(
                        SyntheticMovieLens.generate(new SyntheticMovieLens.Config(24, 15, 4, 0.3, 5)), null);
                assertThatThrownBy(() -> back.requireFits(other.dataset()))
                        .isInstanceOf(DataException.class)
                        .hasMessageContaining("was trained on 12 items but the data has 15");
            }
        }
    }

    @Test
    void settingsThatCannotWorkFailAtBuildTime() {
        TrainConfig pre = stage(Stage.PRETRAIN, new LossSpec.Bce(1), 1e-2f, 0);
        assertThatThrownBy(() -> TrainingPipeline.builder(backend).finetune(pre))
                .hasMessageContaining("the finetune stage needs a FINETUNE TrainConfig, found PRETRAIN");
        assertThatThrownBy(() -> TrainingPipeline.builder(backend)
                        .pretrain(pre)
                        .hardNegatives(5)
                        .build())
                .hasMessageContaining("hardNegatives and freezeStageOne are fine-tuning settings");
        assertThatThrownBy(() -> TrainingPipeline.builder(backend).describe("rerank", "7"))
                .hasMessageContaining("metadata key 'rerank' is set by the pipeline");
    }
}
