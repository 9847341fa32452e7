package dev.recsys.backend.dl4j;

import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.BackendProvider;

/**
 * The {@code dl4j} backend: the model on ND4J / SameDiff 1.0.0-M2.1 with the nd4j-native CPU
 * natives. Constructing the provider loads nothing; {@link #create} loads ND4J on first use
 * (see {@link Nd4jRuntime} for the settings it applies).
 */
public final class Dl4jBackendProvider implements BackendProvider {
    /** Selection name. */
    public static final String NAME = "dl4j";
    /** Maven coordinates of this backend. */
    public static final String ARTIFACT = "dev.recsys:recsys-backend-dl4j";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public String artifact() {
        return ARTIFACT;
    }

    /** Whether ND4J's API and CPU backend classes are on the classpath (no class initialisation, no natives). */
    @Override
    public boolean isAvailable() {
        ClassLoader cl = Dl4jBackendProvider.class.getClassLoader();
        try {
            Class.forName("org.nd4j.linalg.factory.Nd4j", false, cl);
            Class.forName("org.nd4j.autodiff.samediff.SameDiff", false, cl);
            Class.forName("org.nd4j.linalg.cpu.nativecpu.CpuBackend", false, cl);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public Backend create(BackendOptions options) {
        BackendOptions o = options == null ? BackendOptions.defaults() : options;
        Nd4jRuntime.load(o);
        return new Dl4jBackend(o);
    }
}
