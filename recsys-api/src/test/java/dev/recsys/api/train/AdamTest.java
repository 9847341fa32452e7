package dev.recsys.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.TrainingException;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.model.Weights;
import org.junit.jupiter.api.Test;

class AdamTest {

    private static Weights one(String name, float... v) {
        return new Weights().put(name, new int[] {v.length}, v);
    }

    @Test
    void firstStepMovesEachWeightByTheLearningRateAgainstTheGradientSign() {
        // t=1: m = 0.1 g, v = 0.02 g^2 (beta2 0.98); m^ = g, v^ = g^2 -> step = lr * g / (|g| + eps) = lr * sign(g)
        Weights w = one("a.bias", 1f, -2f, 0.5f);
        Weights g = one("a.bias", 0.3f, -4f, 0f);
        Adam adam = new Adam(new OptimizerConfig(OptimizerConfig.Type.ADAM, 0.9f, 0.98f, 1e-8f, 0f, 0f), w);
        adam.update(w, g, 0.01f);
        assertThat(w.data("a.bias")).containsExactly(new float[] {0.99f, -1.99f, 0.5f}, within(1e-6f));
    }

    @Test
    void secondStepFollowsTheBiasCorrectedMoments() {
        // g1 = 1, g2 = 3 (beta1 .9, beta2 .98):
        // m2 = .9*.1 + .1*3 = .39, v2 = .98*.02 + .02*9 = .1996
        // m^ = .39/(1-.81) = 2.0526316, v^ = .1996/(1-.9604) = 5.0404040, sqrt(v^) = 2.2450844, step = 0.9142783
        Weights w = one("x.bias", 0f);
        Adam adam = new Adam(new OptimizerConfig(OptimizerConfig.Type.ADAM, 0.9f, 0.98f, 1e-8f, 0f, 0f), w);
        adam.update(w, one("x.bias", 1f), 0.1f);
        adam.update(w, one("x.bias", 3f), 0.1f);
        assertThat(w.data("x.bias")[0]).isCloseTo(-0.1f - 0.09142783f, within(1e-6f));
    }

    @Test
    void clippingScalesTheGlobalNorm() {
        // grads (3, 4) have norm 5; clipped to 1 they are (0.6, 0.8); with one Adam step the sign only matters,
        // so check the reported norm and the moments through the state
        Weights w = one("x.bias", 0f, 0f);
        Adam adam = new Adam(new OptimizerConfig(OptimizerConfig.Type.ADAM, 0.9f, 0.98f, 1e-8f, 0f, 1f), w);
        double norm = adam.update(w, one("x.bias", 3f, 4f), 0.1f);
        assertThat(norm).isCloseTo(5.0, within(1e-9));
        float[] m = adam.state().data("m.x.bias");
        assertThat(m).containsExactly(new float[] {0.06f, 0.08f}, within(1e-6f));
    }

    @Test
    void adamwDecaysMatricesButNotBiases() {
        // zero gradient: Adam's step is 0, so only the decoupled decay acts: w -= lr * wd * w
        Weights w = new Weights()
                .put("l.weight", new int[] {1, 2}, new float[] {2f, -4f})
                .put("l.bias", new int[] {1}, new float[] {2f});
        Weights g = w.zerosLike();
        Adam adam = new Adam(new OptimizerConfig(OptimizerConfig.Type.ADAMW, 0.9f, 0.98f, 1e-8f, 0.5f, 0f), w);
        adam.update(w, g, 0.1f);
        assertThat(w.data("l.weight")).containsExactly(new float[] {1.9f, -3.8f}, within(1e-6f));
        assertThat(w.data("l.bias")).containsExactly(2f);
    }

    @Test
    void nanGradientStopsWithTheTensorName() {
        Weights w = one("enc.bias", 0f);
        Adam adam = new Adam(OptimizerConfig.adam(), w);
        assertThatThrownBy(() -> adam.update(w, one("enc.bias", Float.NaN), 0.1f))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("enc.bias");
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        Weights w1 = one("x.bias", 1f, 2f);
        Adam a1 = new Adam(OptimizerConfig.adam(), w1);
        a1.update(w1, one("x.bias", 0.5f, -1f), 0.01f);
        Weights w2 = w1.copy();
        Adam a2 = new Adam(OptimizerConfig.adam(), w2);
        a2.restore(a1.state());
        a1.update(w1, one("x.bias", 0.2f, 0.7f), 0.01f);
        a2.update(w2, one("x.bias", 0.2f, 0.7f), 0.01f);
        assertThat(w2.data("x.bias")).containsExactly(w1.data("x.bias"));
        assertThat(a2.step()).isEqualTo(2);
    }

    @Test
    void frozenTensorsNeitherMoveNorDecayNorCountInTheClippingNorm() {
        Weights w = new Weights()
                .put("user.weight", new int[] {1, 2}, new float[] {1f, 1f})
                .put("scorer.weight", new int[] {1, 2}, new float[] {1f, 1f});
        Weights g = new Weights()
                .put("user.weight", new int[] {1, 2}, new float[] {300f, 400f})
                .put("scorer.weight", new int[] {1, 2}, new float[] {3f, 4f});
        // AdamW with decay 0.5 and clipping at norm 1: the frozen gradient (norm 500) must not shrink the other one
        Adam adam = new Adam(new OptimizerConfig(OptimizerConfig.Type.ADAMW, 0.9f, 0.98f, 1e-8f, 0.5f, 1f), w)
                .freeze(name -> name.startsWith("user."));
        double norm = adam.update(w, g, 0.1f);
        assertThat(norm).isCloseTo(5.0, within(1e-9));
        assertThat(w.data("user.weight")).containsExactly(1f, 1f);
        assertThat(g.data("user.weight")).containsExactly(0f, 0f);
        // trainable: decayed (1 - 0.1 * 0.5) then one Adam step of lr * sign(g) = -0.1
        assertThat(w.data("scorer.weight")).containsExactly(new float[] {0.85f, 0.85f}, within(1e-6f));
    }
}
