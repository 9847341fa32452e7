package dev.recsys.examples.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every config in the repository's configs/ folder loads and gives valid training settings for both stages. */
class ShippedConfigsTest {
    @Test
    void everyShippedConfigIsValid() throws IOException {
        Path dir = Path.of("..", "configs");
        assertThat(dir).isDirectory();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json"))
                    .sorted()
                    .toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        for (Path f : files) {
            ExperimentConfig c = ConfigLoader.load(f, List.of());
            assertThat(c.model().dim()).as(f.toString()).isPositive();
            Configs.train(c, c.pretrain(), dev.recsys.api.loss.Stage.PRETRAIN, "pretrain");
            if (c.finetune() != null && c.finetune().epochs() > 0) {
                Configs.train(c, c.finetune(), dev.recsys.api.loss.Stage.FINETUNE, "finetune");
            }
        }
    }
}
