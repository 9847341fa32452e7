package dev.recsys.backend.djl;

import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.BackendProvider;

/**
 * The {@code djl} backend: the model on DJL 0.36.0 with the PyTorch 2.7.1 CPU engine.
 *
 * <p>Constructing the provider is cheap and touches no DJL class. {@link #isAvailable()} only
 * checks that the DJL classes are on the classpath. {@link #create} loads the engine (the
 * natives are extracted from {@code ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64} on
 * first use; nothing is ever downloaded) and applies {@link BackendOptions}: intra-op and
 * inter-op threads and the folder the natives are extracted to (default
 * {@code ~/.cache/recsys/djl}, see {@link DjlEngine}).
 *
 * <p>Side effect, documented because it is global: the first call of {@link #create} (and
 * loading this class) sets the system properties {@code ai.djl.offline=true} and
 * {@code OPT_OUT_TRACKING=true}, which keep DJL from downloading and from its telemetry calls.
 */
public final class DjlBackendProvider implements BackendProvider {
    /** Name used for selection ({@code -Drecsys.backend=djl}). */
    public static final String NAME = "djl";
    /** Maven coordinates of this backend. */
    public static final String ARTIFACT = "dev.recsys:recsys-backend-djl";

    static {
        DjlEngine.setOfflineProperties();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public String artifact() {
        return ARTIFACT;
    }

    @Override
    public boolean isAvailable() {
        ClassLoader cl = DjlBackendProvider.class.getClassLoader();
        try {
            Class.forName("ai.djl.engine.Engine", false, cl);
            Class.forName("ai.djl.pytorch.engine.PtEngine", false, cl);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public Backend create(BackendOptions options) {
        BackendOptions o = options == null ? BackendOptions.defaults() : options;
        DjlEngine.load(o);
        return new DjlBackend();
    }
}
