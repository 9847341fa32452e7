package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.RecModel;
import java.util.ArrayList;
import java.util.List;

/** The loaded ND4J engine; creates {@link Dl4jModel}s and closes those still open when closed. */
final class Dl4jBackend implements Backend {
    private final BackendOptions options;
    private final List<Dl4jModel> models = new ArrayList<>();
    private boolean closed;

    Dl4jBackend(BackendOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return Dl4jBackendProvider.NAME;
    }

    @Override
    public String engineVersion() {
        return Nd4jRuntime.VERSION;
    }

    BackendOptions options() {
        return options;
    }

    @Override
    public synchronized RecModel create(ModelConfig config, ItemContent content, Weights weights, long seed) {
        if (closed) {
            throw new IllegalStateException("this DL4J backend is closed");
        }
        if (config == null || weights == null) {
            throw new IllegalArgumentException("config and weights must not be null");
        }
        Dl4jModel m = new Dl4jModel(config, content, weights, seed);
        models.add(m);
        return m;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Dl4jModel m : models) {
            m.close();
        }
        models.clear();
    }
}
