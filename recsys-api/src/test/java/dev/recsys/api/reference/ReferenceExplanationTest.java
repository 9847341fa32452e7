package dev.recsys.api.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.contract.ContractFixtures;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.Weights;
import org.junit.jupiter.api.Test;

/**
 * {@link ReferenceModel#explain} against the attention weights worked out again from the public
 * forward pass (layer outputs, user output, content output) and the parameters: a PRE-norm model
 * with two layers, two heads and content. The trace gives floats, hence agreement to 1e-6, not 1e-12.
 */
class ReferenceExplanationTest {
    private final ContractFixtures.Case c = ContractFixtures.cases().get(0);
    private final ModelConfig cfg = c.config();
    private final Weights w = ContractFixtures.weights(cfg);
    private final ReferenceModel ref = new ReferenceModel(cfg, ContractFixtures.content(cfg), w);
    private final SeqBatch row = new SeqBatch(1, 5, new int[] {0, 0, 3, 5, 2}, new int[] {0, 0, 1, 0, 1});
    private final int d = cfg.dim();
    private final int heads = cfg.heads();
    private final int dh = d / heads;

    @Test
    void historyWeightsAreTheLastLayersAttentionOfTheLastPosition() {
        ReferenceModel.Explanation e = ref.explain(row, new int[] {1, 6});
        // the last layer's input is layer 0's output; PRE: h = LN(x), q and k are projections of h
        double[] x = toDoubles(ref.trace(row, null, 0).get(ForwardTrace.userLayer(0)));
        String p = "user_encoder.layers.1.attention";
        double[] h = RefOps.layerNorm(
                x,
                5,
                d,
                p("user_encoder.layers.1.attention_norm.weight"),
                p("user_encoder.layers.1.attention_norm.bias"),
                cfg.layerNormEps());
        double[] q = RefOps.linear(h, 5, d, p(p + ".query.weight"), p(p + ".query.bias"), d);
        double[] k = RefOps.linear(h, 5, d, p(p + ".key.weight"), p(p + ".key.bias"), d);
        double[] expected = new double[5];
        for (int hd = 0; hd < heads; hd++) {
            double[] s = new double[5];
            boolean[] allowed = {false, false, true, true, true}; // positions 0 and 1 are padding
            for (int j = 0; j < 5; j++) {
                s[j] = dot(q, 4 * d + hd * dh, k, j * d + hd * dh) / Math.sqrt(dh);
            }
            double[] a = softmax(s, allowed);
            for (int j = 0; j < 5; j++) {
                expected[j] += a[j] / heads;
            }
        }
        assertThat(e.history()).containsExactly(expected, within(1e-6));
        assertThat(e.history()[0]).isZero();
        assertThat(e.history()[1]).isZero();
        assertThat(e.history()[2] + e.history()[3] + e.history()[4]).isCloseTo(1, within(1e-12));
    }

    @Test
    void tokenWeightsAreTheCrossAttentionAveragedOverTheHistory() {
        int[] items = {6, 3};
        ReferenceModel.Explanation e = ref.explain(row, items);
        double[] u = toDoubles(ref.trace(row, null, 0).get(ForwardTrace.USER_OUTPUT));
        double[] content = ref.contentOutput();
        int t = cfg.contentLen();
        int[] tokens = ContractFixtures.content(cfg).tokens();
        String p = "cross.attention";
        double[] q = RefOps.linear(u, 5, d, p(p + ".query.weight"), p(p + ".query.bias"), d);
        for (int c = 0; c < items.length; c++) {
            double[] keys = java.util.Arrays.copyOfRange(content, items[c] * t * d, (items[c] + 1) * t * d);
            double[] k = RefOps.linear(keys, t, d, p(p + ".key.weight"), p(p + ".key.bias"), d);
            boolean[] allowed = new boolean[t];
            for (int j = 0; j < t; j++) {
                allowed[j] = tokens[items[c] * t + j] != 0;
            }
            double[] expected = new double[t];
            for (int pos = 2; pos < 5; pos++) { // the three items of the history
                for (int hd = 0; hd < heads; hd++) {
                    double[] s = new double[t];
                    for (int j = 0; j < t; j++) {
                        s[j] = dot(q, pos * d + hd * dh, k, j * d + hd * dh) / Math.sqrt(dh);
                    }
                    double[] a = softmax(s, allowed);
                    for (int j = 0; j < t; j++) {
                        expected[j] += a[j] / (heads * 3.0);
                    }
                }
            }
            assertThat(e.tokens()[c]).as("item %d", items[c]).containsExactly(expected, within(1e-6));
            assertThat(java.util.Arrays.stream(e.tokens()[c]).sum()).isCloseTo(1, within(1e-12));
        }
        // item 6's content is the marker and tokens 11, 2: the padding tokens after them get nothing
        assertThat(e.tokens()[0][3]).isZero();
    }

    @Test
    void anIdOnlyModelHasNoTokenWeightsAndBatchesAreRefused() {
        ContractFixtures.Case ids = ContractFixtures.cases().get(2);
        ReferenceModel m = new ReferenceModel(ids.config(), null, ContractFixtures.weights(ids.config()));
        ReferenceModel.Explanation e = m.explain(row, new int[] {1});
        assertThat(e.tokens()).isNull();
        assertThat(java.util.Arrays.stream(e.history()).sum()).isCloseTo(1, within(1e-12));
        assertThatThrownBy(() -> ref.explain(ContractFixtures.batch(cfg), new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one history");
    }

    private double[] p(String name) {
        return toDoubles(w.data(name));
    }

    private static double[] toDoubles(float[] f) {
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    private double dot(double[] a, int ao, double[] b, int bo) {
        double s = 0;
        for (int i = 0; i < dh; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    private static double[] softmax(double[] s, boolean[] allowed) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < s.length; j++) {
            if (allowed[j]) {
                max = Math.max(max, s[j]);
            }
        }
        double sum = 0;
        double[] out = new double[s.length];
        for (int j = 0; j < s.length; j++) {
            out[j] = allowed[j] ? Math.exp(s[j] - max) : 0;
            sum += out[j];
        }
        for (int j = 0; j < s.length; j++) {
            out[j] /= sum;
        }
        return out;
    }
}
