package dev.recsys.eval.data;

import java.util.Arrays;

/**
 * Per-item descriptive metadata, indexed by dense item id (index 0, the padding item, is empty).
 *
 * @param titles titles without the trailing "(year)", {@code [N+1]}; null where unknown
 * @param genres genre names per item, {@code [N+1][]}; empty where unknown
 * @param years  release years, {@code [N+1]}; 0 where unknown
 */
public record ItemMeta(String[] titles, String[][] genres, int[] years) {
    public ItemMeta {
        if (titles == null || genres == null || years == null) {
            throw new IllegalArgumentException(
                    "titles, genres and years must all be given (use empty entries for unknown values)");
        }
        if (titles.length != genres.length || titles.length != years.length || titles.length == 0) {
            throw new IllegalArgumentException("titles, genres and years must have the same length N+1 >= 1, found "
                    + titles.length + ", " + genres.length + ", " + years.length);
        }
        for (int i = 0; i < genres.length; i++) {
            if (genres[i] == null) {
                genres[i] = new String[0];
            }
        }
    }

    /** Empty metadata for {@code numItems} items. */
    public static ItemMeta empty(int numItems) {
        String[][] g = new String[numItems + 1][];
        Arrays.fill(g, new String[0]);
        return new ItemMeta(new String[numItems + 1], g, new int[numItems + 1]);
    }

    /** Catalogue size N. */
    public int numItems() {
        return titles.length - 1;
    }

    /** Title of item {@code item}, or null. */
    public String title(int item) {
        return titles[item];
    }

    /** Genres of item {@code item} (never null). */
    public String[] genres(int item) {
        return genres[item];
    }

    /** Year of item {@code item}, 0 when unknown. */
    public int year(int item) {
        return years[item];
    }

    /** Number of items with a known title. */
    public int titledItems() {
        int n = 0;
        for (int i = 1; i < titles.length; i++) {
            if (titles[i] != null) {
                n++;
            }
        }
        return n;
    }

    /** The metadata of the selected old dense ids, renumbered: {@code oldIds[j]} becomes j+1. */
    public ItemMeta select(int[] oldIds) {
        String[] t = new String[oldIds.length + 1];
        String[][] g = new String[oldIds.length + 1][];
        int[] y = new int[oldIds.length + 1];
        g[0] = new String[0];
        for (int j = 0; j < oldIds.length; j++) {
            t[j + 1] = titles[oldIds[j]];
            g[j + 1] = genres[oldIds[j]];
            y[j + 1] = years[oldIds[j]];
        }
        return new ItemMeta(t, g, y);
    }
}
