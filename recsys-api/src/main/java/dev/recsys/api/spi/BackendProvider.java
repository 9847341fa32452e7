package dev.recsys.api.spi;

/**
 * A backend implementation, found through {@link java.util.ServiceLoader}. Constructing a
 * provider must be cheap and must not load an engine; the engine is loaded by {@link #create}.
 */
public interface BackendProvider {
    /** Short name used for selection, e.g. {@code djl}. */
    String name();

    /** Higher wins when no backend is named. */
    int priority();

    /** Maven coordinates of the artifact that brings this backend, for error messages. */
    String artifact();

    /** Cheap check that the engine's classes are present (no native loading). */
    boolean isAvailable();

    /** Loads the engine (natives) if needed and returns a backend. */
    Backend create(BackendOptions options);
}
