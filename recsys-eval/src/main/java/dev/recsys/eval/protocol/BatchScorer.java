package dev.recsys.eval.protocol;

/**
 * The model side of an evaluation: scores every item for a batch of users at once, so that a
 * neural model can run one forward pass per batch. Higher is better. Column 0 (padding) and the
 * users' seen items may hold anything: the evaluator masks them.
 */
@FunctionalInterface
public interface BatchScorer {
    /**
     * Scores all items for {@code users.length} users.
     *
     * @param users     dense user ids
     * @param histories each user's history (time order) as the evaluation target allows: the
     *                  training sequence for validation, plus the validation item for test
     * @param out       {@code [users.length * (numItems + 1)]}: row r holds user r's scores for items
     *                  0..N; every entry of items 1..N must be written
     */
    void score(int[] users, int[][] histories, float[] out);

    /**
     * Whether {@link #score} may be called from several threads at once. When false (the default)
     * the evaluator serialises scoring calls and ranks in parallel.
     */
    default boolean threadSafe() {
        return false;
    }
}
