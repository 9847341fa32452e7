package dev.recsys.spark;

import dev.recsys.api.reference.ReferenceBackend;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.BackendProvider;

/** The plain-Java reference backend under the name {@code reference}, for executors in the tests. */
public final class ReferenceProvider implements BackendProvider {
    @Override
    public String name() {
        return "reference";
    }

    @Override
    public int priority() {
        return -100;
    }

    @Override
    public String artifact() {
        return "dev.recsys:recsys-api (test-jar)";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Backend create(BackendOptions options) {
        return new ReferenceBackend();
    }
}
