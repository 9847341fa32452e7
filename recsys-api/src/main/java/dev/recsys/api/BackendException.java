package dev.recsys.api;

/** A backend could not be found, loaded or used (missing natives, unknown name, closed model). */
public class BackendException extends RecsysException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
