package dev.recsys.api.reference;

import dev.recsys.api.contract.AbstractAddedItemsContractTest;
import dev.recsys.api.spi.Backend;

/** Runs the {@link AbstractAddedItemsContractTest} part of the contract kit against {@link ReferenceBackend}. */
class ReferenceAddedItemsContractTest extends AbstractAddedItemsContractTest {
    @Override
    protected Backend backend() {
        return new ReferenceBackend();
    }
}
