package dev.recsys.api.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The reference forward pass against values worked out by hand on d = 2 models. */
class ReferenceModelTest {
    private static final double EPS = 1e-8;
    /** LN with eps = 1e-8 differs from the exact ±1 patterns below by about 1e-8 relative. */
    private static final Offset<Double> CLOSE = within(1e-6);

    @Test
    void layerNormOfOneThreeIsMinusOneOne() {
        // mean 2, biased variance ((1-2)^2 + (3-2)^2) / 2 = 1 -> [-1, 1] / sqrt(1 + eps)
        double eps = 1e-3;
        double[] y = RefOps.layerNorm(new double[] {1, 3}, 1, 2, new double[] {1, 1}, new double[] {0, 0}, eps);
        assertThat(y).containsExactly(new double[] {-1 / Math.sqrt(1 + eps), 1 / Math.sqrt(1 + eps)}, within(1e-15));
        // gain [2, 1] and bias [0.5, 0]: [-2 / sqrt(1.001) + 0.5, 1 / sqrt(1.001)] = [-1.499000..., 0.999500...]
        double[] z = RefOps.layerNorm(new double[] {1, 3, 5, 5}, 2, 2, new double[] {2, 1}, new double[] {0.5, 0}, eps);
        assertThat(z)
                .containsExactly(
                        new double[] {-2 / Math.sqrt(1.001) + 0.5, 1 / Math.sqrt(1.001), 0.5, 0}, within(1e-15));
    }

    @Test
    void sinusoidMatchesTheTransformerFormula() {
        // d = 4: angles p / 10000^0 and p / 10000^(2/4) = p / 100
        assertThat(RefOps.sinusoid(0, 4)).containsExactly(0, 1, 0, 1);
        assertThat(RefOps.sinusoid(1, 4))
                .containsExactly(
                        new double[] {Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01)}, within(1e-15));
        // odd d = 3: the last column is a sine of p / 10000^(2/3) = 2 / 464.158883 = 0.00430886938
        double[] pe = RefOps.sinusoid(2, 3);
        assertThat(pe[0]).isCloseTo(0.909297427, within(1e-9)); // sin 2
        assertThat(pe[1]).isCloseTo(-0.416146837, within(1e-9)); // cos 2
        assertThat(pe[2]).isCloseTo(0.004308856, within(1e-9)); // sin(0.00430886938)
        assertThat(RefOps.sinusoidTable(2, 4))
                .containsExactly(
                        0f, 1f, 0f, 1f, (float) Math.sin(1), (float) Math.cos(1), (float) Math.sin(0.01), (float)
                                Math.cos(0.01));
    }

    @Test
    void causalAttentionWithEqualScoresAveragesTheVisibleValues() {
        // q = 0 makes every score 0, so each query averages the values it may see:
        // query 0 sees {0} -> [1, 2]; query 1 sees {0, 1} -> [2, 3]; query 2 sees {0, 1, 2} -> [3, 4]
        boolean[] causal = {true, false, false, true, true, false, true, true, true};
        double[] v = {1, 2, 3, 4, 5, 6};
        double[] out = RefOps.attend(new double[6], new double[6], v, 3, 3, 2, 1, causal);
        assertThat(out).containsExactly(new double[] {1, 2, 2, 3, 3, 4}, within(1e-15));
    }

    @Test
    void attentionWeightsAreTheSoftmaxOfScaledDotProductsPerHead() {
        // one head, d = 2: q = [0, 1], keys [1, 0] and [0, 1] -> scores [0, 1/sqrt 2 = 0.707107];
        // softmax = [1, e^0.707107] / (1 + 2.028115) = [0.330238, 0.669762]; values [10, 0], [0, 10]
        boolean[] all = {true, true};
        double[] keys = {1, 0, 0, 1};
        double[] values = {10, 0, 0, 10};
        double[] one = RefOps.attend(new double[] {0, 1}, keys, values, 1, 2, 2, 1, all);
        assertThat(one).containsExactly(new double[] {3.302384507, 6.697615493}, within(1e-8));
        // two heads of width 1 (scale 1/sqrt 1): q = [1, 1]; head 0 scores [1, 0] -> weights [0.731059, 0.268941]
        // on values [10, 0] -> 7.310586; head 1 scores [0, 1] -> [0.268941, 0.731059] on [0, 10] -> 7.310586
        double[] two = RefOps.attend(new double[] {1, 1}, keys, values, 1, 2, 2, 2, all);
        assertThat(two).containsExactly(new double[] {7.310585786, 7.310585786}, within(1e-8));
        // dropout on the weights rewrites softmax(S) after the softmax and before the values (no renormalising):
        // dropping key 1 and doubling key 0 of [0.330238, 0.669762] gives 2 * 0.330238 * [10, 0]
        double[] dropped = RefOps.attend(new double[] {0, 1}, keys, values, 1, 2, 2, 1, all, null, row -> {
            row[0] *= 2;
            row[1] = 0;
        });
        assertThat(dropped).containsExactly(new double[] {6.604769014, 0}, within(1e-8));
        // a disallowed key gets weight exactly 0 whatever its score
        double[] masked = RefOps.attend(new double[] {0, 100}, keys, values, 1, 2, 2, 1, new boolean[] {true, false});
        assertThat(masked).containsExactly(10, 0);
    }

    /**
     * N = 2, d = 2, one head, one PRE layer, maxLen 3, id-only, MAX pooling. Attention query/key
     * weights are 0 (uniform attention over the allowed keys), value/output projections and both
     * FFN matrices are the identity, biases 0, LN gains 1; final norm gain [1, 2], bias [0, 0.5];
     * scorer w = [1, 0.5], b = 0.25.
     */
    private static ReferenceModel handModel() {
        return handModel(Norm.PRE);
    }

    /** {@link #handModel()} with another layer layout (the same parameters). */
    private static ReferenceModel handModel(Norm norm) {
        ModelConfig c = ModelConfig.builder()
                .numItems(2)
                .dim(2)
                .heads(1)
                .layers(1)
                .ffnDim(2)
                .maxLen(3)
                .positional(Positional.LEARNED)
                .norm(norm)
                .pooling(Pooling.MAX)
                .dropout(0f)
                .layerNormEps((float) EPS)
                .scaleEmbeddings(false)
                .build();
        Weights w = neutralWeights(c);
        set(w, ParamLayout.ITEM_EMBEDDING, 7, 7, 1, 0, 0, 2); // row 0 (padding) [7, 7] must never matter
        set(w, ParamLayout.POSITION_EMBEDDING, 5, -5, 0, 0, 1, 1); // row 0 is never used when L = 2 (right-aligned)
        String p = "user_encoder.layers.0";
        set(w, p + ".attention.value.weight", 1, 0, 0, 1);
        set(w, p + ".attention.output.weight", 1, 0, 0, 1);
        set(w, p + ".ffn.in.weight", 1, 0, 0, 1);
        set(w, p + ".ffn.out.weight", 1, 0, 0, 1);
        set(w, "user_encoder.final_norm.weight", 1, 2);
        set(w, "user_encoder.final_norm.bias", 0, 0.5f);
        set(w, "cross.attention.value.weight", 1, 0, 0, 1);
        set(w, "cross.attention.output.weight", 1, 0, 0, 1);
        set(w, ParamLayout.SCORER_WEIGHT, 1, 0.5f);
        set(w, ParamLayout.SCORER_BIAS, 0.25f);
        return new ReferenceModel(c, null, w);
    }

    @Test
    void onePreNormLayerByHand() {
        ReferenceModel m = handModel();
        // row A = [1, 2]; row B = [0, 2] (left padding)
        SeqBatch batch = new SeqBatch(2, 2, new int[] {1, 2, 0, 2}, null);
        ForwardTrace t = m.trace(batch, new int[] {1, 2, 2, 1}, 2);

        // Row A. Positions are right-aligned: slot j uses row maxLen - L + j = 1 + j of the table.
        //   x0 = [[1,0] + [0,0], [0,2] + [1,1]] = [[1,0], [1,3]]
        // Row B: slot 0 is padding: [7,7] + [0,0] (trace shows the input before the keep mask), slot 1 = [1,3]
        assertThat(t.get(ForwardTrace.USER_INPUT)).containsExactly(1, 0, 1, 3, 7, 7, 1, 3);
        // Row A, layer 0:
        //   LN_a: [1,0] -> mean .5, var .25 -> [1,-1];  [1,3] -> mean 2, var 1 -> [-1,1]
        //   uniform causal attention: query 0 sees {0} -> [1,-1]; query 1 averages [1,-1],[-1,1] -> [0,0]
        //   x1 = x0 + attn = [[2,-1], [1,3]]
        //   LN_f: [2,-1] -> [1,-1];  [1,3] -> [-1,1];  FFN = relu(h I) I = [[1,0], [0,1]]
        //   x2 = x1 + FFN = [[3,-1], [1,4]]
        // Row B: x0 * keep = [[0,0], [1,3]]; LN_a = [[0,0], [-1,1]] (a zero row normalises to 0);
        //   query 0 (padding) sees only itself -> [0,0]; query 1 may not see the padded key -> [-1,1]
        //   x1 = [[0,0], [0,4]]; LN_f = [[0,0], [-1,1]]; FFN = [[0,0], [0,1]]; x2 = [[0,0], [0,5]], keep -> same
        assertThat(toDoubles(t.get(ForwardTrace.userLayer(0))))
                .containsExactly(new double[] {3, -1, 1, 4, 0, 0, 0, 5}, CLOSE);
        // final norm, gain [1,2], bias [0,.5]:
        //   A: [3,-1] -> [1,-1] -> [1,-1.5];  [1,4] -> mean 2.5, var 2.25 -> [-1,1] -> [-1,2.5]
        //   B: [0,0] -> [0,0] -> [0,.5] (garbage, ignored);  [0,5] -> [-1,1] -> [-1,2.5]
        assertThat(toDoubles(t.get(ForwardTrace.USER_OUTPUT)))
                .containsExactly(new double[] {1, -1.5, -1, 2.5, 0, 0.5, -1, 2.5}, CLOSE);
        // stage 1, u_last = [-1, 2.5] for both rows: item 0 [7,7] -> 10.5, item 1 [1,0] -> -1, item 2 [0,2] -> 5
        assertThat(toDoubles(t.get(ForwardTrace.STAGE1)))
                .containsExactly(new double[] {10.5, -1, 5, 10.5, -1, 5}, CLOSE);
        // stage 2: one key (the item vector), so A[j] = itemVector(c) I I for every query j.
        //   A, c=1 [1,0]: max_j [1,0] ⊙ U_j = max([1,0], [-1,0]) = [1,0] -> 1*1 + 0*.5 = 1 -> ŷ = -1 + 1 + .25 = 0.25
        //   A, c=2 [0,2]: max([0,-3], [0,5]) = [0,5] -> 2.5 -> ŷ = 5 + 2.5 + .25 = 7.75
        //   B, c=2: only j=1 is valid: [0,5] -> ŷ = 7.75
        //   B, c=1: only j=1: [-1,0] -> -1 -> ŷ = -1 - 1 + .25 = -1.75 (pooling the padded row would give -0.75)
        assertThat(toDoubles(t.get(ForwardTrace.STAGE2)))
                .containsExactly(new double[] {0.25, 7.75, 7.75, -1.75}, CLOSE);
        assertThat(toDoubles(t.get(ForwardTrace.CROSS_OUTPUT)).length).isEqualTo(2 * 2 * 2 * 2);
        assertThat(t.get(ForwardTrace.CROSS_OUTPUT)).startsWith(1f, 0f, 1f, 0f, 0f, 2f, 0f, 2f);
        assertThat(m.itemVectors()).containsExactly(7, 7, 1, 0, 0, 2);
        assertThat(m.userVectors(batch)).containsExactly(new double[] {-1, 2.5, -1, 2.5}, CLOSE);
        assertThat(m.scoreCandidates(batch, new int[] {1, 2, 2, 1}, 2))
                .containsExactly(new double[] {0.25, 7.75, 7.75, -1.75}, CLOSE);
        assertThat(t.has(ForwardTrace.CONTENT_OUTPUT)).isFalse();
    }

    @Test
    void oneSasrecLayerByHand() {
        ReferenceModel m = handModel(Norm.SASREC);
        SeqBatch batch = new SeqBatch(2, 2, new int[] {1, 2, 0, 2}, null);
        ForwardTrace t = m.trace(batch, null, 0);
        // x0 as in onePreNormLayerByHand: row A [[1,0], [1,3]], row B [[0,0], [1,3]] after the keep mask.
        // Row A, layer 0: q = LN_a(x) = [[1,-1], [-1,1]]; uniform causal attention over the values of the
        //   UN-normalised x: query 0 sees {0} -> [1,0]; query 1 averages [1,0], [1,3] -> [1,1.5]
        //   residual added to q: x1 = q + attn = [[2,-1], [0,2.5]]   (PRE: x + attn(LN x) = [[2,-1], [1,3]])
        //   LN_f: [2,-1] -> [1,-1]; [0,2.5] -> [-1,1]; FFN = [[1,0], [0,1]]; x2 = [[3,-1], [0,3.5]]
        // Row B: q = [[0,0], [-1,1]]; query 0 (padding) sees itself -> x[0] = [0,0]; query 1 may not see the
        //   padded key -> [1,3] (the reference SASRec code, which masks no key, would average in the padded
        //   row's zeros: [.5,1.5]); x1 = [[0,0], [0,4]]; LN_f = [[0,0], [-1,1]]; x2 = [[0,0], [0,5]]
        assertThat(toDoubles(t.get(ForwardTrace.userLayer(0))))
                .containsExactly(new double[] {3, -1, 0, 3.5, 0, 0, 0, 5}, CLOSE);
        // final norm (gain [1,2], bias [0,.5]): A [1,-1.5], [-1,2.5]; B [0,.5] (garbage), [-1,2.5]
        assertThat(toDoubles(t.get(ForwardTrace.USER_OUTPUT)))
                .containsExactly(new double[] {1, -1.5, -1, 2.5, 0, 0.5, -1, 2.5}, CLOSE);
    }

    @Test
    void sasrecLayerIsTheFormulaOfTheReferenceCode() {
        // d = 4, 2 heads, one SASREC layer, random weights, no padding: the layer against the formula
        // q = LN_a(x); x1 = q + MHA(q, x, x); x2 = x1 + FFN(LN_f(x1)); U = LN_final(x2), written here from the
        // building blocks (RefOps) and the canonical weights
        ModelConfig c = formulaConfig(Norm.SASREC);
        Weights w = neutralWeights(c);
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (String n : w.names()) {
            float[] v = w.data(n);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextDouble() * 2 - 1);
            }
        }
        ReferenceModel m = new ReferenceModel(c, null, w);
        SeqBatch batch = new SeqBatch(1, 3, new int[] {2, 3, 1}, null);
        double[] x = m.userInput(batch);
        String p = "user_encoder.layers.0";
        double[] q =
                RefOps.layerNorm(x, 3, 4, d(w, p + ".attention_norm.weight"), d(w, p + ".attention_norm.bias"), 1e-5);
        boolean[] causal = {true, false, false, true, true, false, true, true, true};
        double[] a = RefOps.linear(
                RefOps.attend(
                        RefOps.linear(
                                q, 3, 4, d(w, p + ".attention.query.weight"), d(w, p + ".attention.query.bias"), 4),
                        RefOps.linear(x, 3, 4, d(w, p + ".attention.key.weight"), d(w, p + ".attention.key.bias"), 4),
                        RefOps.linear(
                                x, 3, 4, d(w, p + ".attention.value.weight"), d(w, p + ".attention.value.bias"), 4),
                        3,
                        3,
                        4,
                        2,
                        causal),
                3,
                4,
                d(w, p + ".attention.output.weight"),
                d(w, p + ".attention.output.bias"),
                4);
        double[] x1 = new double[12];
        for (int i = 0; i < 12; i++) {
            x1[i] = q[i] + a[i];
        }
        double[] h = RefOps.layerNorm(x1, 3, 4, d(w, p + ".ffn_norm.weight"), d(w, p + ".ffn_norm.bias"), 1e-5);
        double[] f = RefOps.linear(
                RefOps.reluInPlace(RefOps.linear(h, 3, 4, d(w, p + ".ffn.in.weight"), d(w, p + ".ffn.in.bias"), 3)),
                3,
                3,
                d(w, p + ".ffn.out.weight"),
                d(w, p + ".ffn.out.bias"),
                4);
        double[] x2 = new double[12];
        for (int i = 0; i < 12; i++) {
            x2[i] = x1[i] + f[i];
        }
        double[] u = RefOps.layerNorm(
                x2, 3, 4, d(w, "user_encoder.final_norm.weight"), d(w, "user_encoder.final_norm.bias"), 1e-5);
        assertThat(m.userOutput(batch)).containsExactly(u, within(1e-12));
        // and it is not the PRE layer on the same weights
        ReferenceModel pre = new ReferenceModel(formulaConfig(Norm.PRE), null, w);
        double diff = 0;
        double[] uPre = pre.userOutput(batch);
        for (int i = 0; i < u.length; i++) {
            diff = Math.max(diff, Math.abs(uPre[i] - u[i]));
        }
        assertThat(diff).isGreaterThan(0.05);
    }

    private static ModelConfig formulaConfig(Norm norm) {
        return ModelConfig.builder()
                .numItems(3)
                .dim(4)
                .heads(2)
                .layers(1)
                .ffnDim(3)
                .maxLen(3)
                .positional(Positional.LEARNED)
                .norm(norm)
                .dropout(0f)
                .layerNormEps(1e-5f)
                .build();
    }

    private static double[] d(Weights w, String name) {
        return toDoubles(w.data(name));
    }

    @Test
    void pretrainLossOfTheHandModel() {
        ReferenceModel m = handModel();
        // U as in onePreNormLayerByHand: row A [[1,-1.5], [-1,2.5]], row B [garbage, [-1,2.5]].
        // Candidates per position (target first, one negative):
        //   A0: [2, 1] -> logits [1,-1.5]·[0,2] = -3, [1,-1.5]·[1,0] = 1 -> sp(3) + sp(1)
        //   A1: [1, 2] -> [-1,2.5]·[1,0] = -1, ·[0,2] = 5 -> sp(1) + sp(5)
        //   B0: no target (padding), not counted;  B1: as A1
        // mean over 3 positions = (sp(3) + sp(1) + 2 (sp(1) + sp(5))) / 3
        //   = (3.048587 + 0.313262 + 2 (0.313262 + 5.006715)) / 3 = 5.667268
        SeqBatch in = new SeqBatch(2, 2, new int[] {1, 2, 0, 2}, null);
        TrainBatch.NextItem b = new TrainBatch.NextItem(
                in, new int[] {2, 1, 0, 1}, new Negatives.PerPosition(new int[] {2, 1, 1, 2, 1, 2, 1, 2}, 2, null));
        assertThat(m.loss(b, new LossSpec.Bce(1))).isCloseTo(5.667267704, CLOSE);
        assertThat(m.logits(b, new LossSpec.Bce(1))).containsExactly(new double[] {-3, 1, -1, 5, -1, 5}, CLOSE);
        // softmax over items 1..2: logits [1, -3], [-1, 5], [-1, 5]; targets 2, 1, 1:
        //   (log(e^1 + e^-3) + 3) + 2 (log(e^-1 + e^5) + 1) = 4.018149 + 2 * 6.002475 -> / 3 = 5.341033
        TrainBatch.NextItem full = new TrainBatch.NextItem(in, new int[] {2, 1, 0, 1}, new Negatives.None());
        double expected =
                (Math.log(Math.exp(1) + Math.exp(-3)) + 3 + 2 * (Math.log(Math.exp(-1) + Math.exp(5)) + 1)) / 3;
        assertThat(m.loss(full, new LossSpec.SoftmaxCe()))
                .isCloseTo(expected, CLOSE)
                .isCloseTo(5.341033, within(1e-6));
        // fine-tuning BPR on the stage-2 scores [0.25, 7.75] and [7.75, -1.75]:
        //   (sp(-(0.25 - 7.75)) + sp(-(7.75 + 1.75))) / 2 = (sp(7.5) + sp(-9.5)) / 2 = (7.500553 + 0.000075) / 2
        TrainBatch.Candidates ft = new TrainBatch.Candidates(in, new int[] {1, 2, 2, 1}, 2, null);
        assertThat(m.loss(ft, new LossSpec.Bpr(1)))
                .isCloseTo((7.5 + Math.log1p(Math.exp(-7.5)) + Math.log1p(Math.exp(-9.5))) / 2, CLOSE);
    }

    @Test
    void sharedNegativesEqualToATargetAreDroppedFromThatPositionOnly() {
        ReferenceModel m = handModel();
        // U as in pretrainLossOfTheHandModel; targets 2, 1, (none), 1; shared negatives [1, 2] for every position:
        //   A0 (target 2): [2 | 1, 2] -> logits [-3 | 1, -3 dropped] -> sp(3) + sp(1)
        //   A1 (target 1): [1 | 1, 2] -> [-1 | -1 dropped, 5] -> sp(1) + sp(5);  B1 the same
        // so the bce loss is exactly the per-position loss of pretrainLossOfTheHandModel: 5.667268
        SeqBatch in = new SeqBatch(2, 2, new int[] {1, 2, 0, 2}, null);
        int[] targets = {2, 1, 0, 1};
        TrainBatch.NextItem b =
                new TrainBatch.NextItem(in, targets, new Negatives.SharedByBatch(new int[] {1, 2}, null, null));
        assertThat(m.loss(b, new LossSpec.Bce(2))).isCloseTo(5.667267704, CLOSE);
        assertThat(m.logits(b, new LossSpec.Bce(2)))
                .containsExactly(new double[] {-3, 1, -3, -1, -1, 5, -1, -1, 5}, CLOSE);
        // gradient w.r.t. the logits: dropped entries 0; A0: -σ(3)/3, σ(1)/3; A1: -σ(1)/3, σ(5)/3
        double[] g = m.lossResult(b, new LossSpec.Bce(2)).gradient();
        assertThat(g[2]).isZero();
        assertThat(g[4]).isZero();
        assertThat(g[7]).isZero();
        assertThat(g[1]).isCloseTo(0.731058579 / 3, CLOSE);
        assertThat(g[5]).isCloseTo(0.993307149 / 3, CLOSE);
        // sampled softmax with log Q: targets' log Q [-1, -2, 0, -2], negatives' [-2 (item 1), -1 (item 2)]:
        //   A0: z = [-3 + 1, 1 + 2, dropped] = [-2, 3] -> 2 + log(e^-2 + e^3) = sp(5)
        //   A1: z = [-1 + 2, dropped, 5 + 1] = [1, 6] -> -1 + log(e + e^6) = sp(5);  B1 the same
        TrainBatch.NextItem q = new TrainBatch.NextItem(
                in,
                targets,
                new Negatives.SharedByBatch(new int[] {1, 2}, new float[] {-1, -2, 0, -2}, new float[] {-2, -1}));
        assertThat(m.loss(q, new LossSpec.SampledSoftmax(2, true))).isCloseTo(5.006715348, CLOSE);
        // full softmax refuses a batch with shared negatives
        assertThatThrownBy(() -> m.loss(b, new LossSpec.SoftmaxCe()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shared negatives");
    }

    @Test
    void contentEncoderWithoutLayersIsTheScaledTokensPlusSinusoidsAndItemVectorsAverageKeptTokens() {
        // N = 1, d = 2, POST norm (no final norm), 0 layers on both sides, sinusoidal positions, scale sqrt 2,
        // content only (no item ids), 2 event types, MEAN pooling; contentLen 3, vocab 4.
        ModelConfig c = ModelConfig.builder()
                .numItems(1)
                .dim(2)
                .heads(1)
                .layers(0)
                .ffnDim(1)
                .maxLen(2)
                .content(4, 3, 0)
                .eventTypes(2)
                .positional(Positional.SINUSOIDAL)
                .norm(Norm.POST)
                .pooling(Pooling.MEAN)
                .dropout(0f)
                .layerNormEps((float) EPS)
                .scaleEmbeddings(true)
                .itemIds(false)
                .build();
        Weights w = neutralWeights(c);
        set(w, ParamLayout.TOKEN_EMBEDDING, 9, 9, 1, 0, 0, 0, 0, 1); // row 0 = padding token [9, 9], never counts
        set(w, ParamLayout.EVENT_EMBEDDING, 0, 0, 0.5f, -0.5f);
        set(w, "cross.attention.value.weight", 1, 0, 0, 1);
        set(w, "cross.attention.output.weight", 1, 0, 0, 1);
        set(w, ParamLayout.SCORER_WEIGHT, 1, 1);
        ItemContent content = ItemContent.of(1, 3, new int[][] {{}, {3}}); // item 0: [1,0,0]; item 1: [1,3,0]
        ReferenceModel m = new ReferenceModel(c, content, w);
        double s2 = Math.sqrt(2);
        // pos(t) = [sin t, cos t] (d = 2: one frequency, 10000^0 = 1)
        // item 1: t0 = marker [1,0] * sqrt2 + [0,1] = [1.414214, 1]
        //         t1 = token 3 [0,1] * sqrt2 + [sin 1, cos 1] = [0.841471, 1.414214 + 0.540302 = 1.954516]
        //         t2 = padding -> 0 (x0 * keep; no layers, no final norm in POST mode)
        double[] t1 = {Math.sin(1), s2 + Math.cos(1)};
        assertThat(m.contentOutput())
                .containsExactly(new double[] {s2, 1, 0, 0, 0, 0, s2, 1, t1[0], t1[1], 0, 0}, within(1e-12));
        // item vector 1 = mean of the 2 kept tokens = [1.127842, 1.477258]; item 0 = its marker alone
        double[] iv1 = {(s2 + t1[0]) / 2, (1 + t1[1]) / 2};
        assertThat(iv1[0]).isCloseTo(1.127842, within(1e-6));
        assertThat(m.itemVectors()).containsExactly(new double[] {s2, 1, iv1[0], iv1[1]}, within(1e-12));
        // user: [0, 1] with events [0, 1]; slot 1 has position 1:
        //   x0 = iv1 * sqrt2 + [.5, -.5] + [sin 1, cos 1] = [2.936481, 2.129461]; 0 layers, POST -> U = x0 * keep
        SeqBatch batch = new SeqBatch(1, 2, new int[] {0, 1}, new int[] {0, 1});
        double[] x = {iv1[0] * s2 + 0.5 + Math.sin(1), iv1[1] * s2 - 0.5 + Math.cos(1)};
        assertThat(x[0]).isCloseTo(2.936481, within(1e-6));
        assertThat(m.userVectors(batch)).containsExactly(x, within(1e-12));
        // s1 = x · iv1 = 6.457650. Cross attention (zero query/key weights) averages the 2 kept content rows of
        // item 1 (not the padded third) -> A_j = iv1; mean pooling over the one valid slot: iv1 ⊙ x; w = [1,1], b = 0
        // -> ŷ = s1 + iv1 · x = 2 s1 = 12.915299
        assertThat(m.scoreCandidates(batch, new int[] {1}, 1))
                .containsExactly(new double[] {12.915299290}, within(1e-8));
        assertThat(m.scoreAll(batch)[1]).isCloseTo(6.457649645, within(1e-8));
    }

    @Test
    void theComponentInterfacesComposeToTheFullForwardPass() {
        ReferenceModel m = handModel();
        SeqBatch batch = new SeqBatch(2, 2, new int[] {1, 2, 0, 2}, null);
        RefTensor x0 = RefTensor.of(m.userInput(batch), 2, 2, 2);
        RefTensor keep = RefTensor.of(new double[] {1, 1, 0, 1}, 2, 2);
        RefTensor u = m.userEncoder().encode(x0, keep);
        assertThat(u.data()).containsExactly(m.userOutput(batch));
        // candidate item 2 for both rows: keys [B, 1, d] = its vector
        RefTensor keys = RefTensor.of(new double[] {0, 2, 0, 2}, 2, 1, 2);
        RefTensor a = m.crossAttention().attend(u, keys, RefTensor.of(new double[] {1, 1}, 2, 1));
        assertThat(a.data()).containsExactly(0, 2, 0, 2, 0, 2, 0, 2);
        RefTensor y = m.scorer().score(a, u, keep, RefTensor.of(new double[] {5, 5}, 2));
        assertThat(y.data()).containsExactly(new double[] {7.75, 7.75}, CLOSE);
        assertThatThrownBy(m::contentEncoder).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badInputsAreRejectedWithExpectedAndFound() {
        ReferenceModel m = handModel();
        assertThatThrownBy(() -> m.userVectors(new SeqBatch(1, 4, new int[4], null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLen = 3, found 4");
        assertThatThrownBy(() -> m.userVectors(new SeqBatch(1, 2, new int[] {0, 3}, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 2], found 3");
        assertThatThrownBy(() -> m.scoreCandidates(new SeqBatch(1, 2, new int[] {0, 0}, null), new int[] {1}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no item");
        assertThatThrownBy(() -> m.scoreCandidates(new SeqBatch(1, 2, new int[] {0, 1}, null), new int[] {1}, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rows*perRow = 1*2");
        SeqBatch in = new SeqBatch(1, 2, new int[] {1, 2}, null);
        assertThatThrownBy(() -> m.loss(
                        new TrainBatch.NextItem(in, new int[] {2, 1}, new Negatives.None()), new LossSpec.Bce(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs sampled candidates");
        assertThatThrownBy(() -> m.loss(
                        new TrainBatch.NextItem(
                                in, new int[] {2, 1}, new Negatives.PerPosition(new int[] {2, 1, 1, 2}, 2, null)),
                        new LossSpec.SoftmaxCe()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not carry candidates");
        Weights w = withoutScorerBias(handWeightsConfig());
        assertThatThrownBy(() -> new ReferenceModel(handWeightsConfig(), null, w))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing parameter 'scorer.bias'");
        ModelConfig withContent = handWeightsConfig().withContent(4, 2, 0);
        assertThatThrownBy(() -> new ReferenceModel(withContent, null, neutralWeights(withContent)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs item content");
    }

    private static ModelConfig handWeightsConfig() {
        return handModel().config();
    }

    private static Weights withoutScorerBias(ModelConfig c) {
        Weights all = neutralWeights(c);
        Weights w = new Weights();
        for (String n : all.names()) {
            if (!n.equals(ParamLayout.SCORER_BIAS)) {
                w.put(n, all.get(n).shape(), all.data(n));
            }
        }
        return w;
    }

    /** Zeros everywhere except layer-norm gains (1). */
    static Weights neutralWeights(ModelConfig c) {
        Weights w = new Weights();
        for (ParamLayout.Param p : ParamLayout.of(c)) {
            float[] data = new float[p.size()];
            if (p.init() == ParamLayout.Init.ONES) {
                java.util.Arrays.fill(data, 1f);
            }
            w.put(p.name(), p.shape(), data);
        }
        return w;
    }

    static void set(Weights w, String name, float... values) {
        float[] data = w.data(name);
        assertThat(values).as("values of %s", name).hasSize(data.length);
        System.arraycopy(values, 0, data, 0, values.length);
    }

    static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
