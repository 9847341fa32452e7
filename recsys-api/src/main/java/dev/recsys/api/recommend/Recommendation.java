package dev.recsys.api.recommend;

/**
 * One recommended item.
 *
 * @param item           dense item id (1..N)
 * @param score          final score (stage 2 when re-ranked, else stage 1)
 * @param retrievalScore the stage-1 score
 */
public record Recommendation(int item, float score, float retrievalScore) {}
