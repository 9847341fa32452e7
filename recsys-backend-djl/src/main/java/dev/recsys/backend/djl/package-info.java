/**
 * The recsys model on DJL with the PyTorch engine (CPU natives from Maven Central, never
 * downloaded at run time).
 *
 * <p>Entry point: {@link dev.recsys.backend.djl.DjlBackendProvider}, found through
 * {@link java.util.ServiceLoader} under the name {@code djl}. The provider is cheap to
 * construct; the engine is loaded by {@code create}. Before any DJL class is touched the
 * provider sets the system properties {@code ai.djl.offline=true} and
 * {@code OPT_OUT_TRACKING=true}, so that DJL neither downloads anything nor makes its usage
 * telemetry calls. The environment variables {@code DJL_OFFLINE} / {@code OPT_OUT_TRACKING},
 * which DJL reads before the properties, cannot be set from Java; do not set them to false.
 *
 * <p>The model ({@link dev.recsys.backend.djl.DjlModel}) computes the maths of
 * {@code docs/MODEL.md} with raw NDArray operations on parameters held in one
 * {@code NDManager}; each call runs in its own sub-manager that is closed before it returns.
 */
package dev.recsys.backend.djl;
