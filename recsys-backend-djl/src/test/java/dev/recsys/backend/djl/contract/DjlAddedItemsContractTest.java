package dev.recsys.backend.djl.contract;

import dev.recsys.api.contract.AbstractAddedItemsContractTest;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.backend.djl.DjlBackendProvider;

class DjlAddedItemsContractTest extends AbstractAddedItemsContractTest {
    @Override
    protected Backend backend() {
        return new DjlBackendProvider().create(BackendOptions.defaults());
    }
}
