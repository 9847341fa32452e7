package dev.recsys.api.model;

import dev.recsys.api.config.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Starts a model from another model's weights, engine-free: e.g. add item content (and the
 * stage-2 re-ranker) to a model pre-trained on ids only.
 *
 * <p>Every tensor of the source must exist in the target with the same shape (the source may not
 * have a part the target lacks); the target's other tensors keep their fresh initialisation. When
 * the source has no content encoder and the target has one, the content encoder's output gain and
 * bias (the PRE or SASREC {@code final_norm}, or the last layer's POST {@code ffn_norm}) are set to zero, so
 * that every item vector, and with it every stage-1 score, starts exactly as the source's: the
 * content branch then grows from zero as training finds it useful (its gain gets gradients at once;
 * the rest of the content encoder as soon as the gain moves).
 */
public final class WarmStart {
    private WarmStart() {}

    /**
     * @param weights the merged weights
     * @param copied  tensors taken from the source
     * @param fresh   tensors left at their initialisation
     * @param zeroed  content-output tensors set to zero (empty unless content was added)
     */
    public record Result(Weights weights, List<String> copied, List<String> fresh, List<String> zeroed) {}

    /**
     * @param target       the new model's config
     * @param initialised  the new model's freshly initialised weights (not modified)
     * @param sourceConfig the source model's config
     * @param source       the source model's weights
     */
    public static Result apply(ModelConfig target, Weights initialised, ModelConfig sourceConfig, Weights source) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(initialised, "initialised");
        Objects.requireNonNull(sourceConfig, "sourceConfig");
        Objects.requireNonNull(source, "source");
        if (sourceConfig.numItems() != target.numItems()) {
            throw new IllegalArgumentException("the source model has " + sourceConfig.numItems() + " items, the target "
                    + target.numItems() + ": warm starts need the same catalogue");
        }
        if (sourceConfig.dim() != target.dim()) {
            throw new IllegalArgumentException(
                    "the source model has dim " + sourceConfig.dim() + ", the target " + target.dim());
        }
        Weights out = initialised.copy();
        List<String> copied = new ArrayList<>();
        for (String name : source.names()) {
            if (!out.contains(name)) {
                throw new IllegalArgumentException("the source parameter '" + name
                        + "' has no place in the target model " + "(the source has a part the target config lacks)");
            }
            int[] want = out.get(name).shape();
            int[] have = source.get(name).shape();
            if (!Arrays.equals(want, have)) {
                throw new IllegalArgumentException("the source parameter '" + name + "' is " + Arrays.toString(have)
                        + ", the target's " + Arrays.toString(want));
            }
            System.arraycopy(source.data(name), 0, out.data(name), 0, out.data(name).length);
            copied.add(name);
        }
        List<String> zeroed = new ArrayList<>();
        if (target.hasContent() && !sourceConfig.hasContent()) {
            String norm;
            if (target.norm().finalNorm()) {
                norm = ParamLayout.CONTENT_ENCODER + ".final_norm";
            } else if (target.contentLayers() > 0) {
                norm = ParamLayout.layer(ParamLayout.CONTENT_ENCODER, target.contentLayers() - 1) + ".ffn_norm";
            } else {
                throw new IllegalArgumentException(
                        "cannot add content from zero to a POST-norm model without content layers: "
                                + "its content output has no gain to start at zero");
            }
            for (String n : new String[] {norm + ".weight", norm + ".bias"}) {
                Arrays.fill(out.data(n), 0f);
                zeroed.add(n);
            }
        }
        List<String> fresh = new ArrayList<>();
        for (String name : out.names()) {
            if (!source.contains(name)) {
                fresh.add(name);
            }
        }
        return new Result(out, List.copyOf(copied), List.copyOf(fresh), List.copyOf(zeroed));
    }
}
