package dev.recsys.eval.data;

import dev.recsys.api.data.IdMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

/** Item metadata keyed by a numeric external id, read from a movies file, before it is attached to a dataset. */
final class MetaTable {
    private final IdMap ids = IdMap.ofLongs();
    private final List<String> titles = new ArrayList<>();
    private final List<String[]> genres = new ArrayList<>();
    private final List<Integer> years = new ArrayList<>();

    void put(long externalId, String rawTitle, String[] genreNames, int fallbackYear) {
        int before = ids.size();
        int idx = ids.add(externalId);
        Titles.TitleYear ty = Titles.split(rawTitle);
        int year = ty.year() != 0 ? ty.year() : fallbackYear;
        if (idx <= before) {
            titles.set(idx - 1, ty.title());
            genres.set(idx - 1, genreNames);
            years.set(idx - 1, year);
        } else {
            titles.add(ty.title());
            genres.add(genreNames);
            years.add(year);
        }
    }

    int size() {
        return ids.size();
    }

    /**
     * Metadata for {@code numItems} dataset items: {@code externalOf} gives the metadata key of a
     * dense item id (or a negative value when there is none).
     *
     * @return the metadata, and the number of items found via {@link #lastMatched}
     */
    ItemMeta attach(int numItems, IntToLongFunction externalOf) {
        String[] t = new String[numItems + 1];
        String[][] g = new String[numItems + 1][];
        int[] y = new int[numItems + 1];
        g[0] = new String[0];
        int matched = 0;
        for (int i = 1; i <= numItems; i++) {
            long ext = externalOf.applyAsLong(i);
            int idx = ext < 0 ? 0 : ids.get(ext);
            if (idx > 0) {
                t[i] = titles.get(idx - 1);
                g[i] = genres.get(idx - 1);
                y[i] = years.get(idx - 1);
                matched++;
            } else {
                g[i] = new String[0];
            }
        }
        lastMatched = matched;
        return new ItemMeta(t, g, y);
    }

    int lastMatched;
}
