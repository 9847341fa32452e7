package dev.recsys.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recsys.api.data.NewItem;
import dev.recsys.eval.data.ContentBuilder;
import dev.recsys.eval.data.Titles;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The body of {@code POST /v1/items}: new catalogue entries with the content a model reads
 * (title, genres, year), tokenised by the training rules ({@link ContentBuilder#itemTokens}).
 * Every problem is an {@link ApiException} naming the field.
 */
final class ItemsApi {
    static final List<String> ITEM_FIELDS = List.of("id", "title", "genres", "year");
    static final String ITEM_EXAMPLE =
            "{\"id\": \"5001\", \"title\": \"Heat 2\", \"genres\": [\"Action\"], \"year\": 2001}";
    static final String EXAMPLE = "{\"items\": [" + ITEM_EXAMPLE + "]}";

    /** The parsed request: items with their display titles, and whether ids already served may be replaced. */
    record Request(List<NewItem> items, List<String> titles, boolean replace) {}

    private ItemsApi() {}

    static Request parse(JsonNode body, int maxItems) {
        if (body == null || !body.isObject() || !body.path("items").isArray()) {
            throw ApiException.badRequest("the body must be " + EXAMPLE + " (optional \"replace\": true)");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("items") && !f.equals("replace")) {
                throw ApiException.badRequest("unknown field '" + f + "'; known: items, replace");
            }
        }
        boolean replace = RecommendApi.flag(body, "", "replace");
        JsonNode items = body.get("items");
        if (items.isEmpty()) {
            throw ApiException.badRequest("items is empty: give at least one item");
        }
        if (items.size() > maxItems) {
            throw ApiException.badRequest(
                    "items has " + items.size() + " entries, at most " + maxItems + " are allowed per request");
        }
        List<NewItem> out = new ArrayList<>(items.size());
        List<String> titles = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String at = "items[" + i + "]";
            JsonNode n = items.get(i);
            if (!n.isObject()) {
                throw ApiException.badRequest(at + " must be an object like " + ITEM_EXAMPLE);
            }
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!ITEM_FIELDS.contains(f)) {
                    throw ApiException.badRequest(
                            "unknown field '" + at + "." + f + "'; known: " + String.join(", ", ITEM_FIELDS));
                }
            }
            String id = text(n, at, "id");
            if (id.isBlank()) {
                throw ApiException.badRequest(at + ".id is empty");
            }
            Titles.TitleYear ty = Titles.split(text(n, at, "title"));
            int year = ty.year();
            if (n.has("year")) {
                JsonNode y = n.get("year");
                if (!y.isIntegralNumber() || y.asInt() < 1 || y.asInt() > 9999) {
                    throw ApiException.badRequest(at + ".year must be a whole number in 1..9999, found " + y);
                }
                year = y.asInt();
            }
            String[] genres = new String[0];
            if (n.has("genres")) {
                JsonNode g = n.get("genres");
                if (!g.isArray()) {
                    throw ApiException.badRequest(at + ".genres must be an array of strings, found " + g);
                }
                genres = new String[g.size()];
                for (int j = 0; j < g.size(); j++) {
                    if (!g.get(j).isTextual()) {
                        throw ApiException.badRequest(at + ".genres[" + j + "] must be a string, found " + g.get(j));
                    }
                    genres[j] = g.get(j).asText();
                }
            }
            out.add(new NewItem(id, ContentBuilder.itemTokens(ty.title(), genres, year), at));
            titles.add(year > 0 ? ty.title() + " (" + year + ")" : ty.title());
        }
        return new Request(out, titles, replace);
    }

    /** A required string field of item {@code at}. */
    private static String text(JsonNode n, String at, String field) {
        JsonNode v = n.get(field);
        if (v == null) {
            throw ApiException.badRequest(at + "." + field + " is missing");
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(at + "." + field + " must be a string, found " + v);
        }
        return v.asText();
    }
}
