package dev.recsys.backend.dl4j;

import dev.recsys.api.contract.AbstractReferenceParityContractTest;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;

/** Runs the {@link AbstractReferenceParityContractTest} part of the contract kit against the DL4J backend. */
class Dl4jReferenceParityContractTest extends AbstractReferenceParityContractTest {
    @Override
    protected Backend backend() {
        return new Dl4jBackendProvider().create(BackendOptions.defaults());
    }
}
