package dev.recsys.api;

/** Training cannot go on: a NaN or infinite loss or gradient, a configuration that does not fit. */
public class TrainingException extends RecsysException {
    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(message);
    }
}
