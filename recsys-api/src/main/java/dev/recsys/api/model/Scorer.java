package dev.recsys.api.model;

/**
 * The stage-2 scorer: pools the cross-attention output over valid user positions and maps it to
 * one score per row: {@code ŷ = s1 + Pool_j(A_j ⊙ U_j) · w + b} (see
 * {@link dev.recsys.api.model.ForwardTrace}, docs/MODEL.md "Scores" and docs/ARCHITECTURE.md).
 *
 * @param <T> the backend's tensor type
 */
public interface Scorer<T> {
    /**
     * @param attended {@code [B, L, d]} cross-attention output A
     * @param users    {@code [B, L, d]} the encoded user sequence U
     * @param userKeep {@code [B, L]} 1 for a real position
     * @param stage1   {@code [B]} the stage-1 score {@code u_last · itemVector(c)}
     * @return {@code [B]} scores
     */
    T score(T attended, T users, T userKeep, T stage1);
}
