package dev.recsys.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.TopK;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The JSON API's requests and answers, without HTTP: validates a parsed body against a loaded
 * model and runs it. Every problem is an {@link ApiException} with a one-line message naming the
 * field.
 */
final class RecommendApi {
    static final List<String> RECOMMEND_FIELDS =
            List.of("user", "history", "events", "k", "exclude", "includeSeen", "rerank", "newItemBoost", "explain");
    /** The largest new-item boost a request may ask for, in standard deviations either way. */
    static final float MAX_BOOST = 100f;

    static final String EXAMPLE = "{\"history\": [\"1193\", \"661\"], \"k\": 10}";

    private final ServerConfig limits;

    RecommendApi(ServerConfig limits) {
        this.limits = limits;
    }

    /** One validated recommendation request in the model's dense ids. */
    record Query(
            int[] history,
            int[] events,
            int k,
            Set<Integer> exclude,
            int rerank,
            float boost,
            boolean includeSeen,
            boolean explain) {
        /** How many the recommender must return so that k remain after the exclusions. */
        int fetch() {
            return k + exclude.size();
        }
    }

    Map<String, Object> recommend(LoadedModel m, JsonNode body) {
        Query q = parse(m, body, "");
        List<Recommendation> r = recommender(m, q, "").recommend(q.history(), q.events(), q.fetch(), !q.includeSeen());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.version);
        out.put("items", rows(m, r, q));
        return out;
    }

    /**
     * Many requests at once: requests that share re-ranking depth, seen-item handling and k run
     * as one batched forward pass, so each answer equals the answer of its single request.
     */
    Map<String, Object> batch(LoadedModel m, JsonNode body) {
        if (body == null || !body.isObject() || !body.path("requests").isArray() || body.size() != 1) {
            throw ApiException.badRequest("the batch body must be {\"requests\": [" + EXAMPLE + ", ...]}");
        }
        JsonNode reqs = body.get("requests");
        if (reqs.isEmpty()) {
            throw ApiException.badRequest("requests is empty: give at least one request");
        }
        if (reqs.size() > limits.maxBatch()) {
            throw ApiException.badRequest(
                    "requests has " + reqs.size() + " entries, at most " + limits.maxBatch() + " are allowed");
        }
        Query[] qs = new Query[reqs.size()];
        for (int i = 0; i < qs.length; i++) {
            qs[i] = parse(m, reqs.get(i), "requests[" + i + "].");
        }
        List<List<Recommendation>> results = new ArrayList<>(java.util.Collections.nCopies(qs.length, null));
        Map<List<Integer>, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < qs.length; i++) {
            groups.computeIfAbsent(
                            List.of(
                                    qs[i].rerank(),
                                    qs[i].includeSeen() ? 1 : 0,
                                    qs[i].fetch(),
                                    Float.floatToIntBits(qs[i].boost())),
                            g -> new ArrayList<>())
                    .add(i);
        }
        for (List<Integer> g : groups.values()) {
            Query first = qs[g.get(0)];
            int[][] h = new int[g.size()][];
            int[][] ev = first.events() == null ? null : new int[g.size()][];
            for (int j = 0; j < h.length; j++) {
                h[j] = qs[g.get(j)].history();
                if (ev != null) {
                    ev[j] = qs[g.get(j)].events();
                }
            }
            List<List<Recommendation>> r = recommender(m, first, "requests[" + g.get(0) + "].")
                    .recommendBatch(h, ev, first.fetch(), !first.includeSeen());
            for (int j = 0; j < h.length; j++) {
                results.set(g.get(j), r.get(j));
            }
        }
        List<Object> out = new ArrayList<>(qs.length);
        for (int i = 0; i < qs.length; i++) {
            out.add(Map.of("items", rows(m, results.get(i), qs[i])));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", m.version);
        o.put("results", out);
        return o;
    }

    /** Nearest items by cosine similarity of the model's item vectors (the item itself left out). */
    Map<String, Object> similar(LoadedModel m, String id, String kParam) {
        Catalogue cat = m.catalogue;
        int item = cat.item(id);
        if (item == 0) {
            throw ApiException.notFound(
                    "unknown item '" + id + "': not in the model's catalogue of " + cat.numItems() + " items");
        }
        int k = kParam == null ? limits.defaultK() : parseK(kParam, cat.numItems());
        int n = cat.numItems();
        int d = m.dim;
        float[] v = m.unitVectors;
        float[] s = new float[n + 1];
        for (int j = 1; j <= n; j++) {
            float dot = 0;
            for (int t = 0; t < d; t++) {
                dot += v[item * d + t] * v[j * d + t];
            }
            s[j] = dot;
        }
        boolean[] mask = new boolean[n + 1];
        mask[0] = true;
        mask[item] = true;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int j : TopK.select(s, 0, n + 1, k, mask)) {
            rows.add(row(cat, j, s[j], null));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.version);
        out.put("item", id);
        out.put("title", cat.title(item));
        out.put("items", rows);
        return out;
    }

    private List<Map<String, Object>> rows(LoadedModel m, List<Recommendation> r, Query q) {
        List<Map<String, Object>> rows = new ArrayList<>(q.k());
        List<Integer> items = new ArrayList<>(q.k());
        for (Recommendation x : r) {
            if (rows.size() == q.k()) {
                break;
            }
            if (!q.exclude().contains(x.item())) {
                rows.add(row(m.catalogue, x.item(), x.score(), x.retrievalScore()));
                items.add(x.item());
            }
        }
        if (q.explain() && !items.isEmpty()) {
            SeqBatch one = m.recommender(0)
                    .toBatch(new int[][] {q.history()}, q.events() == null ? null : new int[][] {q.events()});
            List<Map<String, Object>> why = m.explainer.explain(
                    one, items.stream().mapToInt(Integer::intValue).toArray());
            for (int i = 0; i < rows.size(); i++) {
                rows.get(i).put("why", why.get(i));
            }
        }
        return rows;
    }

    private static Map<String, Object> row(Catalogue cat, int item, float score, Float retrieval) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("item", cat.external(item));
        row.put("score", score);
        if (retrieval != null) {
            row.put("retrievalScore", retrieval);
        }
        row.put("title", cat.title(item));
        return row;
    }

    Query parse(LoadedModel m, JsonNode body, String at) {
        Catalogue cat = m.catalogue;
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest((at.isEmpty() ? "the request body" : at.substring(0, at.length() - 1))
                    + " must be a JSON object like " + EXAMPLE);
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!RECOMMEND_FIELDS.contains(f)) {
                throw ApiException.badRequest(
                        "unknown field '" + at + f + "'; known: " + String.join(", ", RECOMMEND_FIELDS));
            }
        }
        boolean hasUser = body.has("user");
        boolean hasHistory = body.has("history");
        if (hasUser == hasHistory) {
            throw ApiException.badRequest("give exactly one of '" + at + "user' (a user id of the data set) or '" + at
                    + "history' (item ids, oldest first)");
        }
        int[] history;
        int[] events = null;
        boolean usesEvents = m.data.config().eventTypes() > 0;
        if (hasUser) {
            JsonNode u = body.get("user");
            if (!(u.isTextual() || u.isIntegralNumber())) {
                throw ApiException.badRequest(at + "user must be a user id (text or number), found " + u);
            }
            if (!cat.hasUsers()) {
                throw ApiException.badRequest(
                        "this server has no data set to look users up in: start it with --data FORMAT:PATH, "
                                + "or send {\"history\": [...]}");
            }
            Catalogue.History h = cat.history(u.asText());
            if (h == null) {
                throw ApiException.notFound("unknown user '" + u.asText() + "': not in data set " + cat.dataName());
            }
            if (h.items().length == 0) {
                throw ApiException.badRequest(
                        "user '" + u.asText() + "' has no history the model knows: nothing to recommend from");
            }
            history = h.items();
            events = usesEvents ? h.events() : null;
            if (usesEvents && events == null) {
                throw ApiException.badRequest(
                        "the model uses event types but data set " + cat.dataName() + " has none");
            }
            if (body.has("events")) {
                throw ApiException.badRequest(at + "events only goes with " + at + "history");
            }
        } else {
            history = items(cat, body.get("history"), at + "history", false);
            if (usesEvents) {
                events = ints(body.get("events"), at + "events", history.length);
            } else if (body.has("events")) {
                throw ApiException.badRequest(at + "events: this model does not use event types; leave it out");
            }
        }
        int k = body.has("k") ? k(body.get("k"), at + "k", cat.numItems()) : limits.defaultK();
        Set<Integer> exclude = new HashSet<>();
        if (body.has("exclude")) {
            for (int it : items(cat, body.get("exclude"), at + "exclude", true)) {
                exclude.add(it);
            }
        }
        int rerank = m.rerank;
        if (body.has("rerank")) {
            JsonNode r = body.get("rerank");
            if (!r.canConvertToInt() || !r.isIntegralNumber() || r.asInt() < 0 || r.asInt() > cat.numItems()) {
                throw ApiException.badRequest(at + "rerank must be a whole number in 0.." + cat.numItems()
                        + " (0 = stage 1 only), found " + r);
            }
            rerank = r.asInt();
        }
        float boost = 0f;
        if (body.has("newItemBoost")) {
            JsonNode b = body.get("newItemBoost");
            if (!b.isNumber() || !Double.isFinite(b.asDouble()) || Math.abs(b.asDouble()) > MAX_BOOST) {
                throw ApiException.badRequest(at + "newItemBoost must be a number of standard deviations in -"
                        + (int) MAX_BOOST + ".." + (int) MAX_BOOST + ", found " + b);
            }
            boost = (float) b.asDouble();
        }
        return new Query(
                history, events, k, exclude, rerank, boost, flag(body, at, "includeSeen"), flag(body, at, "explain"));
    }

    /** The query's recommender; a boost the model cannot apply is the request's error. */
    private static dev.recsys.api.recommend.Recommender recommender(LoadedModel m, Query q, String at) {
        try {
            return m.recommender(q.rerank(), q.boost());
        } catch (dev.recsys.api.DataException e) {
            throw ApiException.badRequest(at + "newItemBoost: " + e.getMessage());
        }
    }

    /** An optional true/false field (false when absent). */
    static boolean flag(JsonNode body, String at, String name) {
        if (!body.has(name)) {
            return false;
        }
        JsonNode s = body.get(name);
        if (!s.isBoolean()) {
            throw ApiException.badRequest(at + name + " must be true or false, found " + s);
        }
        return s.asBoolean();
    }

    private int[] items(Catalogue cat, JsonNode a, String field, boolean mayBeEmpty) {
        if (a == null || !a.isArray()) {
            throw ApiException.badRequest(
                    field + " must be an array of item ids, e.g. [\"1193\", \"661\"], found " + a);
        }
        if (a.isEmpty() && !mayBeEmpty) {
            throw ApiException.badRequest(field + " is empty: a recommendation needs at least one item id");
        }
        if (a.size() > limits.maxHistory()) {
            throw ApiException.badRequest(
                    field + " has " + a.size() + " items, at most " + limits.maxHistory() + " are allowed");
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = a.get(i);
            if (!(x.isTextual() || x.isIntegralNumber())) {
                throw ApiException.badRequest(field + "[" + i + "] must be an item id (text or number), found " + x);
            }
            out[i] = cat.item(x.asText());
            if (out[i] == 0) {
                throw ApiException.badRequest(field + "[" + i + "]: unknown item '" + x.asText()
                        + "': not in the model's catalogue of " + cat.numItems() + " items");
            }
        }
        return out;
    }

    private static int[] ints(JsonNode a, String field, int n) {
        if (a == null || !a.isArray() || a.size() != n) {
            throw ApiException.badRequest(field + " is required by this model: an array of " + n
                    + " event type ids, one per history item, found " + a);
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            if (!a.get(i).canConvertToInt() || !a.get(i).isIntegralNumber()) {
                throw ApiException.badRequest(field + "[" + i + "] must be an event type id, found " + a.get(i));
            }
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    private int k(JsonNode k, String field, int numItems) {
        int max = Math.min(limits.maxK(), numItems);
        if (!k.isIntegralNumber() || !k.canConvertToInt() || k.asInt() < 1 || k.asInt() > max) {
            throw ApiException.badRequest(field + " must be a whole number in 1.." + max + ", found " + k);
        }
        return k.asInt();
    }

    private int parseK(String k, int numItems) {
        return parseInt("k", k, Math.min(limits.maxK(), numItems - 1));
    }

    /** A query parameter that must be a whole number in 1..max. */
    private static int parseInt(String name, String v, int max) {
        int x;
        try {
            x = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            x = -1;
        }
        if (x < 1 || x > max) {
            throw ApiException.badRequest(name + " must be a whole number in 1.." + max + ", found '" + v + "'");
        }
        return x;
    }

    /**
     * The catalogue for the web page: the items of {@code ids} (comma-separated, in that order), or
     * else the items whose title contains {@code q} (case-insensitive) or whose id is {@code q}, in
     * catalogue order; at most {@code limit} (default 20).
     */
    Map<String, Object> items(LoadedModel m, String q, String ids, String limitParam) {
        Catalogue cat = m.catalogue;
        int limit = limitParam == null ? 20 : parseInt("limit", limitParam, limits.maxK());
        List<Map<String, Object>> rows = new ArrayList<>();
        if (ids != null) {
            for (String id : ids.split(",")) {
                String t = id.trim();
                int it = cat.item(t);
                if (it == 0) {
                    throw ApiException.notFound("ids: unknown item '" + t + "': not in the model's catalogue of "
                            + cat.numItems() + " items");
                }
                if (rows.size() < limit) {
                    rows.add(catalogueRow(cat, it));
                }
            }
        } else {
            String exact = q == null ? "" : q.trim();
            String needle = exact.toLowerCase(Locale.ROOT);
            for (int i = 1; i <= cat.numItems() && rows.size() < limit; i++) {
                String title = cat.title(i);
                if (needle.isEmpty()
                        || cat.external(i).equals(exact)
                        || (title != null && title.toLowerCase(Locale.ROOT).contains(needle))) {
                    rows.add(catalogueRow(cat, i));
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.version);
        out.put("items", rows);
        return out;
    }

    private static Map<String, Object> catalogueRow(Catalogue cat, int item) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("item", cat.external(item));
        row.put("title", cat.title(item));
        return row;
    }
}
