package dev.recsys.examples.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.eval.data.Dataset;
import dev.recsys.examples.TinyRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataRecipeTest {
    @Test
    void theWindowIsTheRoundedNinetyNinthPercentileWithinItsBounds() {
        assertThat(DataRecipe.maxLen(908)).isEqualTo(200); // ML-1M
        assertThat(DataRecipe.maxLen(43)).isEqualTo(50);
        assertThat(DataRecipe.maxLen(50)).isEqualTo(50);
        assertThat(DataRecipe.maxLen(3)).isEqualTo(10);
    }

    @Test
    void negativesAreThreeThousandOrEveryOtherItem() {
        assertThat(DataRecipe.negatives(3416)).isEqualTo(3000);
        assertThat(DataRecipe.negatives(23_700)).isEqualTo(3000);
        assertThat(DataRecipe.negatives(60)).isEqualTo(59);
        assertThat(DataRecipe.negatives(1)).isEqualTo(1);
    }

    @Test
    void theRecipeIsAValidConfigAndTheUsersSetsWin() throws Exception {
        Dataset d = DataSource.load(TinyRun.DATA, null, null);
        ExperimentConfig c = ConfigLoader.load(null, DataRecipe.overrides(d));
        assertThat(c.pretrain().loss()).isEqualTo("sampled-softmax");
        assertThat(c.pretrain().sampling()).isEqualTo(dev.recsys.api.config.Sampling.UNSEEN);
        assertThat(c.pretrain().negatives()).isEqualTo(d.numItems() - 1);
        assertThat(c.model().maxLen())
                .isEqualTo(DataRecipe.maxLen(
                        dev.recsys.eval.data.DatasetStats.of(d).p99()));
        assertThat(c.model().useContent()).isFalse();
        assertThat(c.model().norm()).isEqualTo(dev.recsys.api.config.Norm.SASREC);
        List<String> mine = new ArrayList<>(DataRecipe.overrides(d));
        mine.add("pretrain.negatives=7");
        assertThat(ConfigLoader.load(null, mine).pretrain().negatives()).isEqualTo(7);
    }
}
