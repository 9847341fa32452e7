package dev.recsys.api.train;

/** Progress callbacks of the {@link Trainer}; all default to no-ops. Called on the training thread. */
public interface TrainingListener {
    default void onStart(long totalSteps, long startStep) {}

    default void onStep(StepInfo info) {}

    /** @param epoch 1-based epoch just finished */
    default void onEpochEnd(int epoch, double meanLoss, double seconds) {}

    /** @param epoch 1-based epoch after which validation ran */
    default void onValidation(int epoch, double metric, boolean improved) {}

    default void onEnd(TrainResult result) {}

    /**
     * One optimiser step.
     *
     * @param epoch        1-based epoch
     * @param step         1-based global step
     * @param totalSteps   planned steps
     * @param loss         batch loss
     * @param learningRate learning rate used
     * @param gradNorm     gradient L2 norm before clipping
     * @param sequences    sequences in the batch
     * @param stepSeconds  wall time of the step (forward, backward, update)
     */
    record StepInfo(
            int epoch,
            long step,
            long totalSteps,
            float loss,
            float learningRate,
            double gradNorm,
            int sequences,
            double stepSeconds) {}
}
