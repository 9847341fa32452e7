package dev.recsys.eval.data;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits MovieLens titles such as {@code "Misérables, Les (1995)"} into title and year. */
public final class Titles {
    private static final Pattern TRAILING_YEAR =
            Pattern.compile("^(.*?)\\s*\\((\\d{4})(?:\\s*[-\u2013]\\s*(?:\\d{4})?)?\\)\\s*$");

    private Titles() {}

    /** A title without its year, and the year (0 when absent). */
    public record TitleYear(String title, int year) {}

    /** Splits a trailing "(1995)" (or "(2006-2007)", "(2007-)") off {@code raw}. */
    public static TitleYear split(String raw) {
        if (raw == null) {
            return new TitleYear(null, 0);
        }
        String t = raw.strip();
        Matcher m = TRAILING_YEAR.matcher(t);
        if (m.matches()) {
            return new TitleYear(m.group(1), Integer.parseInt(m.group(2)));
        }
        return new TitleYear(t, 0);
    }
}
