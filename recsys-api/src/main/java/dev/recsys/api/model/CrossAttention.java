package dev.recsys.api.model;

/**
 * Multi-head attention from user positions (queries) onto an item's content tokens (keys and
 * values): {@code A = MultiHead(Q = U, K = I_c, V = I_c)} with padding masks on both sides.
 *
 * @param <T> the backend's tensor type
 */
public interface CrossAttention<T> {
    /**
     * @param queries   {@code [B, L, d]} the encoded user sequence U
     * @param keys      {@code [B, n, d]} the encoded content I_c of one candidate per row
     * @param keyKeep   {@code [B, n]} 1 for a real token, 0 for padding
     * @return {@code [B, L, d]}
     */
    T attend(T queries, T keys, T keyKeep);
}
