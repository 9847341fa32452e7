package dev.recsys.api;

/** A checkpoint folder or a safetensors file is missing, truncated, corrupt or foreign. */
public class CheckpointException extends RecsysException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
