package dev.recsys.backend.djl;

import ai.djl.engine.Engine;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The loaded DJL/PyTorch engine. Builds {@link DjlModel}s; closing the backend closes the models
 * it built that are still open (the engine itself stays loaded for the life of the process).
 */
public final class DjlBackend implements Backend {
    private final Set<DjlModel> models = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    DjlBackend() {}

    @Override
    public String name() {
        return DjlBackendProvider.NAME;
    }

    @Override
    public String engineVersion() {
        return "DJL " + Engine.getDjlVersion() + " / PyTorch "
                + Engine.getEngine("PyTorch").getVersion();
    }

    @Override
    public synchronized RecModel create(ModelConfig config, ItemContent content, Weights weights, long seed) {
        if (closed) {
            throw new IllegalStateException("backend is closed");
        }
        DjlModel m = new DjlModel(config, content, weights, seed, this::forget);
        models.add(m);
        return m;
    }

    private synchronized void forget(DjlModel m) {
        models.remove(m);
    }

    @Override
    public void close() {
        List<DjlModel> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(models);
        }
        for (DjlModel m : open) {
            m.close();
        }
    }
}
