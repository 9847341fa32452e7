package dev.recsys.api.model;

import dev.recsys.api.config.ModelConfig;
import java.util.SplittableRandom;

/**
 * Engine-free initialisation from one seed, so that every backend starts from the same weights.
 * Matrices and embedding tables: Xavier normal ({@code std = sqrt(2 / (fanIn + fanOut))}, as the
 * reference SASRec code does), with the padding rows of the item and token tables set to 0;
 * biases 0; layer-norm gains 1.
 */
public final class Initializer {
    private Initializer() {}

    public static Weights init(ModelConfig c, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        Weights w = new Weights();
        for (ParamLayout.Param p : ParamLayout.of(c)) {
            SplittableRandom r = root.split();
            float[] data = new float[p.size()];
            switch (p.init()) {
                case ZEROS -> {}
                case ONES -> java.util.Arrays.fill(data, 1f);
                case XAVIER_NORMAL, NORMAL_EMBEDDING -> {
                    int fanIn = p.shape()[0];
                    int fanOut = p.shape().length > 1 ? p.shape()[1] : 1;
                    double std = Math.sqrt(2.0 / (fanIn + fanOut));
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (float) (gaussian(r) * std);
                    }
                    if (p.name().equals(ParamLayout.ITEM_EMBEDDING) || p.name().equals(ParamLayout.TOKEN_EMBEDDING)) {
                        java.util.Arrays.fill(data, 0, p.shape()[1], 0f); // padding row
                    }
                }
                default -> throw new IllegalStateException(p.init().toString());
            }
            w.put(p.name(), p.shape(), data);
        }
        return w;
    }

    /** Standard normal by Box-Muller, so the stream is fixed across JDK versions. */
    static double gaussian(SplittableRandom r) {
        double u1;
        do {
            u1 = r.nextDouble();
        } while (u1 <= 0);
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
