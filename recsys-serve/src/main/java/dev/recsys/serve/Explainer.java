package dev.recsys.serve;

import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.Vocabulary;
import dev.recsys.api.reference.ReferenceModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "why" of a recommendation: the history items the user encoder's last position attended to
 * most (last layer, mean over heads) and, for content models, the content tokens of the item that
 * the cross-attention weighed most (averaged over the history's positions). Computed by
 * {@link ReferenceModel#explain}, the double-precision forward pass that every backend matches
 * within 1e-4, so the weights are those of the served model whichever backend serves it. The
 * reference copy of the weights is built on the first explained request of a model.
 */
final class Explainer {
    /** History items and tokens listed per recommendation. */
    static final int TOP = 3;

    private final LoadedModel model;
    private volatile ReferenceModel reference;

    Explainer(LoadedModel model) {
        this.model = model;
    }

    private ReferenceModel reference() {
        ReferenceModel r = reference;
        if (r == null) {
            synchronized (this) {
                r = reference;
                if (r == null) {
                    r = new ReferenceModel(model.data.config(), model.data.content(), model.data.weights());
                    reference = r;
                }
            }
        }
        return r;
    }

    /** One {@code why} object per item, in order. */
    List<Map<String, Object>> explain(SeqBatch history, int[] items) {
        ReferenceModel.Explanation e = reference().explain(history, items);
        Catalogue cat = model.catalogue;
        Map<Integer, Double> perItem = new LinkedHashMap<>();
        for (int j = 0; j < history.length(); j++) {
            int it = history.item(0, j);
            if (it != 0) {
                perItem.merge(it, e.history()[j], Double::sum);
            }
        }
        List<Map<String, Object>> attended = new ArrayList<>();
        perItem.entrySet().stream()
                .sorted(Map.Entry.<Integer, Double>comparingByValue().reversed())
                .limit(TOP)
                .forEach(en -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("item", cat.external(en.getKey()));
                    m.put("title", cat.title(en.getKey()));
                    m.put("weight", round(en.getValue()));
                    attended.add(m);
                });
        List<Map<String, Object>> out = new ArrayList<>(items.length);
        for (int c = 0; c < items.length; c++) {
            Map<String, Object> why = new LinkedHashMap<>();
            why.put("history", attended);
            if (e.tokens() != null) {
                why.put("tokens", tokens(items[c], e.tokens()[c]));
            }
            out.add(why);
        }
        return out;
    }

    /** The item's content tokens by weight (the item marker left out), the same token's positions summed. */
    private List<Map<String, Object>> tokens(int item, double[] weights) {
        ItemContent content = model.data.content();
        List<String> vocabulary = model.data.vocabulary();
        int t = content.contentLen();
        Map<Integer, Double> perToken = new LinkedHashMap<>();
        for (int j = 0; j < t; j++) {
            int tok = content.tokens()[item * t + j];
            if (tok != Vocabulary.PAD && tok != Vocabulary.ITEM) {
                perToken.merge(tok, weights[j], Double::sum);
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        perToken.entrySet().stream()
                .sorted(Map.Entry.<Integer, Double>comparingByValue().reversed())
                .limit(TOP)
                .forEach(en -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    int tok = en.getKey();
                    m.put("token", vocabulary != null && tok < vocabulary.size() ? vocabulary.get(tok) : "#" + tok);
                    m.put("weight", round(en.getValue()));
                    out.add(m);
                });
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
