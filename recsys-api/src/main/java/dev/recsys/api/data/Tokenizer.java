package dev.recsys.api.data;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Deterministic, Unicode-aware word splitter for item content (titles, tags).
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>the text is normalised to NFC, so that a decomposed "e + combining acute" and a precomposed
 *       "é" give the same token;</li>
 *   <li>a word is a maximal run of letters, digits and combining marks (Unicode categories L*, Nd,
 *       Nl, No, Mn, Mc); every other code point (spaces, punctuation, symbols) separates words;</li>
 *   <li>an apostrophe (' or U+2019) between two word characters is dropped and the word goes on, so
 *       "Children's" gives "childrens" and "L'Homme" gives "lhomme";</li>
 *   <li>words are lower-cased with {@link Locale#ROOT} (never the platform locale), so
 *       "Misérables" gives "misérables" on every machine, including Turkish ones.</li>
 * </ol>
 * Instances are immutable and thread-safe; {@link #DEFAULT} is the one the project uses.
 */
public final class Tokenizer {
    /** The project's tokenizer (no length limit on words). */
    public static final Tokenizer DEFAULT = new Tokenizer(Integer.MAX_VALUE);

    private final int maxWordLength;

    /**
     * @param maxWordLength longer words are cut to this many code points (at least 1)
     */
    public Tokenizer(int maxWordLength) {
        if (maxWordLength < 1) {
            throw new IllegalArgumentException("maxWordLength must be >= 1, found " + maxWordLength);
        }
        this.maxWordLength = maxWordLength;
    }

    /** Splits {@code text} into lower-cased words; null or blank text gives an empty list. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFC);
        StringBuilder word = new StringBuilder();
        int wordCodePoints = 0;
        int n = s.length();
        int i = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            int len = Character.charCount(cp);
            if (isWordChar(cp)) {
                if (wordCodePoints < maxWordLength) {
                    word.appendCodePoint(cp);
                    wordCodePoints++;
                }
            } else if (isApostrophe(cp) && word.length() > 0 && i + len < n && isWordChar(s.codePointAt(i + len))) {
                // inner apostrophe: dropped, the word continues
                i += len;
                continue;
            } else if (word.length() > 0) {
                out.add(word.toString().toLowerCase(Locale.ROOT));
                word.setLength(0);
                wordCodePoints = 0;
            }
            i += len;
        }
        if (word.length() > 0) {
            out.add(word.toString().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    /** True for code points that belong inside a word (letters, digits, numbers, combining marks). */
    public static boolean isWordChar(int cp) {
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER:
            case Character.LOWERCASE_LETTER:
            case Character.TITLECASE_LETTER:
            case Character.MODIFIER_LETTER:
            case Character.OTHER_LETTER:
            case Character.DECIMAL_DIGIT_NUMBER:
            case Character.LETTER_NUMBER:
            case Character.OTHER_NUMBER:
            case Character.NON_SPACING_MARK:
            case Character.COMBINING_SPACING_MARK:
                return true;
            default:
                return false;
        }
    }

    private static boolean isApostrophe(int cp) {
        return cp == '\'' || cp == '\u2019';
    }

    @Override
    public String toString() {
        return "Tokenizer[maxWordLength=" + (maxWordLength == Integer.MAX_VALUE ? "unlimited" : maxWordLength) + "]";
    }
}
