package dev.recsys.api.loss;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.recsys.api.io.Json;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a model is trained to minimise. Each loss is defined once, here, with plain-Java reference
 * maths in {@link LossMath}; backends implement the same formula on their engine and are tested
 * against it.
 *
 * <p>Logits come in groups (one group per training position or per user). In a ranking group
 * the positive is candidate 0 and the rest are sampled negatives; a pointwise group carries one
 * label per candidate; a full-softmax group spans the whole catalogue (items 1..N at index id-1)
 * with a target index. Every loss is the mean over groups (pointwise: over candidates) of the
 * per-group value.
 *
 * <p>A loss's config name is its {@link JsonTypeName}, the one place it is written: JSON, config
 * files and reports all go through {@link #name()}, {@link #names()} and {@link #of}. Adding a loss
 * means a record here (in {@code permits}) and its maths in {@link LossMath} and the backends.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "name")
public sealed interface LossSpec
        permits LossSpec.Bce,
                LossSpec.Mse,
                LossSpec.Bpr,
                LossSpec.Hinge,
                LossSpec.SoftmaxCe,
                LossSpec.SampledSoftmax,
                LossSpec.Gbce {

    /** Short stable name used in configs and reports: the record's {@link JsonTypeName}. */
    default String name() {
        return getClass().getAnnotation(JsonTypeName.class).value();
    }

    /**
     * Default values of the loss parameters (by record component name) where a config leaves them
     * out: 1 negative, gBCE {@code t} 0.75, log-Q correction on, hinge margin 0.5.
     */
    Map<String, Object> DEFAULT_PARAMETERS = Map.of("negatives", 1, "t", 0.75f, "logQ", true, "margin", 0.5f);

    /** Every loss name, in declaration order. */
    static List<String> names() {
        return Arrays.stream(LossSpec.class.getPermittedSubclasses())
                .map(c -> c.getAnnotation(JsonTypeName.class).value())
                .toList();
    }

    /** The losses that can be used in a stage. */
    static List<String> names(Stage stage) {
        return Arrays.stream(LossSpec.class.getPermittedSubclasses())
                .filter(c -> c.getAnnotation(Supports.class) == null
                        || List.of(c.getAnnotation(Supports.class).value()).contains(stage))
                .map(c -> c.getAnnotation(JsonTypeName.class).value())
                .toList();
    }

    /**
     * The loss called name, built from those of the parameters (record components: {@code negatives},
     * {@code t}, {@code logQ}, {@code margin}) that it has; the others are ignored.
     *
     * @throws IllegalArgumentException naming the unknown loss and the known ones, or the record's
     *                                  own message for a parameter it refuses
     */
    static LossSpec of(String name, Map<String, ?> parameters) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("name", name == null ? null : name.trim().toLowerCase(java.util.Locale.ROOT));
        m.putAll(parameters);
        try {
            return Json.mapper()
                    .readerFor(LossSpec.class)
                    .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue((com.fasterxml.jackson.databind.JsonNode)
                            Json.mapper().valueToTree(m));
        } catch (java.io.IOException | IllegalArgumentException e) {
            if (e instanceof com.fasterxml.jackson.databind.exc.InvalidTypeIdException) {
                throw new IllegalArgumentException(
                        "unknown loss " + Json.quote(String.valueOf(name)) + "; known: " + names(), e);
            }
            throw new IllegalArgumentException(Json.problem(e), e);
        }
    }

    /** The stage(s) a loss is for; absent = both. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE)
    @interface Supports {
        Stage[] value();
    }

    /** Whether the loss can be used in the given stage (its {@link Supports}). */
    default boolean supports(Stage stage) {
        Supports s = getClass().getAnnotation(Supports.class);
        return s == null || List.of(s.value()).contains(stage);
    }

    /** Negatives sampled per group (0 for full softmax and for pointwise fine-tuning labels). */
    int negatives();

    /**
     * Binary cross-entropy. Pre-training: per position {@code -log σ(s+) - Σ_k log(1 - σ(s_k))}
     * (SASRec, averaged over positions). Fine-tuning: per candidate
     * {@code -[y log σ(s) + (1-y) log(1-σ(s))]} averaged over candidates.
     */
    @JsonTypeName("bce")
    record Bce(int negatives) implements LossSpec {
        public Bce {
            if (negatives < 1) {
                throw new IllegalArgumentException(
                        "negatives must be >= 1 for bce (negatives per positive), found " + negatives);
            }
        }
    }

    /** Mean squared error {@code (s - y)^2} on explicit ratings (fine-tuning only). */
    @JsonTypeName("mse")
    @Supports(Stage.FINETUNE)
    record Mse() implements LossSpec {
        public int negatives() {
            return 0;
        }
    }

    /** Bayesian personalised ranking {@code -log σ(s+ - s_k)}, mean over the K negatives (Rendle et al. 2009). */
    @JsonTypeName("bpr")
    @Supports(Stage.FINETUNE)
    record Bpr(int negatives) implements LossSpec {
        public Bpr {
            if (negatives < 1) {
                throw new IllegalArgumentException("negatives must be >= 1 for bpr, found " + negatives);
            }
        }
    }

    /** Margin hinge {@code max(0, margin - s+ + s_k)}, mean over the K negatives. */
    @JsonTypeName("hinge")
    @Supports(Stage.FINETUNE)
    record Hinge(int negatives, float margin) implements LossSpec {
        public Hinge {
            if (negatives < 1) {
                throw new IllegalArgumentException("negatives must be >= 1 for hinge, found " + negatives);
            }
            if (!(margin > 0)) {
                throw new IllegalArgumentException("margin must be > 0 for hinge, found " + margin);
            }
        }
    }

    /** Full softmax cross-entropy over items 1..N: {@code -s_t + log Σ_i exp(s_i)} (pre-training only). */
    @JsonTypeName("softmax")
    @Supports(Stage.PRETRAIN)
    record SoftmaxCe() implements LossSpec {
        public int negatives() {
            return 0;
        }
    }

    /**
     * Sampled softmax: cross-entropy over the positive and K sampled negatives, each logit first
     * corrected by {@code -log Q(i)} when {@code logQ} is set (Bengio and Senécal 2008; Yi et al.
     * 2019), where Q is the sampling distribution. Pre-training only.
     */
    @JsonTypeName("sampled-softmax")
    @Supports(Stage.PRETRAIN)
    record SampledSoftmax(int negatives, boolean logQ) implements LossSpec {
        public SampledSoftmax {
            if (negatives < 1) {
                throw new IllegalArgumentException("negatives must be >= 1 for sampled-softmax, found " + negatives);
            }
        }
    }

    /**
     * Generalised BCE of gSASRec (Petrov and Macdonald, RecSys 2023):
     * {@code -β log σ(s+) - Σ_k log(1 - σ(s_k))} with {@code α = K / (N - 1)} and
     * {@code β = α (t (1 - 1/α) + 1/α)}; t = 0 gives β = 1 (plain BCE), t = 1 gives β = α; see
     * {@link LossMath#gbceBeta}. Pre-training only.
     */
    @JsonTypeName("gbce")
    @Supports(Stage.PRETRAIN)
    record Gbce(int negatives, float t) implements LossSpec {
        public Gbce {
            if (negatives < 1) {
                throw new IllegalArgumentException("negatives must be >= 1 for gbce, found " + negatives);
            }
            if (!(t >= 0 && t <= 1)) {
                throw new IllegalArgumentException("t (the gBCE calibration) must be in [0, 1], found " + t);
            }
        }
    }
}
