package dev.recsys.api.spi;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.model.Weights;

/** A loaded engine that builds models. Closing it releases the engine's shared resources. */
public interface Backend extends AutoCloseable {
    /** The provider's name, e.g. {@code djl}. */
    String name();

    /** Engine and version, e.g. {@code DJL 0.36.0 / PyTorch 2.7.1}. */
    String engineVersion();

    /**
     * Builds the network of config with the given weights.
     *
     * @param config  the model shape
     * @param content item content tokens; required when {@code config.hasContent()}, else null
     * @param weights canonical weights ({@link dev.recsys.api.model.ParamLayout}); copied
     * @param seed    seed of the backend's dropout stream
     */
    RecModel create(ModelConfig config, ItemContent content, Weights weights, long seed);

    @Override
    void close();
}
