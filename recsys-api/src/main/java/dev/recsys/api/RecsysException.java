package dev.recsys.api;

/**
 * Root of the project's unchecked exceptions. Messages say what was expected, what was found
 * and what to do.
 */
public class RecsysException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RecsysException(String message) {
        super(message);
    }

    public RecsysException(String message, Throwable cause) {
        super(message, cause);
    }
}
