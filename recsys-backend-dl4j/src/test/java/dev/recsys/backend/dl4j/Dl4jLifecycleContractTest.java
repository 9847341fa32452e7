package dev.recsys.backend.dl4j;

import dev.recsys.api.contract.AbstractLifecycleContractTest;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;

/** Runs the {@link AbstractLifecycleContractTest} part of the contract kit against the DL4J backend. */
class Dl4jLifecycleContractTest extends AbstractLifecycleContractTest {
    @Override
    protected Backend backend() {
        return new Dl4jBackendProvider().create(BackendOptions.defaults());
    }
}
