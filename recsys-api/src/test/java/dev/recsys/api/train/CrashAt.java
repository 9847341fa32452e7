package dev.recsys.api.train;

/**
 * A listener that fails a run at a given step of a given {@link Trainer#fit} call, as a crash
 * would: for resume tests (shipped in the test-jar).
 */
public final class CrashAt implements TrainingListener {
    /** The message of the exception it throws. */
    public static final String MESSAGE = "simulated crash";

    private final int fit;
    private final long step;
    private int starts;

    /**
     * @param fit  which {@code fit} call (1 = the first stage, 2 = the second)
     * @param step the step of that call after which it fails (1-based, counted from the call's start)
     */
    public CrashAt(int fit, long step) {
        this.fit = fit;
        this.step = step;
    }

    @Override
    public void onStart(long totalSteps, long startStep) {
        starts++;
    }

    @Override
    public void onStep(StepInfo info) {
        if (starts == fit && info.step() == step) {
            throw new IllegalStateException(MESSAGE);
        }
    }
}
