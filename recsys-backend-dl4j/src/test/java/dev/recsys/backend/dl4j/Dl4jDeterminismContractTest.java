package dev.recsys.backend.dl4j;

import dev.recsys.api.contract.AbstractDeterminismContractTest;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;

/** Runs the {@link AbstractDeterminismContractTest} part of the contract kit against the DL4J backend. */
class Dl4jDeterminismContractTest extends AbstractDeterminismContractTest {
    @Override
    protected Backend backend() {
        return new Dl4jBackendProvider().create(BackendOptions.defaults());
    }
}
