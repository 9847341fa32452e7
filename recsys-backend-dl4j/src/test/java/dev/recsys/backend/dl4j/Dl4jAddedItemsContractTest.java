package dev.recsys.backend.dl4j;

import dev.recsys.api.contract.AbstractAddedItemsContractTest;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;

/** Runs the {@link AbstractAddedItemsContractTest} part of the contract kit against the DL4J backend. */
class Dl4jAddedItemsContractTest extends AbstractAddedItemsContractTest {
    @Override
    protected Backend backend() {
        return new Dl4jBackendProvider().create(BackendOptions.defaults());
    }
}
