package dev.recsys.examples.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.ResumeState;
import dev.recsys.api.io.Safetensors;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.train.CrashAt;
import dev.recsys.api.train.TrainingListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's library example: two stages, validation, checkpoints, and a resumed run that equals an uninterrupted one. */
class TwoStagePipelineExampleTest {
    @TempDir
    Path dir;

    @Test
    void anInterruptedRunResumesFromItsCheckpointToTheWeightsOfAnUninterruptedOne() throws Exception {
        try (Backend backend = Backends.create("djl", BackendOptions.defaults())) {
            TwoStagePipelineExample.Outcome straight =
                    TwoStagePipelineExample.trainOrResume(backend, dir.resolve("a"), new TrainingListener() {});
            assertThat(straight.training().pretrain().epochs()).isBetween(1, 4);
            assertThat(straight.training().pretrain().bestMetric()).isBetween(0.0, 1.0);
            assertThat(straight.training().finetune()).isNotNull();
            assertThat(straight.test().usersEvaluated()).isEqualTo(200);
            assertThat(straight.test().metric("ndcg@10")).isBetween(0.0, 1.0);
            // the saved model carries no training state: a second call trains afresh
            assertThat(ResumeState.read(dir.resolve("a"))).isEmpty();

            Path b = dir.resolve("b");
            assertThatThrownBy(() -> TwoStagePipelineExample.trainOrResume(backend, b, new CrashAt(2, 5)))
                    .hasMessageContaining(CrashAt.MESSAGE);
            ResumeState saved = ResumeState.read(b).orElseThrow();
            assertThat(saved.stage()).isEqualTo(Stage.FINETUNE);
            assertThat(saved.state().step()).isEqualTo(3L);
            assertThat(saved.hardNegatives().length).isEqualTo(201); // one pool per user row, row 0 unused
            assertThat(Safetensors.readHeader(b.resolve(Checkpoint.OPTIMIZER))
                            .tensors()
                            .get(ResumeState.HARD_NEGATIVES)
                            .dtype())
                    .isEqualTo(Safetensors.Dtype.I32);

            TwoStagePipelineExample.Outcome resumed =
                    TwoStagePipelineExample.trainOrResume(backend, b, new TrainingListener() {});
            assertThat(resumed.training().pretrain()).isNull(); // pre-training was done before the crash
            assertThat(resumed.weights().names()).isEqualTo(straight.weights().names());
            for (String n : straight.weights().names()) {
                assertThat(resumed.weights().data(n))
                        .as(n)
                        .containsExactly(straight.weights().data(n));
            }
            assertThat(resumed.test().metric("ndcg@10"))
                    .isEqualTo(straight.test().metric("ndcg@10"));
        }
    }

    @Test
    void theReadmeShowsThisExampleVerbatim() throws Exception {
        String source = Files.readString(
                Path.of("src/main/java/dev/recsys/examples/example/TwoStagePipelineExample.java"),
                StandardCharsets.UTF_8);
        String snippet = source.substring(
                source.indexOf("// README:begin\n") + "// README:begin\n".length(),
                source.indexOf("        // README:end"));
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        String unindented = snippet.lines()
                .map(l -> l.startsWith("        ") ? l.substring(8) : l)
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        assertThat(readme).contains("```java\n" + unindented + "```\n");
    }
}
