package dev.recsys.examples.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.metrics.PairedTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CompareConfigsExampleTest {
    @Test
    void pairedComparisonMatchesTheTwoResults() {
        Dataset d = TinyData.synthetic();
        CompareConfigsExample.Variant[] v = CompareConfigsExample.defaults(d.numItems(), 2, 42L);
        CompareConfigsExample.Outcome o = CompareConfigsExample.run(d, v[0], v[1], "djl");
        PairedTest.Comparison c = o.ndcg();
        assertThat(c.users()).isEqualTo(o.a().usersEvaluated()).isEqualTo(o.b().usersEvaluated());
        assertThat(c.meanA()).isCloseTo(o.a().metric("ndcg@10"), within(1e-9));
        assertThat(c.meanB()).isCloseTo(o.b().metric("ndcg@10"), within(1e-9));
        assertThat(c.meanDiff()).isCloseTo(c.meanA() - c.meanB(), within(1e-9));
        assertThat(c.ciLow()).isLessThanOrEqualTo(c.meanDiff());
        assertThat(c.ciHigh()).isGreaterThanOrEqualTo(c.meanDiff());
        assertThat(c.pValue()).isBetween(0.0, 1.0);
        assertThat(o.recall().meanA()).isCloseTo(o.a().metric("recall@10"), within(1e-9));
        // the two losses really trained different models
        assertThat(Arrays.equals(o.a().perUser("ndcg@10"), o.b().perUser("ndcg@10")))
                .isFalse();
    }

    @Test
    void aConfigurationComparedWithItselfDiffersByExactlyZero() {
        Dataset d = TinyData.synthetic();
        CompareConfigsExample.Variant[] v = CompareConfigsExample.defaults(d.numItems(), 1, 3L);
        CompareConfigsExample.Outcome o = CompareConfigsExample.run(d, v[0], v[0], "djl");
        // same seed, same data: training is repeatable, so every user's value is identical
        assertThat(o.a().perUser("ndcg@10")).containsExactly(o.b().perUser("ndcg@10"));
        assertThat(o.ndcg().meanDiff()).isZero();
        assertThat(o.ndcg().pValue()).isEqualTo(1.0);
    }

    @Test
    void mainPrintsBothResultsAndTheVerdict() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            CompareConfigsExample.main(new String[] {"1", "60", "40"});
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .contains("bce-1: ")
                .contains("sampled-softmax-16: ")
                .contains("ndcg@10: a=")
                .contains("recall@10: a=");
        assertThat(out)
                .containsAnyOf("the NDCG difference is significant at 5%", "no significant NDCG difference at 5%");
    }
}
