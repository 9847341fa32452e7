package dev.recsys.api.recommend;

import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import java.util.Objects;

/**
 * A score offset for new items: items whose item-id row was never trained (the cold items of the
 * cold-start protocol, items added from their content), which a content model scores from their
 * content alone. Such a model ranks new items among themselves well but places them below the
 * trained items: their content vector is less certain than a trained id row, so they seldom reach
 * the top k (docs/MODEL.md "New-item boost"). The boost adds {@code deviations} times the standard
 * deviation of the user's stage-1 scores over the trained items to every new item's score, in both
 * stages, so that a product can show new items more often, and an evaluation can trace what each
 * amount costs the trained items.
 *
 * <p>Which items are new is read from the weights: their id rows are exactly zero (training zeroes
 * the cold items' rows, adding items gives them zero rows; a trained row is never exactly zero).
 *
 * @param isNew      per dense item id 0..N, whether the item is new (index 0, padding, is never new)
 * @param deviations the offset in standard deviations of the user's scores over trained items
 */
public record NewItemBoost(boolean[] isNew, float deviations) {
    public NewItemBoost {
        Objects.requireNonNull(isNew, "isNew");
        if (!Float.isFinite(deviations)) {
            throw new DataException("the new-item boost must be a finite number, found " + deviations);
        }
        if (isNew.length > 0 && isNew[0]) {
            throw new IllegalArgumentException("item 0 (padding) cannot be new");
        }
    }

    /**
     * The boost for a model: new items are those whose item-id row is all zeros.
     *
     * @throws DataException for a model without item content or without item ids: it has no
     *                       items that are scored from their content alone, or only such items
     */
    public static NewItemBoost of(ModelConfig config, Weights weights, float deviations) {
        if (!config.hasContent() || !config.itemIds()) {
            throw new DataException("the new-item boost needs a model with item content and item ids (this one has "
                    + (config.hasContent() ? "no item ids: every item is scored from its content" : "no content")
                    + ")");
        }
        Weights.Tensor t = weights.get(ParamLayout.ITEM_EMBEDDING);
        int n = config.numItems();
        int d = t.shape()[1];
        if (t.shape()[0] != n + 1) {
            throw new IllegalArgumentException(
                    ParamLayout.ITEM_EMBEDDING + " has " + t.shape()[0] + " rows, expected numItems + 1 = " + (n + 1));
        }
        boolean[] isNew = new boolean[n + 1];
        float[] w = t.data();
        for (int i = 1; i <= n; i++) {
            boolean zero = true;
            for (int j = i * d; j < (i + 1) * d && zero; j++) {
                zero = w[j] == 0f;
            }
            isNew[i] = zero;
        }
        return new NewItemBoost(isNew, deviations);
    }

    /**
     * Adds the offset to the new items of every row of stage-1 scores, in place.
     *
     * @param s1 {@code [rows * (N + 1)]} scores of the whole catalogue
     * @return each row's offset (0 for a row without trained items to measure, or without new items)
     */
    public float[] stageOne(float[] s1, int rows) {
        int w = isNew.length;
        if (s1.length != rows * w) {
            throw new IllegalArgumentException("stage-1 scores have " + s1.length + " entries, expected " + rows * w);
        }
        float[] offsets = new float[rows];
        if (deviations == 0f) {
            return offsets;
        }
        for (int r = 0; r < rows; r++) {
            int base = r * w;
            double sum = 0;
            double sq = 0;
            int m = 0;
            for (int i = 1; i < w; i++) {
                if (!isNew[i]) {
                    double s = s1[base + i];
                    sum += s;
                    sq += s * s;
                    m++;
                }
            }
            if (m == 0 || m == w - 1) {
                continue;
            }
            double mean = sum / m;
            float off = (float) (deviations * Math.sqrt(Math.max(0, sq / m - mean * mean)));
            offsets[r] = off;
            for (int i = 1; i < w; i++) {
                if (isNew[i]) {
                    s1[base + i] += off;
                }
            }
        }
        return offsets;
    }

    /**
     * Adds each row's offset to the stage-2 scores of its new candidates, in place.
     *
     * @param s2         {@code [rows * perRow]} stage-2 scores
     * @param candidates the candidates they score, same layout
     * @param offsets    what {@link #stageOne} returned for these rows
     */
    public void stageTwo(float[] s2, int[] candidates, int perRow, float[] offsets) {
        if (perRow == 0) {
            return;
        }
        for (int k = 0; k < s2.length; k++) {
            if (isNew[candidates[k]]) {
                s2[k] += offsets[k / perRow];
            }
        }
    }
}
