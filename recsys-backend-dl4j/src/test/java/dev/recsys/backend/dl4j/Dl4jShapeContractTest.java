package dev.recsys.backend.dl4j;

import dev.recsys.api.contract.AbstractShapeContractTest;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;

/** Runs the {@link AbstractShapeContractTest} part of the contract kit against the DL4J backend. */
class Dl4jShapeContractTest extends AbstractShapeContractTest {
    @Override
    protected Backend backend() {
        return new Dl4jBackendProvider().create(BackendOptions.defaults());
    }
}
