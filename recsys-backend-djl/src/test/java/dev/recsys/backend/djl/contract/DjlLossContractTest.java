package dev.recsys.backend.djl.contract;

import dev.recsys.api.contract.AbstractLossContractTest;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.backend.djl.DjlBackendProvider;

class DjlLossContractTest extends AbstractLossContractTest {
    @Override
    protected Backend backend() {
        return new DjlBackendProvider().create(BackendOptions.defaults());
    }
}
