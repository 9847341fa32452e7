package dev.recsys.api.model;

/**
 * A Transformer encoder (a stack of attention + feed-forward layers), generic over the backend's
 * tensor type {@code T}: the reference implementation uses plain arrays, DJL uses NDArray, DL4J
 * SameDiff variables.
 *
 * @param <T> the backend's tensor type
 */
public interface Encoder<T> {
    /**
     * Encodes embedded inputs.
     *
     * @param input {@code [B, L, d]} embedded inputs (positions already added)
     * @param keep  {@code [B, L]} 1 for a real position, 0 for padding
     * @return {@code [B, L, d]}; rows of padding positions are unspecified and must be ignored
     */
    T encode(T input, T keep);
}
