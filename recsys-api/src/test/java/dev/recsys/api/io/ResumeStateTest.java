package dev.recsys.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.Weights;
import dev.recsys.api.train.TrainState;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resume state of a two-stage run: trainer.json fields, optimizer tensors, best weights, hard-negative pools. */
class ResumeStateTest {
    @TempDir
    Path tmp;

    private static final int[][] POOLS = {{}, {3, 7, 11}, null, {12}, {5, 4, 3, 2, 1}};

    private static TrainState state(Weights w, Weights best) {
        Weights opt = new Weights();
        opt.put(
                "m.item_embedding.weight",
                w.get("item_embedding.weight").shape(),
                w.data("item_embedding.weight").clone());
        opt.put("step", new int[] {1}, new float[] {17f});
        return new TrainState(2, 17L, 3, w, opt, 0.25, 1, 1, best);
    }

    @Test
    void everyFieldAndThePoolsRoundTripWithThePoolsAsInt32() throws Exception {
        Weights w = CheckpointTest.randomWeights(CheckpointTest.ID_ONLY, 1);
        Weights best = CheckpointTest.randomWeights(CheckpointTest.ID_ONLY, 2);
        Path dir = tmp.resolve("run");
        ResumeState.write(
                dir,
                CheckpointData.of(CheckpointTest.ID_ONLY, w, null),
                new ResumeState(Stage.FINETUNE, state(w, best), POOLS));

        Safetensors.Header h = Safetensors.readHeader(dir.resolve(Checkpoint.OPTIMIZER));
        assertThat(h.tensors().get(ResumeState.HARD_NEGATIVES).dtype()).isEqualTo(Safetensors.Dtype.I32);
        assertThat(h.tensors().get(ResumeState.HARD_NEGATIVES).shape()).containsExactly(5L, 5L);
        assertThat(h.tensors().get("best.item_embedding.weight").dtype()).isEqualTo(Safetensors.Dtype.F32);

        ResumeState back = ResumeState.read(dir).orElseThrow();
        assertThat(back.stage()).isEqualTo(Stage.FINETUNE);
        TrainState st = back.state();
        assertThat(st.epochsDone()).isEqualTo(2);
        assertThat(st.step()).isEqualTo(17L);
        assertThat(st.stepInEpoch()).isEqualTo(3);
        assertThat(st.bestMetric()).isEqualTo(0.25);
        assertThat(st.bestEpoch()).isEqualTo(1);
        assertThat(st.badChecks()).isEqualTo(1);
        assertThat(st.weights().maxAbsDiff(w)).isZero();
        assertThat(st.bestWeights().maxAbsDiff(best)).isZero();
        assertThat(st.optimizer().names()).containsExactly("m.item_embedding.weight", "step");
        assertThat(st.optimizer().data("step")).containsExactly(17f);
        // a user without a pool reads back as an empty one, as before
        assertThat(back.hardNegatives()).isDeepEqualTo(new int[][] {{}, {3, 7, 11}, {}, {12}, {5, 4, 3, 2, 1}});
    }

    @Test
    void poolsOfIdsAbove2To24SurviveWhichFloatsCouldNot() throws Exception {
        int big = (1 << 24) + 1;
        Weights w = CheckpointTest.randomWeights(CheckpointTest.ID_ONLY, 1);
        TrainState st = new TrainState(0, 0, 0, w, new Weights(), Double.NaN, 0, 0, null);
        TrainingState ts = new ResumeState(Stage.FINETUNE, st, new int[][] {{big, big + 2}}).toTrainingState();
        Path dir = tmp.resolve("big");
        Checkpoint.write(dir, CheckpointData.of(CheckpointTest.ID_ONLY, w, null), ts);
        ResumeState back = ResumeState.read(dir).orElseThrow();
        assertThat(back.hardNegatives()).isDeepEqualTo(new int[][] {{big, big + 2}});
        assertThat((int) (float) big).isNotEqualTo(big); // the old float32 encoding would have lost it
        assertThat(back.state().bestMetric()).isNaN();
        assertThat(back.state().bestWeights()).isNull();
    }

    @Test
    void aStateWrittenByTheOldCodeWithFloatPoolsStillReads() throws Exception {
        // exactly what the command line wrote before the pools were integers: F32 [users, width], 0-padded,
        // next to the optimizer and best.* tensors in optimizer.safetensors
        Weights w = CheckpointTest.randomWeights(CheckpointTest.ID_ONLY, 1);
        Weights opt = new Weights();
        opt.put(
                "m.item_embedding.weight",
                w.get("item_embedding.weight").shape(),
                new float[w.data("item_embedding.weight").length]);
        opt.put("finetune.hardNegatives", new int[] {3, 2}, new float[] {4, 9, 0, 0, 11, 0});
        opt.put("best.item_embedding.weight", w.get("item_embedding.weight").shape(), w.data("item_embedding.weight"));
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("stage", "FINETUNE");
        trainer.put("epochsDone", 1L);
        trainer.put("step", 9L);
        trainer.put("stepInEpoch", 2L);
        trainer.put("bestMetric", 0.5);
        trainer.put("bestEpoch", 1L);
        trainer.put("badChecks", 0L);
        Path dir = tmp.resolve("old");
        Checkpoint.write(dir, CheckpointData.of(CheckpointTest.ID_ONLY, w, null), new TrainingState(opt, trainer));

        ResumeState back = ResumeState.read(dir).orElseThrow();
        assertThat(back.hardNegatives()).isDeepEqualTo(new int[][] {{4, 9}, {}, {11}});
        assertThat(back.state().optimizer().names()).containsExactly("m.item_embedding.weight");
        assertThat(back.state().bestWeights().names()).containsExactly("item_embedding.weight");
        assertThat(back.state().step()).isEqualTo(9L);
        assertThat(back.state().stepInEpoch()).isEqualTo(2);
    }

    @Test
    void aModelOnlyFolderHasNoStateAndABadFieldIsNamed() throws Exception {
        Weights w = CheckpointTest.randomWeights(CheckpointTest.ID_ONLY, 1);
        Path dir = tmp.resolve("model");
        Checkpoint.write(dir, CheckpointData.of(CheckpointTest.ID_ONLY, w, null));
        assertThat(ResumeState.read(dir)).isEmpty();

        Checkpoint.write(
                dir,
                CheckpointData.of(CheckpointTest.ID_ONLY, w, null),
                new TrainingState(new Weights(), Map.of("stage", "PRETRAIN", "step", 3L)));
        assertThatThrownBy(() -> ResumeState.read(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("trainer.json: field 'epochsDone' is missing or not a number");
        Checkpoint.write(
                dir,
                CheckpointData.of(CheckpointTest.ID_ONLY, w, null),
                new TrainingState(
                        new Weights(),
                        Map.of(
                                "stage",
                                "WARMUP",
                                "epochsDone",
                                0L,
                                "step",
                                0L,
                                "stepInEpoch",
                                0L,
                                "bestEpoch",
                                0L,
                                "badChecks",
                                0L)));
        assertThatThrownBy(() -> ResumeState.read(dir)).hasMessageContaining("unknown stage 'WARMUP'");
    }
}
