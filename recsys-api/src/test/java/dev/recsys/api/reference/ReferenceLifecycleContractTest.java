package dev.recsys.api.reference;

import dev.recsys.api.contract.AbstractLifecycleContractTest;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;

/** Runs the {@link AbstractLifecycleContractTest} part of the contract kit against {@link ReferenceBackend}. */
class ReferenceLifecycleContractTest extends AbstractLifecycleContractTest {
    @Override
    protected Backend backend() {
        return new ReferenceBackend();
    }

    @Override
    protected float evalLoss(RecModel model, TrainBatch batch, LossSpec loss) {
        return ReferenceBackend.evalLoss(model, batch, loss);
    }
}
