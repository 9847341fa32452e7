package dev.recsys.api.model;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Positional;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The canonical parameter names and shapes, defined once for every backend and for the
 * checkpoint format.
 *
 * <p>Conventions: a dense layer {@code y = x W + b} stores {@code W} as {@code [in, out]} (the
 * input is the first axis) and {@code b} as {@code [out]}. Embedding tables are
 * {@code [rows, d]}. Layer norm stores {@code weight} (gain) and {@code bias}, both {@code [d]}.
 * Multi-head attention uses full {@code [d, d]} projections; head h owns columns
 * {@code h*d/heads .. (h+1)*d/heads} of query, key and value and rows of the same range of
 * output.
 *
 * <pre>
 * item_embedding.weight                          [numItems+1, d]   (itemIds; row 0 = padding, kept 0 at init)
 * position_embedding.weight                      [maxLen, d]       (LEARNED)
 * event_embedding.weight                         [eventTypes, d]   (eventTypes &gt; 0)
 * user_encoder.layers.{i}.attention.{query,key,value,output}.{weight [d,d], bias [d]}
 * user_encoder.layers.{i}.attention_norm.{weight,bias}   [d]
 * user_encoder.layers.{i}.ffn.in.{weight [d,ffn], bias [ffn]}
 * user_encoder.layers.{i}.ffn.out.{weight [ffn,d], bias [d]}
 * user_encoder.layers.{i}.ffn_norm.{weight,bias}         [d]
 * user_encoder.final_norm.{weight,bias}                  [d]  (PRE and SASREC norm)
 * content_encoder.token_embedding.weight         [contentVocab, d] (content; row 0 = padding)
 * content_encoder.position_embedding.weight      [contentLen, d]   (content and LEARNED)
 * content_encoder.layers.{i}.…                   as user_encoder
 * content_encoder.final_norm.{weight,bias}       [d]  (content; PRE and SASREC norm)
 * cross.attention.{query,key,value,output}.{weight [d,d], bias [d]}
 * scorer.weight                                  [d, 1]
 * scorer.bias                                    [1]
 * </pre>
 */
public final class ParamLayout {
    public static final String ITEM_EMBEDDING = "item_embedding.weight";
    public static final String POSITION_EMBEDDING = "position_embedding.weight";
    public static final String EVENT_EMBEDDING = "event_embedding.weight";
    public static final String USER_ENCODER = "user_encoder";
    public static final String CONTENT_ENCODER = "content_encoder";
    public static final String TOKEN_EMBEDDING = "content_encoder.token_embedding.weight";
    public static final String CONTENT_POSITION_EMBEDDING = "content_encoder.position_embedding.weight";
    public static final String CROSS = "cross.attention";
    public static final String SCORER_WEIGHT = "scorer.weight";
    public static final String SCORER_BIAS = "scorer.bias";

    /** How a parameter is initialised by {@link Initializer}. */
    public enum Init {
        XAVIER_NORMAL,
        NORMAL_EMBEDDING,
        ZEROS,
        ONES
    }

    /** One parameter: canonical name, shape and initialisation. */
    public record Param(String name, int[] shape, Init init) {
        public int size() {
            int n = 1;
            for (int s : shape) {
                n *= s;
            }
            return n;
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }

    private ParamLayout() {}

    /** The parameters of a model of this config, in canonical order. */
    public static List<Param> of(ModelConfig c) {
        List<Param> ps = new ArrayList<>();
        int d = c.dim();
        if (c.itemIds()) {
            ps.add(new Param(ITEM_EMBEDDING, new int[] {c.numItems() + 1, d}, Init.NORMAL_EMBEDDING));
        }
        if (c.positional() == Positional.LEARNED) {
            ps.add(new Param(POSITION_EMBEDDING, new int[] {c.maxLen(), d}, Init.NORMAL_EMBEDDING));
        }
        if (c.eventTypes() > 0) {
            ps.add(new Param(EVENT_EMBEDDING, new int[] {c.eventTypes(), d}, Init.NORMAL_EMBEDDING));
        }
        encoder(ps, USER_ENCODER, c.layers(), c);
        if (c.hasContent()) {
            ps.add(new Param(TOKEN_EMBEDDING, new int[] {c.contentVocab(), d}, Init.NORMAL_EMBEDDING));
            if (c.positional() == Positional.LEARNED) {
                ps.add(new Param(CONTENT_POSITION_EMBEDDING, new int[] {c.contentLen(), d}, Init.NORMAL_EMBEDDING));
            }
            encoder(ps, CONTENT_ENCODER, c.contentLayers(), c);
        }
        attention(ps, CROSS, d);
        ps.add(new Param(SCORER_WEIGHT, new int[] {d, 1}, Init.XAVIER_NORMAL));
        ps.add(new Param(SCORER_BIAS, new int[] {1}, Init.ZEROS));
        return ps;
    }

    /** Prefix of layer i of an encoder, e.g. {@code user_encoder.layers.0}. */
    public static String layer(String encoder, int i) {
        return encoder + ".layers." + i;
    }

    private static void encoder(List<Param> ps, String prefix, int layers, ModelConfig c) {
        int d = c.dim();
        for (int i = 0; i < layers; i++) {
            String p = layer(prefix, i);
            attention(ps, p + ".attention", d);
            norm(ps, p + ".attention_norm", d);
            ps.add(new Param(p + ".ffn.in.weight", new int[] {d, c.ffnDim()}, Init.XAVIER_NORMAL));
            ps.add(new Param(p + ".ffn.in.bias", new int[] {c.ffnDim()}, Init.ZEROS));
            ps.add(new Param(p + ".ffn.out.weight", new int[] {c.ffnDim(), d}, Init.XAVIER_NORMAL));
            ps.add(new Param(p + ".ffn.out.bias", new int[] {d}, Init.ZEROS));
            norm(ps, p + ".ffn_norm", d);
        }
        if (c.norm().finalNorm()) {
            norm(ps, prefix + ".final_norm", d);
        }
    }

    private static void attention(List<Param> ps, String p, int d) {
        for (String proj : new String[] {"query", "key", "value", "output"}) {
            ps.add(new Param(p + "." + proj + ".weight", new int[] {d, d}, Init.XAVIER_NORMAL));
            ps.add(new Param(p + "." + proj + ".bias", new int[] {d}, Init.ZEROS));
        }
    }

    private static void norm(List<Param> ps, String p, int d) {
        ps.add(new Param(p + ".weight", new int[] {d}, Init.ONES));
        ps.add(new Param(p + ".bias", new int[] {d}, Init.ZEROS));
    }

    /**
     * Checks that weights hold exactly the parameters of the config with the right shapes.
     *
     * @throws IllegalArgumentException naming the first missing, extra or misshapen tensor
     */
    public static void validate(ModelConfig c, Weights w) {
        List<Param> ps = of(c);
        for (Param p : ps) {
            if (!w.contains(p.name())) {
                throw new IllegalArgumentException(
                        "missing parameter '" + p.name() + "' " + Arrays.toString(p.shape()));
            }
            int[] s = w.get(p.name()).shape();
            if (!Arrays.equals(s, p.shape())) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' has shape " + Arrays.toString(s)
                        + ", expected " + Arrays.toString(p.shape()));
            }
        }
        if (w.size() != ps.size()) {
            List<String> extra = new ArrayList<>(w.names());
            extra.removeAll(ps.stream().map(Param::name).toList());
            throw new IllegalArgumentException("unexpected parameters for this config: " + extra);
        }
    }
}
