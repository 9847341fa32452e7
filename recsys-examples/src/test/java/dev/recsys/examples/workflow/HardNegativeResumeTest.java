package dev.recsys.examples.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.io.ResumeState;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.train.CrashAt;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.pipeline.TrainingPipeline;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning on hard negatives, interrupted and resumed from its checkpoint, ends with the same
 * weights as an uninterrupted run: the pools mined from the pre-trained model travel with the
 * training state, and the dropout stream is sought to the resumed step ({@code RecModel.seekDropout}).
 */
class HardNegativeResumeTest {
    @TempDir
    Path dir;

    private static final List<String> SETS = List.of(
            "model.dim=16",
            "model.heads=2",
            "model.maxLen=12",
            "model.ffnDim=16",
            "model.dropout=0.2",
            "content.length=6",
            "pretrain.epochs=2",
            "pretrain.batchSize=32",
            "pretrain.evalEvery=0",
            "finetune.epochs=2",
            "finetune.batchSize=32",
            "finetune.evalEvery=0",
            "finetune.negatives=4",
            "finetune.hardNegatives=10",
            "finetune.checkpointEvery=1",
            "eval.rerank=10");

    @Test
    void anInterruptedFineTuningResumesToTheSameWeights() throws Exception {
        Dataset d = DataSource.load("synthetic:users=80,items=60,length=10,seed=3", null, null);
        ExperimentConfig c = ConfigLoader.load(null, SETS);
        Prepared p = Workflow.prepare(d, c);
        try (Backend backend = Backends.create("djl", BackendOptions.defaults())) {
            Weights straight;
            try (RecModel m = Workflow.newModel(backend, c, p)) {
                Workflow.pipeline(c, backend)
                        .checkpoints(dir.resolve("a"))
                        .build()
                        .train(m, p);
                straight = m.weights();
            }
            Path b = dir.resolve("b");
            try (RecModel m = Workflow.newModel(backend, c, p)) {
                assertThatThrownBy(() -> Workflow.pipeline(c, backend)
                                .checkpoints(b)
                                .listener(new CrashAt(2, 3))
                                .build()
                                .train(m, p))
                        .hasMessageContaining(CrashAt.MESSAGE);
            }
            ResumeState at = TrainingPipeline.readResume(b);
            assertThat(at.stage()).isEqualTo(Stage.FINETUNE);
            assertThat(at.hardNegatives().length).isEqualTo(p.training().users());
            long withPool = java.util.Arrays.stream(at.hardNegatives())
                    .filter(x -> x.length == 10)
                    .count();
            assertThat(withPool).isGreaterThan(70);
            Weights resumed;
            try (RecModel m = Workflow.newModel(backend, c, p)) {
                Workflow.pipeline(c, backend).checkpoints(b).build().resume(m, p, at);
                resumed = m.weights();
            }
            assertThat(resumed.names()).isEqualTo(straight.names());
            for (String n : straight.names()) {
                assertThat(resumed.data(n)).as(n).containsExactly(straight.data(n));
            }
        }
    }
}
