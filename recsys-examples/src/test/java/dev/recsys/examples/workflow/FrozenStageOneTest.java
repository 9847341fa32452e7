package dev.recsys.examples.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.train.Trainer;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.pipeline.Prepared;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** finetune.trainable=stage2 moves the cross-attention and the scorer only. */
class FrozenStageOneTest {
    private static final List<String> SETS = List.of(
            "model.dim=16",
            "model.heads=2",
            "model.maxLen=12",
            "model.ffnDim=16",
            "content.length=6",
            "pretrain.epochs=2",
            "pretrain.batchSize=32",
            "pretrain.evalEvery=0",
            "finetune.batchSize=32",
            "finetune.evalEvery=0",
            "finetune.negatives=4",
            "finetune.hardNegatives=10",
            "eval.rerank=10");

    private static Weights train(Backend backend, Prepared p, ExperimentConfig c) {
        try (RecModel m = Workflow.newModel(backend, c, p)) {
            Workflow.pipeline(c, backend).build().train(m, p);
            return m.weights();
        }
    }

    @Test
    void fineTuningTheSecondStageLeavesTheFirstBitIdentical() {
        Dataset d = DataSource.load("synthetic:users=80,items=60,length=10,seed=3", null, null);
        List<String> pre = new ArrayList<>(SETS);
        pre.add("finetune.epochs=0");
        List<String> fine = new ArrayList<>(SETS);
        fine.add("finetune.epochs=2");
        fine.add("finetune.trainable=stage2");
        ExperimentConfig cPre = ConfigLoader.load(null, pre);
        ExperimentConfig cFine = ConfigLoader.load(null, fine);
        Prepared p = Workflow.prepare(d, cPre);
        try (Backend backend = Backends.create("djl", BackendOptions.defaults())) {
            Weights before = train(backend, p, cPre);
            Weights after = train(backend, p, cFine);
            int stage2 = 0;
            for (String n : before.names()) {
                if (Trainer.STAGE1.test(n)) {
                    assertThat(after.data(n)).as(n).containsExactly(before.data(n));
                } else {
                    assertThat(after.data(n)).as(n).isNotEqualTo(before.data(n));
                    stage2++;
                }
            }
            assertThat(stage2)
                    .isEqualTo(10); // cross.attention.{query,key,value,output}.{weight,bias}, scorer.{weight,bias}
        }
    }
}
