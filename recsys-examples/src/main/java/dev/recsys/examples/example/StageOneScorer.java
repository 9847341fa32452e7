package dev.recsys.examples.example;

import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.RecModel;
import dev.recsys.eval.protocol.BatchScorer;

/** The evaluator's view of a model: stage-1 scores of the whole catalogue (what every example ranks by). */
final class StageOneScorer implements BatchScorer {
    private final RecModel model;
    private final Recommender batches;

    StageOneScorer(RecModel model) {
        this.model = model;
        this.batches = new Recommender(model, 0);
    }

    @Override
    public void score(int[] users, int[][] histories, float[] out) {
        SeqBatch batch = batches.toBatch(histories, null);
        float[] s = model.scoreAll(batch);
        System.arraycopy(s, 0, out, 0, s.length);
    }

    @Override
    public boolean threadSafe() {
        return true;
    }
}
